import { describe, expect, it } from '@jest/globals';
import { testCliEnv } from '@mo/testkit';
import { PassThrough } from 'node:stream';
import { CliContext, resolveSecurity } from './context.js';
import { ExitCode } from './errors.js';
import { execute } from './main.js';

/** Runs `mo <args>` in-process with captured output, with the run's client credentials. */
async function mo(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { out: '', err: '' };
  stdout.on('data', (d: Buffer) => (chunks.out += d.toString()));
  stderr.on('data', (d: Buffer) => (chunks.err += d.toString()));
  const ctx = new CliContext({ stdout, stderr }, { ...testCliEnv(args.includes('--agent')), ...env });
  const code = await execute(['node', 'mo', ...args], ctx);
  return { code, ...chunks, globals: ctx.globals };
}

// Port 1 on loopback refuses at once: a real socket, and a fast "agent unreachable".
const DEAD = '127.0.0.1:1';

describe('mo (in-process)', () => {
  it('exits 3 naming the address when the agent refuses connections', async () => {
    const r = await mo(['--agent', DEAD, 'status']);
    expect(r.code).toBe(ExitCode.Unreachable);
    expect(r.err).toMatch(/^mo: cannot reach agent at 127\.0\.0\.1:1: .*ECONNREFUSED/);
    expect(r.out).toBe('');
  });

  it.each([
    [['--agent', DEAD, 'status'], {}, 'agent', DEAD],
    [['status', '--agent', DEAD], {}, 'agent', DEAD],
    [['status'], { MO_AGENT_ADDR: DEAD }, 'agent', DEAD],
    [['--agent', DEAD, 'status'], { MO_AGENT_ADDR: '127.0.0.1:2' }, 'agent', DEAD],
    [['--agent', '127.0.0.1:2', 'status', '--agent', DEAD], {}, 'agent', DEAD],
    [['--scheduler', DEAD, 'status'], {}, 'scheduler', DEAD],
    [['status', '--scheduler', DEAD], { MO_SCHEDULER_ADDR: '127.0.0.1:2' }, 'scheduler', DEAD],
    [['status'], { MO_SCHEDULER_ADDR: DEAD }, 'scheduler', DEAD],
    [['status'], { MO_SCHEDULER_ADDR: DEAD, MO_AGENT_ADDR: '127.0.0.1:2' }, 'scheduler', DEAD],
    [['status', '--scheduler', DEAD], { MO_AGENT_ADDR: '127.0.0.1:2' }, 'scheduler', DEAD],
    [['status', '--agent', DEAD], { MO_SCHEDULER_ADDR: '127.0.0.1:2' }, 'agent', DEAD],
  ])('mo %j with env %j talks to the %s at %s', async (args, env, kind, addr) => {
    const r = await mo(args, env);
    expect(r.globals?.target).toEqual({ kind, address: addr });
    expect(r.err).toContain(`cannot reach ${kind} at ${addr}`);
  });

  it('defaults to the local scheduler port and a 10 s deadline', async () => {
    const r = await mo(['status', '--timeout', '1ms']);
    expect(r.globals).toEqual({
      target: { kind: 'scheduler', address: '127.0.0.1:7600' },
      json: false,
      timeoutMs: 1,
      credentials: {},
    });
  });

  it('exits 3 naming the scheduler and its address when the scheduler refuses connections', async () => {
    const r = await mo(['status'], { MO_SCHEDULER_ADDR: DEAD });
    expect(r.code).toBe(ExitCode.Unreachable);
    expect(r.err).toMatch(/^mo: cannot reach scheduler at 127\.0\.0\.1:1: .*ECONNREFUSED/);
  });

  it('prints the error as JSON on stdout with --json', async () => {
    const r = await mo(['status', '--json', '--agent', DEAD]);
    expect(r.code).toBe(ExitCode.Unreachable);
    expect(JSON.parse(r.out)).toEqual({ error: { code: 'UNAVAILABLE', message: expect.stringContaining(DEAD) } });
  });

  it.each([
    [['start'], 'missing command'],
    [['start', '--env', 'bad', '--', 'true'], '--env: expected K=V, got "bad"'],
    [['start', '--memory', 'lots', '--', 'true'], '--memory: '],
    [['stop'], 'id: give one or more workload ids, or --label k=v / --name N'],
    [['ps', '--state', 'asleep'], '--state: expected pending, starting'],
    [['wait'], "missing required argument 'id'"],
    [['logs', 'w1', '--tail', 'x'], '--tail: expected a whole number'],
    [['status', '--timeout', 'soon'], '--timeout: '],
    [['status', '--bogus'], "unknown option '--bogus'"],
    [['status', '--scheduler', DEAD, '--agent', DEAD], '--agent: cannot be combined with --scheduler'],
    [['status', '--recent', 'many'], '--recent: expected a whole number'],
    [['nodes', '--agent', DEAD], 'nodes: needs the scheduler, not --agent'],
    [['start', '--agent', DEAD, '--node', 'n1', '--', 'true'], '--node: needs the scheduler, not --agent'],
    [['start', '--cpu', '0', '--', 'true'], '--cpu: must be a whole number of millicores, at least 1m'],
    [['start', '--restart', 'sometimes', '--', 'true'], '--restart: expected never, on-failure, always'],
    [['start', '--max-restarts', '2', '--', 'true'], '--max-restarts: needs --restart on-failure or --restart always'],
    [['start', '--restart', 'always', '--max-restarts', '0', '--', 'true'], '--max-restarts: must be at least 1'],
    [['start', '--priority', 'urgent', '--', 'true'], '--priority: expected high, normal, low'],
    [['start', '--strategy', 'random', '--', 'true'], '--strategy: expected binpack, spread'],
    [['start', '--constraint', 'gpu', '--', 'true'], '--constraint: expected k=v'],
    [['start', '--wait=soon', '--', 'true'], '--wait: expected running, exit'],
    [['start', '--wait-timeout', '5s', '--', 'true'], '--wait-timeout: needs --wait'],
    [['dev', '--agents', 'two'], '--agents: expected a whole number'],
    [['dev', '--port-base', '65530'], '--port-base: must be 0'],
    [['dev', '--log-level', 'loud'], '--log-level: expected debug, info, warn, error'],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['status', '--token', ''], '--token: is empty'],
    [['token', 'create', '--name', 'ci'], "required option '--role <role>' not specified"],
    [['token', 'create', '--name', 'ci', '--role', 'root'], '--role: expected read, operate, admin'],
    [['token', 'create', '--name', 'ci', '--role', 'read', '--ttl', '0s'], '--ttl: must be a duration above 0'],
    [['token', 'create', '--name', 'ci', '--role', 'read', '--ttl', 'forever'], '--ttl: expected a duration'],
    [['token', 'revoke'], "missing required argument 'token'"],
  ])('mo %j is a usage error (%s)', async (args, message) => {
    const r = await mo([...args]);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.err).toContain(`mo: ${message}`);
  });

  it('sends --token, else MO_TOKEN (trimmed), and refuses one a header cannot carry without echoing it', () => {
    const insecure = { insecure: true };
    expect(resolveSecurity(insecure, { MO_TOKEN: ' mo_a \n' }).token).toBe('mo_a');
    expect(resolveSecurity({ ...insecure, token: 'mo_b' }, { MO_TOKEN: 'mo_a' }).token).toBe('mo_b');
    expect(resolveSecurity(insecure, { MO_TOKEN: '' }).token).toBeUndefined();
    expect(() => resolveSecurity(insecure, { MO_TOKEN: 'mo_hunter2 part' })).toThrow(
      /MO_TOKEN: holds spaces or characters a header cannot carry/,
    );
    try {
      resolveSecurity(insecure, { MO_TOKEN: 'mo_hunter2 part' });
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
  });

  it('reports a usage error as JSON when --json was given before it', async () => {
    const r = await mo(['--json', 'start', '--cpu', 'half', '--', 'true']);
    expect(r.code).toBe(ExitCode.Usage);
    expect(JSON.parse(r.out)).toEqual({
      error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^--cpu: expected cores/) },
    });
  });

  it('treats --json after -- as part of the workload, not ours', async () => {
    const r = await mo(['start', '--env', 'x', '--', 'echo', '--json']);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.out).toBe('');
  });

  it('exits 0 for --help and --version, 2 for no command at all', async () => {
    expect((await mo(['--help'])).code).toBe(ExitCode.Ok);
    expect((await mo(['start', '--help'])).out).toContain('Usage: mo start');
    expect((await mo(['--version'])).out).toMatch(/^\d+\.\d+\.\d+\n$/);
    const bare = await mo([]);
    expect(bare.code).toBe(ExitCode.Usage);
    expect(bare.err).toContain('Usage: mo');
  });

  it('shows mo dev only the options that apply to it: no scheduler address, timeout or credentials', async () => {
    const help = (await mo(['dev', '--help'])).out;
    for (const flag of ['--agents', '--data-dir', '--port-base', '--stop-timeout', '--json', '--insecure']) {
      expect(help).toContain(flag);
    }
    for (const flag of [
      '--scheduler',
      '--agent ',
      '--timeout',
      '--ca-cert',
      '--client-cert',
      '--client-key',
      '--token',
    ]) {
      expect(help).not.toContain(flag);
    }
  });

  it('names the flag and the units when --timeout is a bare number', async () => {
    const r = await mo(['status', '--timeout', '5']);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.err).toContain('mo: --timeout: "5" has no unit; use a unit: 5s or 5000ms');
  });
});
