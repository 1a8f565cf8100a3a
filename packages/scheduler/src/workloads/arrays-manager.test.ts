// The manager's side of arrays, on a real SQLite store and placement engine with no nodes (so every
// member waits): N members written in slices, then the marker that makes them count with their key,
// queued at once, listed by group, the key answering with the whole group, all of it again after a
// reload; members without a marker (a crash mid-write) are dropped at load; a refused array leaves
// nothing.
import { afterEach, describe, expect, it } from '@jest/globals';
import { createLogger, InvalidArgumentError, MoError, type SubmitWorkloadRequest__Output } from '@mo/api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlacementEngine } from '../placement/index.js';
import { AgentPool } from '../registry/agent-pool.js';
import { NodeTable } from '../registry/nodes.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import type { Store, StoreOp } from '../store/store.js';
import { WorkloadManager } from './manager.js';

const dirs: string[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function newDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mo-arrays-'));
  dirs.push(d);
  return d;
}

/** A manager on the SQLite file in `dir`, recording every commit. */
async function openManager(dir: string, maxPending?: number) {
  const sqlite = openSqliteStore(join(dir, 'scheduler.db'));
  const commits: StoreOp[][] = [];
  const store: Store = {
    load: (kind) => sqlite.load(kind),
    commit: (ops) => {
      commits.push([...ops]);
      return sqlite.commit(ops);
    },
    close: () => sqlite.close(),
  };
  const engine = new PlacementEngine({ seed: 1 });
  const liveness = {
    heartbeatIntervalMs: 1000,
    downAfterMs: 5000,
    maxHeartbeatsPerSecond: 100,
    breakerThreshold: 3,
    breakerCooldownMs: 30_000,
  };
  const nodes = new NodeTable(liveness, engine, { onDown: () => {}, onChange: () => {} });
  const manager = new WorkloadManager({
    store,
    engine,
    nodes,
    agents: new AgentPool({ credentials: { insecure: true } }),
    logger: createLogger('error'),
    observer: { placement: () => {} },
    onChange: () => {},
    ...(maxPending !== undefined && { maxPending }),
  });
  await manager.load();
  manager.start();
  const close = async () => {
    await manager.close();
    await store.close();
  };
  closers.push(close);
  return { manager, commits, close };
}

const request = (count: number, over: Partial<SubmitWorkloadRequest__Output> = {}) =>
  ({ spec: { argv: ['true'], name: 'job' }, count, idempotencyKey: '', ...over }) as SubmitWorkloadRequest__Output;

describe('WorkloadManager.submitArray', () => {
  it('persists 2,000 members in slices, then their marker and key, queues them all, and lists them by group', async () => {
    const dir = newDir();
    const { manager, commits, close } = await openManager(dir);
    const a = await manager.submitArray(request(2000, { idempotencyKey: 'batch-1' }));
    expect(a.existing).toBe(false);
    expect(a.workloadIds).toHaveLength(2000);
    expect(commits.map((ops) => ops.length)).toEqual([...Array<number>(8).fill(250), 2]);
    expect(
      commits
        .flat()
        .filter((op) => op.kind === 'workload')
        .map((op) => op.id),
    ).toEqual(a.workloadIds);
    expect(commits.at(-1)!.map((op) => [op.kind, op.id])).toEqual([
      ['meta', `array:${a.groupId}`],
      ['idempotency', 'batch-1'],
    ]);
    expect(manager.queueDepth()).toBe(2000);

    const filter = { groupId: a.groupId };
    expect(manager.countMatching(filter)).toBe(2000);
    const members = [...manager.newestFirst(filter)];
    expect(members.map((r) => r.id)).toEqual([...a.workloadIds].reverse());
    const last = members[0]!;
    expect([last.spec.name, last.groupIndex, last.groupId, last.state]).toEqual([
      'job-1999',
      1999,
      a.groupId,
      'pending',
    ]);
    expect(last.spec.env).toEqual({ MO_INDEX: '1999', MO_COUNT: '2000', MO_GROUP: a.groupId });
    expect(last.reason).toMatch(/^waiting: /);
    expect(manager.countMatching({ groupId: a.groupId, states: new Set(['pending'] as const) })).toBe(2000);
    expect(manager.countMatching({ groupId: 'NOSUCHGROUP' })).toBe(0);

    // A retry with the key answers with the group, creating nothing.
    const again = await manager.submitArray(request(2000, { idempotencyKey: 'batch-1' }));
    expect([again.existing, again.groupId, again.workloadIds]).toEqual([true, a.groupId, a.workloadIds]);
    expect(manager.countMatching({})).toBe(2000);

    // After a restart: the group is rebuilt from the records, the key from its own record.
    await close();
    const reopened = await openManager(dir);
    expect(reopened.manager.countMatching(filter)).toBe(2000);
    expect(reopened.manager.queueDepth()).toBe(2000);
    const retried = await reopened.manager.submitArray(request(5, { idempotencyKey: 'batch-1' }));
    expect([retried.existing, retried.groupId, retried.workloadIds.length]).toEqual([true, a.groupId, 2000]);
  });

  it('drops at load the members of an array whose marker was never written (a crash mid-write)', async () => {
    const dir = newDir();
    const first = await openManager(dir);
    const whole = await first.manager.submitArray(request(300));
    // What a crash after the first slice leaves: 250 members, no marker.
    const sliceOnly = first.commits
      .slice(0, 1)
      .flat()
      .map((op) => ({
        ...op,
        id: `X${op.id.slice(1)}`,
        value: { ...(op.value as object), id: `X${op.id.slice(1)}`, groupId: 'HALF' },
      }));
    await first.close();
    const sqlite = openSqliteStore(join(dir, 'scheduler.db'));
    await sqlite.commit(sliceOnly);
    await sqlite.close();

    const reopened = await openManager(dir);
    expect(reopened.manager.countMatching({})).toBe(300);
    expect(reopened.manager.countMatching({ groupId: whole.groupId })).toBe(300);
    expect(reopened.manager.countMatching({ groupId: 'HALF' })).toBe(0);
    expect(reopened.commits).toEqual([sliceOnly.map((op) => ({ kind: 'workload', id: op.id, value: null }))]);
  });

  it('answers concurrent retries of one key with the same group', async () => {
    const { manager } = await openManager(newDir());
    const req = request(50, { idempotencyKey: 'k' });
    const [one, two] = await Promise.all([manager.submitArray(req), manager.submitArray(req)]);
    expect(two.groupId).toBe(one.groupId);
    expect([one.existing, two.existing]).toEqual([false, true]);
    expect(manager.countMatching({})).toBe(50);
  });

  it('refuses an array that would take the queue past --max-pending whole, leaving nothing', async () => {
    const { manager, commits } = await openManager(newDir(), 100);
    const bounded = { bounded: true };
    await manager.submitArray(request(60), bounded);
    const err = await manager.submitArray(request(41), bounded).catch((e: unknown) => e as MoError);
    expect(err).toBeInstanceOf(MoError);
    expect((err as MoError).message).toContain('41 of these cannot be placed now');
    expect(manager.countMatching({})).toBe(60);
    expect(commits.flat().filter((op) => op.kind === 'workload')).toHaveLength(60);
    await manager.submitArray(request(40), bounded); // exactly the bound
    expect(manager.queueDepth()).toBe(100);
  });

  it.each([
    [10_001, {}, 'count'],
    [2, { spec: { argv: ['true'], env: { MO_GROUP: 'x' } } }, 'spec.env["MO_GROUP"]'],
    [2, { spec: { argv: [] } }, 'spec.argv'],
  ])('refuses count %d with %j naming %s', async (count, over, field) => {
    const { manager, commits } = await openManager(newDir());
    const err = await manager
      .submitArray(request(count, over as Partial<SubmitWorkloadRequest__Output>))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).field).toBe(field);
    expect(commits).toEqual([]);
  });
});
