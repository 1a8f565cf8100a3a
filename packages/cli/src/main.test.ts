import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { CliContext } from './context.js';
import { ExitCode } from './errors.js';
import { execute } from './main.js';

/** Runs `mo <args>` in-process with captured output. */
async function mo(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { out: '', err: '' };
  stdout.on('data', (d: Buffer) => (chunks.out += d.toString()));
  stderr.on('data', (d: Buffer) => (chunks.err += d.toString()));
  const ctx = new CliContext({ stdout, stderr }, env);
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
    [['--agent', DEAD, 'status'], {}, DEAD],
    [['status', '--agent', DEAD], {}, DEAD],
    [['status'], { MO_AGENT_ADDR: DEAD }, DEAD],
    [['--agent', DEAD, 'status'], { MO_AGENT_ADDR: '127.0.0.1:2' }, DEAD],
    [['--agent', '127.0.0.1:2', 'status', '--agent', DEAD], {}, DEAD],
  ])('mo %j with env %j talks to %s', async (args, env, addr) => {
    const r = await mo(args, env);
    expect(r.globals?.agent).toBe(addr);
    expect(r.err).toContain(`cannot reach agent at ${addr}`);
  });

  it('defaults to the local agent port and a 10 s deadline', async () => {
    const r = await mo(['status', '--timeout', '1ms']);
    expect(r.globals).toEqual({ agent: '127.0.0.1:7610', json: false, timeoutMs: 1 });
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
    [['stop'], "missing required argument 'id'"],
    [['logs', 'w1', '--tail', 'x'], '--tail: expected a whole number'],
    [['status', '--timeout', 'soon'], '--timeout: '],
    [['status', '--bogus'], "unknown option '--bogus'"],
    [['frobnicate'], "unknown command 'frobnicate'"],
  ])('mo %j is a usage error (%s)', async (args, message) => {
    const r = await mo([...args]);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.err).toContain(`mo: ${message}`);
  });

  it('reports a usage error as JSON when --json was given before it', async () => {
    const r = await mo(['--json', 'start', '--cpu', 'half', '--', 'true']);
    expect(r.code).toBe(ExitCode.Usage);
    expect(JSON.parse(r.out)).toEqual({
      error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^--cpu: expected millicores/) },
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
});
