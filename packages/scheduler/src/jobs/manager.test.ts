// The job manager applying decideJob, over a real SQLite store in a temp dir and a fake clock:
// a fake workload manager records submits and stops, and the test moves instances (placed,
// running, healthy, failed) and reports them as the workload manager's onChange does. A "restart"
// is a new manager over the same store and the same workloads.
import { afterEach, describe, expect, it } from '@jest/globals';
import { createLogger, type SubmitWorkloadRequest__Output } from '@mo/api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../store/index.js';
import type { Store } from '../store/store.js';
import { FakeClock } from '../testing/fake-clock.js';
import { newRecord, TERMINAL_STATES, type WorkloadRecord, type WorkloadStateName } from '../workloads/record.js';
import type { SubmitOptions } from '../workloads/submit.js';
import { JobManager, type JobChangeEvent, type JobWorkloads } from './manager.js';

const logger = createLogger('error');
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

class FakeWorkloads implements JobWorkloads {
  readonly records = new Map<string, WorkloadRecord>();
  readonly submits: Array<{ req: SubmitWorkloadRequest__Output; options: SubmitOptions }> = [];
  readonly stops: string[] = [];
  refuse: Error | undefined;
  manager!: JobManager;

  constructor(private readonly clock: FakeClock) {}

  async submit(req: SubmitWorkloadRequest__Output, options: SubmitOptions): Promise<{ record: WorkloadRecord }> {
    this.submits.push({ req, options });
    if (this.refuse) throw this.refuse;
    const now = this.clock.now();
    const spec = { name: req.spec!.name, checks: options.job!.checks } as unknown as WorkloadRecord['spec'];
    const r = newRecord(`w${this.records.size + 1}`, { spec, scheduling: {} as never, idempotencyKey: '' }, now);
    r.job = { ...options.job!.ref };
    r.notBeforeMs = options.job!.notBeforeMs;
    this.records.set(r.id, r);
    this.manager.workloadChanged(r);
    return { record: r };
  }

  async stop(id: string): Promise<WorkloadRecord> {
    this.stops.push(id);
    const r = this.records.get(id)!;
    r.stopRequested = true;
    this.manager.workloadChanged(r);
    return r;
  }

  all(): Iterable<WorkloadRecord> {
    return this.records.values();
  }

  live(): WorkloadRecord[] {
    return [...this.records.values()].filter((r) => !TERMINAL_STATES.has(r.state));
  }

  of(version: number): WorkloadRecord[] {
    return [...this.records.values()].filter((r) => r.job!.version === version);
  }

  move(r: WorkloadRecord, state: WorkloadStateName, extra: Partial<WorkloadRecord> = {}): void {
    const now = this.clock.now();
    Object.assign(r, { state, ...extra });
    if (state === 'running') r.runningSinceMs = now;
    r.events.push({ state, reason: state, atMs: now });
    this.manager.workloadChanged(r);
  }

  /** Every pending one placed and running; every one asked to stop, stopped. */
  runAll(): void {
    for (const r of this.live()) {
      if (r.stopRequested) this.move(r, 'stopped');
      else if (r.state === 'pending') {
        this.move(r, 'starting');
        this.move(r, 'running');
      }
    }
  }
}

interface Bed {
  dir: string;
  store: Store;
  clock: FakeClock;
  workloads: FakeWorkloads;
  jobs: JobManager;
  events: JobChangeEvent[];
}

async function bed(prior?: Bed, migrating?: (r: WorkloadRecord) => boolean): Promise<Bed> {
  const dir = prior?.dir ?? mkdtempSync(join(tmpdir(), 'mo-jobs-test-'));
  if (!prior) cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const store = openSqliteStore(join(dir, 'scheduler.db'));
  const clock = prior?.clock ?? new FakeClock();
  const workloads = prior?.workloads ?? new FakeWorkloads(clock);
  const jobs = new JobManager({ store, workloads, logger, clock, random: () => 0.5, ...(migrating && { migrating }) });
  workloads.manager = jobs;
  const events: JobChangeEvent[] = [];
  jobs.watch({ push: (e) => events.push(e) });
  cleanup.push(async () => {
    await jobs.close();
    await store.close().catch(() => undefined);
  });
  await jobs.load();
  jobs.start();
  await clock.settle();
  return { dir, store, clock, workloads, jobs, events };
}

/** A `sleep` service; `extra` is more YAML. */
const file = (o: { name?: string; count?: number; env?: string; extra?: string } = {}) => `
name: ${o.name ?? 'web'}
count: ${o.count ?? 3}
command: [sleep, "3600"]
env: { V: "${o.env ?? '1'}" }
update: { max_parallel: 1, min_healthy_time: 10s, healthy_deadline: 1m${o.extra ?? ''} }
`;

async function rolledOut(b: Bed): Promise<void> {
  b.workloads.runAll();
  await b.clock.advance(10_000);
}

describe('JobManager', () => {
  it('runs a new job: count pending instances at once, restart never, each with its job, version, index', async () => {
    const b = await bed();
    const r = await b.jobs.run(file());
    expect(r).toMatchObject({ changed: true, kind: 'create' });
    await b.clock.settle();
    expect(b.workloads.submits.map((s) => s.options.job!.ref)).toEqual(
      [0, 1, 2].map((index) => ({ name: 'web', version: 1, index, attempt: 1 })),
    );
    const req = b.workloads.submits[0]!.req;
    expect(req.scheduling).toMatchObject({ restart: { mode: 'RESTART_MODE_NEVER' } });
    expect(req.spec).toMatchObject({ argv: ['sleep', '3600'], labels: { 'mo.job': 'web', 'mo.job.version': '1' } });
    expect(req.spec!.env).toMatchObject({ V: '1', MO_JOB: 'web', MO_JOB_INDEX: '0' });
    expect(b.jobs.get('web').deployments.at(-1)).toMatchObject({ version: 1, state: 'running', placed: 3 });

    // The same file again: nothing; nothing more started.
    expect(await b.jobs.run(file())).toMatchObject({ changed: false, kind: 'none' });
    await b.clock.settle();
    expect(b.workloads.submits).toHaveLength(3);

    // Running for min_healthy_time: the deployment succeeded, version 1 is the last good one.
    await rolledOut(b);
    expect(b.jobs.get('web').deployments.at(-1)).toMatchObject({ version: 1, state: 'succeeded', healthy: 3 });
    expect(b.jobs.get('web').job.lastGoodVersion).toBe(1);
    expect(b.events.map((e) => e.what)).toEqual(expect.arrayContaining(['version', 'deployment', 'instances']));
  });

  it('moves an instance off a draining node: its replacement first, the old one stopped once it settled', async () => {
    const b = await bed(undefined, (r) => r.nodeId === 'draining-node');
    await b.jobs.run(file());
    await b.clock.settle();
    await rolledOut(b);
    const [first] = b.workloads.live();
    first!.nodeId = 'draining-node';
    b.jobs.nodeDrainChanged('draining-node');
    await b.clock.settle();
    expect(b.workloads.submits.slice(3).map((s) => s.options.job!.ref)).toEqual([
      { name: 'web', version: 1, index: first!.job!.index, attempt: 2 },
    ]);
    expect(b.workloads.stops).toEqual([]);
    b.workloads.runAll();
    // Running, not yet for min_healthy_time (10 s): the old one still serves.
    await b.clock.advance(9_000);
    expect(b.workloads.stops).toEqual([]);
    await b.clock.advance(1_000);
    expect(b.workloads.stops).toEqual([first!.id]);
    b.workloads.runAll();
    await b.clock.settle();
    expect(b.workloads.live().map((r) => r.nodeId === 'draining-node')).toEqual([false, false, false]);
    expect(b.workloads.submits).toHaveLength(4);
  });

  it('with shutdown_delay, takes an instance out of the service at once and stops it after the delay', async () => {
    const b = await bed();
    await b.jobs.run(`${file({ count: 2 })}shutdown_delay: 5s\n`);
    await b.clock.settle();
    await rolledOut(b);
    const serving = () => b.jobs.instances('web').filter(b.jobs.isServing).length;
    expect(serving()).toBe(2);
    b.events.length = 0;

    await b.jobs.scale('web', 1);
    await b.clock.settle();
    // Out of the set (an `instances` event), not yet stopped, and not asked for twice.
    expect(serving()).toBe(1);
    expect(b.events.map((e) => e.what)).toContain('instances');
    expect(b.workloads.stops).toEqual([]);
    await b.clock.advance(4_000);
    expect(b.workloads.stops).toEqual([]);
    await b.clock.advance(1_000);
    expect(b.workloads.stops).toHaveLength(1);
    b.workloads.runAll();
    await b.clock.settle();
    expect(b.workloads.live()).toHaveLength(1);
  });

  it('keeps the job in SQLite: a new manager finds its versions, deployments and instances', async () => {
    const b = await bed();
    await b.jobs.run(file());
    await b.clock.settle();
    await rolledOut(b);
    await b.jobs.run(file({ env: '2' }));
    await b.clock.settle();
    await b.jobs.close();
    await b.store.close();
    const again = await bed(b);
    const e = again.jobs.get('web');
    expect(e.job).toMatchObject({ version: 2, count: 3, lastGoodVersion: 1, stopped: false });
    expect(e.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(e.deployments.map((d) => [d.version, d.state])).toEqual([
      [1, 'succeeded'],
      [2, 'running'],
    ]);
    expect(again.jobs.instances('web').filter((r) => !TERMINAL_STATES.has(r.state))).toHaveLength(4);
  });

  it('rolls an update one at a time, and goes on after a restart without starting an index twice', async () => {
    const b = await bed();
    await b.jobs.run(file());
    await b.clock.settle();
    await rolledOut(b);
    await b.jobs.run(file({ env: '2' }));
    await b.clock.settle();
    // max_parallel 1: one old stopped, one new started in its place.
    expect(b.workloads.stops).toHaveLength(1);
    expect(b.workloads.of(2).map((r) => r.job!.index)).toEqual([
      b.workloads.records.get(b.workloads.stops[0]!)!.job!.index,
    ]);
    b.workloads.runAll();
    await b.clock.advance(5_000);
    expect(b.workloads.of(2)).toHaveLength(1); // not settled yet: nothing more

    // The scheduler restarts: a new manager over the same store and workloads.
    await b.jobs.close();
    await b.store.close();
    const again = await bed(b);
    await again.clock.advance(5_000); // the first new one has now run 10 s
    expect(again.workloads.of(2)).toHaveLength(2);
    for (let k = 0; k < 3; k++) await rolledOut(again);
    const v2 = again.workloads.of(2);
    expect(v2.map((r) => r.job!.index).sort()).toEqual([0, 1, 2]);
    expect(again.workloads.live().every((r) => r.job!.version === 2)).toBe(true);
    expect(again.jobs.get('web').deployments.at(-1)).toMatchObject({ version: 2, state: 'succeeded' });
  });

  it('reverts a failing version to the last good one (auto_revert)', async () => {
    const b = await bed();
    await b.jobs.run(file());
    await b.clock.settle();
    await rolledOut(b);
    await b.jobs.run(file({ env: 'broken', extra: ', auto_revert: true' }));
    await b.clock.settle();
    const [broken] = b.workloads.of(2);
    b.workloads.move(broken!, 'starting');
    b.workloads.move(broken!, 'failed');
    await b.clock.settle();
    const e = b.jobs.get('web');
    expect(e.job.version).toBe(1);
    expect(e.deployments.map((d) => [d.version, d.state])).toEqual([
      [1, 'succeeded'],
      [2, 'failed'],
      [1, 'running'],
    ]);
    expect(e.deployments[1]!.reason).toMatch(/^web\[\d\] \(w\d+\) of version 2 failed$/);
    await rolledOut(b);
    expect(b.jobs.get('web').deployments.at(-1)).toMatchObject({ version: 1, state: 'succeeded' });
    expect(b.workloads.live().map((r) => r.job!.version)).toEqual([1, 1, 1]);
  });

  it('scales without a new version, a count-only file too; stop stops all, run starts again', async () => {
    const b = await bed();
    await b.jobs.run(file());
    await b.clock.settle();
    await rolledOut(b);
    await b.jobs.scale('web', 1);
    await b.clock.settle();
    b.workloads.runAll();
    await b.clock.settle();
    expect(b.workloads.live()).toHaveLength(1);
    expect(await b.jobs.run(file({ count: 2 }))).toMatchObject({ changed: true, kind: 'scale' });
    await rolledOut(b);
    expect(b.workloads.live()).toHaveLength(2);
    expect(b.jobs.get('web').job.version).toBe(1);
    await expect(b.jobs.scale('web', -1)).rejects.toThrow(/^count: must be between 0 and/);

    await b.jobs.stop('web');
    await b.clock.settle();
    b.workloads.runAll();
    await b.clock.settle();
    expect(b.workloads.live()).toHaveLength(0);
    expect(b.events.some((e) => e.what === 'stopped')).toBe(true);
    expect(await b.jobs.run(file({ count: 2 }))).toMatchObject({ changed: true, kind: 'none' });
    await rolledOut(b);
    expect(b.workloads.live()).toHaveLength(2);
  });

  it('counts a refused start as a failed attempt, tried again after its backoff (no hot loop)', async () => {
    const b = await bed();
    b.workloads.refuse = new Error('node: no node "nope"');
    await b.jobs.run(file({ count: 1 }));
    await b.clock.settle();
    expect(b.workloads.submits).toHaveLength(1);
    await b.clock.settle();
    expect(b.workloads.submits).toHaveLength(1);
    b.workloads.refuse = undefined;
    await b.clock.advance(2_000);
    expect(b.workloads.submits.map((s) => s.options.job!.ref.attempt)).toEqual([1, 2]);
    expect(b.workloads.submits[1]!.options.job!.notBeforeMs).toBeGreaterThan(0);
  });

  it('waits for health when the job has checks: running is not enough, healthy for min_healthy_time is', async () => {
    const b = await bed();
    await b.jobs.run(`
name: api
command: [sleep, "3600"]
ports: [{ name: http }]
checks: [{ type: tcp, port: http }]
update: { min_healthy_time: 10s, healthy_deadline: 1m }
`);
    await b.clock.settle();
    expect(b.workloads.submits[0]!.options.job).toMatchObject({
      ports: [{ name: 'http', to: 0 }],
      checks: [{ kind: 'tcp', port: 'http' }],
    });
    b.workloads.runAll();
    await b.clock.advance(20_000);
    expect(b.jobs.get('api').deployments.at(-1)!.state).toBe('running');
    const events = b.events.length;
    const [r] = b.workloads.live();
    b.workloads.move(r!, 'running', { health: 'healthy', healthChangedAtMs: b.clock.now() });
    await b.clock.settle();
    expect(b.events.slice(events).map((e) => e.what)).toContain('instances');
    await b.clock.advance(10_000);
    expect(b.jobs.get('api').deployments.at(-1)).toMatchObject({ state: 'succeeded', healthy: 1 });
  });

  it('runs a batch job: a failed index is retried after its backoff (pending at once, not before it), up to its attempts', async () => {
    const b = await bed();
    await b.jobs.run(`
name: crunch
type: batch
count: 2
command: [./crunch]
restart: { attempts: 2, initial_backoff: 5s }
`);
    await b.clock.settle();
    b.workloads.runAll();
    const [first, second] = b.workloads.live();
    b.workloads.move(first!, 'succeeded');
    b.workloads.move(second!, 'failed');
    await b.clock.settle();
    const retry = b.workloads.submits[2]!.options.job!;
    expect(retry.ref).toMatchObject({ index: 1, attempt: 2 });
    expect(retry.notBeforeMs).toBe(b.clock.now() + 5_000);
    const [again] = b.workloads.live();
    b.workloads.move(again!, 'starting');
    b.workloads.move(again!, 'failed');
    await b.clock.settle();
    expect(b.workloads.submits).toHaveLength(3); // out of attempts: nothing more
    expect(b.jobs.get('crunch').deployments.at(-1)).toMatchObject({ state: 'failed', succeeded: 1, unhealthy: 1 });
    expect(b.jobs.get('crunch').deployments.at(-1)!.reason).toMatch(/^crunch\[1\] failed 2 of 2 attempt/);
  });

  it('plans without doing: the kind, the changes, the starts and stops of the first decision', async () => {
    const b = await bed();
    expect(b.jobs.plan(file())).toMatchObject({ kind: 'create', version: 1, stops: 0 });
    expect(b.jobs.plan(file()).starts).toHaveLength(3);
    await b.jobs.run(file());
    await b.clock.settle();
    await rolledOut(b);
    const p = b.jobs.plan(file({ env: '2' }));
    expect(p).toMatchObject({
      kind: 'update',
      version: 2,
      stops: 1,
      changes: [{ path: 'task.env.V', from: '1', to: '2' }],
    });
    expect(p.starts).toHaveLength(1);
    expect(b.jobs.get('web').job.version).toBe(1);
    expect(b.workloads.submits).toHaveLength(3);
  });
});
