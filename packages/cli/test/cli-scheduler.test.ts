// The built `mo` executable against a real scheduler with two real agents (separate processes,
// loopback, ephemeral ports): start/stop/status/nodes/logs as a user or script runs them, human
// output and --json, and the exit codes of --wait.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runMo, startCluster, waitFor, type Cluster, type MoResult } from '@mo/testkit';

let cluster: Cluster;

/** `mo <args>` with only PATH and MO_SCHEDULER_ADDR in its environment. */
function mo(...args: string[]): Promise<MoResult> {
  return runMo(args, { env: { MO_SCHEDULER_ADDR: cluster.scheduler.grpcAddress } });
}

interface WorkloadJson {
  id: string;
  state: string;
  reason: string;
  nodeName: string;
  pid: number;
  attempt: number;
  exit: { exited: boolean; exitCode: number; signal: string } | null;
  spec: { argv: string[]; name: string; resources: { cpuMillis: number; memoryBytes: number } | null };
  scheduling: { priority: string; restart: { mode: string; maxAttempts: number } | null; strategy: string } | null;
  events: { state: string; reason: string }[];
}

beforeAll(async () => {
  cluster = await startCluster({ agents: 2 });
});

afterAll(async () => {
  // Leave nothing running: every workload still alive is stopped before the daemons go.
  const { workloads } = await cluster.scheduler.client.listWorkloads({
    states: ['WORKLOAD_STATE_PENDING', 'WORKLOAD_STATE_STARTING', 'WORKLOAD_STATE_RUNNING'],
  });
  await Promise.allSettled(workloads.map((w) => cluster.scheduler.client.stopWorkload(w.id, 500)));
  await cluster.stop();
});

describe('mo against a real scheduler and two agents', () => {
  it('lists both nodes, as a table and as ListNodesResponse JSON', async () => {
    const table = await mo('nodes');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+STATE\s+ELIGIBILITY\s+ADDRESS/);
    expect(table.stdout).toMatch(/^node-1\s+up\s+eligible\s+127\.0\.0\.1:\d+/m);
    expect(table.stdout).toMatch(/^node-2\s+up\s+eligible\s+127\.0\.0\.1:\d+/m);

    const json = await mo('nodes', '--json');
    const doc = JSON.parse(json.stdout) as { nodes: { name: string; state: string; capacity: object }[] };
    expect(doc.nodes.map((n) => n.name).sort()).toEqual(['node-1', 'node-2']);
    expect(doc.nodes.every((n) => n.state === 'NODE_STATE_UP' && n.capacity)).toBe(true);
  });

  it('submits with scheduling flags, waits until running, shows it, follows its logs and stops it', async () => {
    const started = await mo(
      'start',
      '--json',
      '--wait',
      '--name',
      'greeter',
      '--cpu',
      '100m',
      '--memory',
      '16Mi',
      '--priority',
      'high',
      '--restart',
      'on-failure',
      '--max-restarts',
      '2',
      '--env',
      'WHO=world',
      '--',
      'sh',
      '-c',
      'echo "hello $WHO"; sleep 300',
    );
    expect(started.code).toBe(0);
    const res = JSON.parse(started.stdout) as { workload: WorkloadJson; existing: boolean };
    const w = res.workload;
    expect(res.existing).toBe(false);
    expect(w.state).toBe('WORKLOAD_STATE_RUNNING');
    expect(w.nodeName).toMatch(/^node-[12]$/);
    expect(w.spec.resources).toEqual({ cpuMillis: 100, memoryBytes: 16 * 2 ** 20, hostPorts: 0 });
    expect(w.scheduling).toMatchObject({
      priority: 'PRIORITY_HIGH',
      restart: { mode: 'RESTART_MODE_ON_FAILURE', maxAttempts: 2 },
    });

    const overview = await mo('status');
    expect(overview.code).toBe(0);
    expect(overview.stdout).toMatch(/^nodes\s+2 \(2 up\)$/m);
    expect(overview.stdout).toMatch(/^queue\s+/m);
    expect(overview.stdout).toMatch(new RegExp(`^${w.id}\\s+greeter\\s+running\\s+${w.nodeName}\\s`, 'm'));

    const one = await mo('status', w.id);
    expect(one.stdout).toMatch(/^state\s+running$/m);
    expect(one.stdout).toMatch(new RegExp(`^node\\s+${w.nodeName} \\(`, 'm'));
    expect(one.stdout).toMatch(/^EVENTS$/m);

    await waitFor('the greeting', async () => (await mo('logs', w.id)).stdout === 'hello world\n');
    const tail = await mo('logs', w.id, '--tail', '1', '--stdout', '--json');
    expect(tail.stdout).toBe(`${JSON.stringify({ stream: 'stdout', data: 'hello world\n' })}\n`);

    const stopped = await mo('stop', w.id, '--grace', '2s');
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toMatch(new RegExp(`^${w.id} stopped on ${w.nodeName} \\(SIGTERM\\)`));
    const after = JSON.parse((await mo('status', w.id, '--json')).stdout) as WorkloadJson;
    expect(after.state).toBe('WORKLOAD_STATE_STOPPED');
    expect(after.events.map((e) => e.state)).toEqual(
      expect.arrayContaining(['WORKLOAD_STATE_PENDING', 'WORKLOAD_STATE_RUNNING', 'WORKLOAD_STATE_STOPPED']),
    );
  });

  it('prints where a workload went, and follows a short one to its end with logs -f', async () => {
    const started = await mo('start', '--', 'sh', '-c', 'for i in 1 2 3; do echo n$i; sleep 0.2; done');
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/^[0-9A-Z]{26} (starting|running) on node-[12]/);
    const id = started.stdout.split(' ')[0]!;
    await waitFor('the workload to run', async () => {
      const w = JSON.parse((await mo('status', id, '--json')).stdout) as WorkloadJson;
      return w.state !== 'WORKLOAD_STATE_PENDING' && w.state !== 'WORKLOAD_STATE_STARTING';
    });
    const followed = await mo('logs', id, '-f');
    expect(followed).toMatchObject({ code: 0, stdout: 'n1\nn2\nn3\n' });
  });

  it('--wait=exit exits 0 when the workload succeeds and 4 when it fails', async () => {
    const ok = await mo('start', '--wait=exit', '--', 'true');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^[0-9A-Z]{26} succeeded on node-[12] \(exit 0\)\n$/);

    const failed = await mo('start', '--wait=exit', '--', 'sh', '-c', 'exit 3');
    expect(failed.code).toBe(4);
    expect(failed.stdout).toMatch(/^[0-9A-Z]{26} failed on node-[12] \(exit 3\)/);
    expect(failed.stderr).toMatch(/^mo: [0-9A-Z]{26} did not succeed: failed on node-[12] \(exit 3\)/m);

    const json = await mo('start', '--json', '--wait=exit', '--', 'sh', '-c', 'exit 5');
    expect(json.code).toBe(4);
    const doc = JSON.parse(json.stdout) as { workload: WorkloadJson };
    expect(doc.workload.exit).toMatchObject({ exited: true, exitCode: 5 });
  });

  it('shows a workload too big for any node as pending with the reason; --wait-timeout exits 5', async () => {
    const r = await mo('start', '--memory', '1Ti', '--', 'true');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[0-9A-Z]{26} pending: .*2 nodes: 2 lacked memory/);
    const id = r.stdout.split(' ')[0]!;
    const status = JSON.parse((await mo('status', '--json')).stdout) as {
      queueDepth: number;
      recent: WorkloadJson[];
    };
    expect(status.queueDepth).toBeGreaterThanOrEqual(1);
    expect(status.recent.find((w) => w.id === id)?.state).toBe('WORKLOAD_STATE_PENDING');

    const waited = await mo('start', '--memory', '1Ti', '--wait', '--wait-timeout', '300ms', '--', 'true');
    expect(waited.code).toBe(5);
    expect(waited.stderr).toMatch(/^mo: gave up waiting for it to run after 300 ms; [0-9A-Z]{26} is pending/m);

    const cancelled = await mo('stop', id);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toMatch(new RegExp(`^${id} stopped`));
  });

  it('returns the first workload for a repeated idempotency key', async () => {
    const first = JSON.parse((await mo('start', '--json', '--idempotency-key', 'k-1', '--', 'true')).stdout) as {
      workload: WorkloadJson;
      existing: boolean;
    };
    const again = await mo('start', '--idempotency-key', 'k-1', '--', 'true');
    expect(again.stdout).toContain(`${first.workload.id} `);
    expect(again.stdout).toContain('(already submitted with this idempotency key)');
  });

  it('fails with exit 1 and the field for input the scheduler rejects, 1 for an unknown id', async () => {
    const bad = await mo('start', '--node', 'no-such-node', '--', 'true');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^mo: .*node/);

    const unknown = await mo('status', '01UNKNOWN0000000000000000', '--json');
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout)).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });
});
