// Runs the built `mo` executable as a real process: exit codes, stderr and --json errors are the
// CLI's contract with scripts. Needs `pnpm exec tsc -b packages/cli` first (scripts/test.sh does).
import { beforeAll, describe, expect, it } from '@jest/globals';
import { runMo, type MoResult } from '@mo/testkit';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BUILT = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** Runs `node bin/mo.cjs <args>` to completion, in a clean environment (a developer's
 * MO_AGENT_ADDR must not change what the test talks to); never rejects on a non-zero exit. */
function mo(args: string[], env: NodeJS.ProcessEnv = {}): Promise<MoResult> {
  return runMo(args, { env, timeoutMs: 20_000 });
}

// Nothing listens on port 1 of loopback: the connection is refused at once.
const DEAD = '127.0.0.1:1';

describe('mo as a process', () => {
  beforeAll(() => {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run pnpm exec tsc -b packages/cli first`);
  });

  it('exits 3 with "cannot reach agent" when the agent is unreachable', async () => {
    const r = await mo(['--agent', DEAD, 'status']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^mo: cannot reach agent at 127\.0\.0\.1:1: /);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).toBe('');
  });

  it('exits 3 with "cannot reach scheduler" and the address when the scheduler is unreachable', async () => {
    const r = await mo(['status'], { MO_SCHEDULER_ADDR: DEAD });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^mo: cannot reach scheduler at 127\.0\.0\.1:1: /);
    expect(r.stdout).toBe('');
  });

  it('names the failure without grpc-js internals when the scheduler name does not resolve', async () => {
    for (const args of [['status'], ['stop', 'w1'], ['logs', 'w1']]) {
      const r = await mo(args, { MO_SCHEDULER_ADDR: 'no-such-host.invalid:7600', MO_INSECURE: '1' });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/^mo: cannot reach scheduler at no-such-host\.invalid:7600: /);
      expect(r.stderr).not.toMatch(/Resolution note|No connection established|\n\s+at /);
    }
  });

  it("keeps grpc-js's own log lines off stderr unless GRPC_VERBOSITY or GRPC_TRACE asks for them", async () => {
    // A proxy variable grpc-js cannot use makes it log an error line of its own. (`mo logs`: the
    // common commands, stop included, do not load grpc-js.)
    const env = { MO_SCHEDULER_ADDR: DEAD, MO_INSECURE: '1', grpc_proxy: 'ftp://proxy' };
    const quiet = await mo(['logs', 'w1'], env);
    expect(quiet.code).toBe(3);
    expect(quiet.stderr).toBe(`mo: cannot reach scheduler at ${DEAD}: connect ECONNREFUSED ${DEAD}\n`);
    const asked = await mo(['logs', 'w1'], { ...env, GRPC_VERBOSITY: 'ERROR' });
    expect(asked.stderr).toContain('scheme not supported in proxy URI');
  });

  it('exits 2 for a --timeout without a unit, with the hint', async () => {
    const r = await mo(['start', '--timeout', '5', '--', 'true'], { MO_SCHEDULER_ADDR: DEAD });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('mo: --timeout: "5" has no unit; use a unit: 5s or 5000ms');
  });

  it('exits 2 naming the flag for a bad scheduling value, before any call', async () => {
    const r = await mo(['start', '--restart', 'sometimes', '--', 'true'], { MO_SCHEDULER_ADDR: DEAD });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('mo: --restart: expected never, on-failure, always; got "sometimes"');
  });

  it('finds the agent through MO_AGENT_ADDR', async () => {
    const r = await mo(['status'], { MO_AGENT_ADDR: DEAD });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`cannot reach agent at ${DEAD}`);
  });

  it('prints the unreachable error as JSON on stdout with --json', async () => {
    const r = await mo(['--agent', DEAD, '--json', 'status']);
    expect(r.code).toBe(3);
    const doc: unknown = JSON.parse(r.stdout);
    expect(doc).toEqual({
      error: { code: 'UNAVAILABLE', message: expect.stringContaining(`cannot reach agent at ${DEAD}`) },
    });
    expect(r.stderr).toContain('mo: cannot reach agent');
  });

  it('exits 2 when mo start has no command', async () => {
    const r = await mo(['start']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('mo: missing command');
  });

  it('exits 2 naming --env when an env flag is not K=V', async () => {
    const r = await mo(['start', '--env', 'bad', '--', 'true']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('mo: --env: expected K=V, got "bad"');
  });

  it('exits 2 with the error as JSON for a bad flag under --json', async () => {
    const r = await mo(['--json', 'start', '--memory', '1x', '--', 'true']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^--memory: /) },
    });
  });

  it('hands mo scheduler --help to the scheduler daemon, loaded on demand', async () => {
    const r = await mo(['scheduler', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: mo-scheduler/);
  });

  it('exits 2 for an unknown flag', async () => {
    const r = await mo(['status', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("mo: unknown option '--frobnicate'");
  });
});
