// The built `mo` executable against a real agent process: start, status, logs, stop, as a user
// or a script would run them (human output and --json, exit codes).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runMo, startAgentProcess, waitFor, type AgentProcess, type MoResult } from '@mo/testkit';

let agent: AgentProcess;

function mo(...args: string[]): Promise<MoResult> {
  // runMo gives `--agent` the scheduler's certificate: an agent serves NodeAgent to it alone.
  return runMo(['--agent', agent.grpcAddress, ...args], { timeoutMs: 20_000 });
}

interface StatusJson {
  spec: { id: string; name: string; argv: string[]; labels: Record<string, string> };
  state: string;
  pid: number;
  exit: { exitCode: number; signal: string } | null;
}

beforeAll(async () => {
  agent = await startAgentProcess();
});

afterAll(async () => {
  await agent.kill('SIGTERM');
});

describe('mo against a real agent', () => {
  it('starts a workload with flags, shows it, follows its logs and stops it', async () => {
    const started = await mo(
      'start',
      '--json',
      '--name',
      'greeter',
      '--env',
      'WHO=world',
      '--label',
      'team=infra',
      '--',
      'sh',
      '-c',
      'echo "hello $WHO"; sleep 300',
    );
    expect(started.code).toBe(0);
    const w = JSON.parse(started.stdout) as StatusJson;
    expect(w.state).toBe('WORKLOAD_STATE_RUNNING');
    expect(w.spec.argv).toEqual(['sh', '-c', 'echo "hello $WHO"; sleep 300']);
    expect(w.spec.labels).toEqual({ team: 'infra' });

    const table = await mo('status');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`${w.spec.id}\\s+greeter\\s+running\\s+${w.pid}`));

    const one = await mo('status', w.spec.id);
    expect(one.stdout).toMatch(/state\s+running/);

    await waitFor('the greeting', async () => (await mo('logs', w.spec.id)).stdout === 'hello world\n');

    const stopped = await mo('stop', w.spec.id, '--grace', '2s', '--json');
    expect(stopped.code).toBe(0);
    expect((JSON.parse(stopped.stdout) as StatusJson).state).toBe('WORKLOAD_STATE_STOPPED');

    const after = JSON.parse((await mo('status', w.spec.id, '--json')).stdout) as StatusJson;
    expect(after.exit?.signal).toBe('SIGTERM');
  });

  it('prints the plain start line and follows logs to the end of a short workload', async () => {
    const started = await mo('start', '--', 'sh', '-c', 'for i in 1 2 3; do echo n$i; sleep 0.1; done');
    expect(started.stdout).toMatch(/^started [0-9A-Z]{26} \(pid \d+\)\n$/);
    const id = started.stdout.split(' ')[1]!;
    const followed = await mo('logs', id, '-f');
    expect(followed).toMatchObject({ code: 0, stdout: 'n1\nn2\nn3\n' });
  });

  it('fails with exit code 1 and a field-naming message on bad input the agent rejects', async () => {
    const res = await mo('start', '--cwd', 'relative/dir', '--', 'true');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^mo: spec\.working_dir: must be an absolute path/);

    const json = await mo('stop', '01UNKNOWN0000000000000000', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'NOT_FOUND', message: 'workload_id: no workload "01UNKNOWN0000000000000000"' },
    });
  });
});
