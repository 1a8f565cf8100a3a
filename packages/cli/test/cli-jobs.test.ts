// `mo run -f`, `mo job …`, `mo scale`, `mo service info` and `mo events --job` (the built
// executable) against a real scheduler and two agents: a process service without checks or ports
// (those are the agent's, tested with it), run twice (the second changes nothing), planned,
// updated, scaled, reverted and stopped, each answer read as a user reads it and as --json.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Job__Output, JobHistoryResponse__Output, RunJobResponse__Output, Service__Output } from '@mo/api';
import { runMo, startCluster, waitFor, type Cluster, type MoResult } from '@mo/testkit';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let cluster: Cluster;
const dir = mkdtempSync(join(tmpdir(), 'mo-cli-jobs-'));

function mo(...args: string[]): Promise<MoResult> {
  return runMo(args, { env: { MO_SCHEDULER_ADDR: cluster.scheduler.grpcAddress }, timeoutMs: 60_000 });
}

async function moJson<T>(...args: string[]): Promise<T> {
  const r = await mo('--json', ...args);
  if (r.code !== 0) throw new Error(`mo ${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** A service of `count` sleepers; `greeting` changes its env (a new version). */
function jobFile(name: string, count: number, greeting: string): string {
  const f = join(dir, `${name}-${count}-${greeting}.yaml`);
  writeFileSync(
    f,
    [
      `name: ${name}`,
      'type: service',
      `count: ${count}`,
      'command: [sleep, "600"]',
      `env: { GREETING: ${greeting} }`,
      'update: { max_parallel: 2, min_healthy_time: 200ms, healthy_deadline: 1m }',
      '',
    ].join('\n'),
  );
  return f;
}

beforeAll(async () => {
  cluster = await startCluster({ agents: 2 });
});

afterAll(async () => {
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('mo run -f and mo job', () => {
  it('runs a new job with --wait until its deployment succeeded, and the same file again changes nothing', async () => {
    const first = await mo('run', '-f', jobFile('web', 2, 'hi'), '--wait', '--wait-timeout', '60s');
    expect(first.stderr).toMatch(/^job web: created version 1 \(service, count 2\)$/m);
    expect(first.stdout).toMatch(/^deployment\s+version 1 succeeded: 2 desired, 2 placed, 2 healthy/m);
    expect(first.stdout).toMatch(/^instances\s+2 running, 2 healthy, 0 pending$/m);
    expect(first.code).toBe(0);

    const again = await mo('run', '-f', jobFile('web', 2, 'hi'));
    expect(again.stdout).toBe('job web: unchanged (version 1)\n');
    const json = await moJson<RunJobResponse__Output>('run', '-f', jobFile('web', 2, 'hi'));
    expect(json).toMatchObject({ changed: false, kind: 'none', job: { name: 'web', version: 1 } });
  });

  it('shows the job with one row per instance, and lists it', async () => {
    const status = await mo('job', 'status', 'web');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^INDEX\s+WORKLOAD\s+VERSION\s+STATE\s+HEALTH\s+NODE\s+ADDRESS/m);
    expect(status.stdout).toMatch(/^\s+0\s+\S{26}\s+1\s+running\s+/m);
    expect(status.stdout).toMatch(/^\s+1\s+\S{26}\s+1\s+running\s+/m);
    const job = await moJson<Job__Output>('job', 'status', 'web');
    expect(job.instances.filter((i) => i.state === 'WORKLOAD_STATE_RUNNING')).toHaveLength(2);
    const jobs = await mo('jobs');
    expect(jobs.stdout).toMatch(/^web\s+service\s+1\s+2\s+2\s+2\s+running\s/m);
    expect((await mo('job', 'list')).stdout).toMatch(/^web\s+service\s+1\s+2\s/m);
  });

  it('plans a changed file without doing it, then runs it as version 2', async () => {
    const plan = await mo('job', 'plan', '-f', jobFile('web', 2, 'hello'));
    expect(plan.stdout).toMatch(/^plan: update to version 2$/m);
    expect(plan.stdout).toMatch(/^ {2}task\.env\.GREETING: "hi" → "hello"$/m);
    expect((await moJson<Job__Output>('job', 'status', 'web')).version).toBe(1);

    const run = await mo('run', '-f', jobFile('web', 2, 'hello'), '--wait', '--wait-timeout', '60s');
    expect(run.stderr).toMatch(/^job web: new version 2$/m);
    expect(run.stderr).toMatch(/^ {2}task\.env\.GREETING: "hi" → "hello"$/m);
    expect(run.stdout).toMatch(/^deployment\s+version 2 succeeded/m);
    expect(run.code).toBe(0);
  });

  it('scales without a new version', async () => {
    const r = await mo('scale', 'web', '3');
    expect(r.stdout).toMatch(/^job web: scaled to 3/);
    await waitFor(
      'three running instances',
      async () => (await moJson<Job__Output>('job', 'status', 'web')).running === 3,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect((await moJson<Job__Output>('job', 'status', 'web')).version).toBe(2);
  });

  it('lists where each instance runs', async () => {
    const svc = await moJson<Service__Output>('service', 'info', 'web', '--all');
    expect(svc.name).toBe('web');
    expect(svc.instances.map((i) => i.index).sort()).toEqual([0, 1, 2]);
    for (const i of svc.instances) expect(i.nodeName).toMatch(/\S/);
    const text = await mo('service', 'info', 'web', '--all');
    expect(text.stdout).toMatch(/^INDEX\s+ADDRESS\s+HEALTH\s+STATE\s+VERSION\s+NODE/m);
  });

  it('shows the history, reverts to version 1 and stops the job', async () => {
    const history = await mo('job', 'history', 'web');
    expect(history.stdout).toMatch(/^version 2 .*\n {2}task\.env\.GREETING: "hi" → "hello"$/m);
    expect(history.stdout).toMatch(/^version 1 /m);
    expect(history.stdout).toMatch(/^DEPLOYMENTS$/m);
    const h = await moJson<JobHistoryResponse__Output>('job', 'history', 'web');
    expect(h.versions.map((v) => v.version)).toEqual([2, 1]);

    const revert = await mo('job', 'revert', 'web', '1');
    expect(revert.stdout).toMatch(/^job web: reverted to version 1/);
    expect((await moJson<Job__Output>('job', 'status', 'web')).version).toBe(1);

    const stop = await mo('job', 'stop', 'web');
    expect(stop.stdout).toMatch(/^job web: stopped/);
    await waitFor(
      'no running instance',
      async () => (await moJson<Job__Output>('job', 'status', 'web')).running === 0,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect((await mo('job', 'status', 'web')).stdout).toMatch(/^state\s+stopped/m);
  });

  it("prints the job's events", async () => {
    const r = await mo('events', '--job', 'web');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+ \S+ job web version 2$/m);
    expect(r.stdout).toMatch(/^\d+ \S+ job web stopped$/m);
  });

  it('--wait exits 0 once every instance of a batch job is done', async () => {
    const f = join(dir, 'batch.yaml');
    writeFileSync(f, 'name: once\ntype: batch\ncount: 3\ncommand: [sh, -c, "exit 0"]\n');
    const r = await mo('run', '-f', f, '--wait', '--wait-timeout', '60s');
    expect(r.stdout).toMatch(/^deployment\s+version 1 succeeded: .*, 3 succeeded/m);
    expect(r.code).toBe(0);
  });

  it('--wait exits 4 with the reason when the deployment fails', async () => {
    const f = join(dir, 'crash.yaml');
    writeFileSync(
      f,
      'name: crash\ncommand: [sh, -c, "exit 3"]\nupdate: { min_healthy_time: 500ms, healthy_deadline: 2s }\n',
    );
    const r = await mo('run', '-f', f, '--wait', '--wait-timeout', '60s');
    expect(r.stderr).toMatch(/^mo: deployment of version 1 failed/m);
    expect(r.stdout).toMatch(/^deployment\s+version 1 failed/m);
    expect(r.code).toBe(4);
    await mo('job', 'stop', 'crash');
  });

  it('reports what the scheduler refuses as it reports other errors', async () => {
    const missing = await mo('job', 'status', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^mo: .*nope/m);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: bad\ncount: 0\ncommand: [sleep, "1"]\n');
    const refused = await mo('run', '-f', bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/count: must be between 1 and 10000, got 0/);
    const json = await mo('--json', 'job', 'plan', '-f', bad);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
  });
});
