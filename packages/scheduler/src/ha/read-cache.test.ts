// The follower's read cache fed by hand (what watchKind would deliver): it indexes records as the
// leader does, so the shared read rules answer lists, counts and nodes from it; it is fresh only
// once every kind is listed and while etcd's quorum answers; tokens are checked by the leader's rules.
import { describe, expect, it } from '@jest/globals';
import { createLogger, formatToken, hashSecret, newTokenSecret } from '@mo/api';
import type { StoreKind, StoreOp, StoredRecord } from '../store/store.js';
import type { WatchKindHandlers } from '../store/etcd/cluster.js';
import type { NodeRecord } from '../registry/nodes.js';
import { workloadRecord } from '../testing/records.js';
import { newTokenRecord } from '../tokens/rules.js';
import { followerReadSource } from './follower-reads.js';
import { ReadCache, type CacheSource } from './read-cache.js';

class HandFed implements CacheSource {
  readonly handlers = new Map<StoreKind, WatchKindHandlers>();
  pingOk = true;
  pings = 0;
  watchKind(kind: StoreKind, h: WatchKindHandlers): () => void {
    this.handlers.set(kind, h);
    return () => this.handlers.delete(kind);
  }
  ping(): Promise<void> {
    this.pings++;
    return this.pingOk ? Promise.resolve() : Promise.reject(new Error('no quorum'));
  }
  reset(kind: StoreKind, records: StoredRecord[]): void {
    this.handlers.get(kind)!.onReset(records, '1');
  }
  change(op: StoreOp): void {
    this.handlers.get(op.kind)!.onChange(op, '2');
  }
}

const node = (id: string, name: string): NodeRecord => ({
  id,
  name,
  address: '10.0.0.1:7001',
  labels: {},
  facts: null,
  capacity: { cpuMillis: 2000, memoryBytes: 4 << 30 },
  registeredAtMs: 1,
  state: 'up',
  reason: '',
  eligible: true,
});

function setUp() {
  let now = 10_000;
  const source = new HandFed();
  const cache = new ReadCache(source, { logger: createLogger('error'), now: () => now, pingEveryMs: 60_000 });
  cache.start();
  const reads = followerReadSource(cache, 'test', 5);
  return { source, cache, reads, advance: (ms: number) => (now += ms) };
}

const flush = () => new Promise((r) => setImmediate(r));

/** A ListWorkloadsRequest as grpc-js decodes one (every field present). */
const listReq = (pageSize: number, pageToken = '') =>
  ({
    pageSize,
    pageToken,
    states: [],
    nodeId: '',
    groupId: '',
    name: '',
    idPrefix: '',
    labels: {},
    omitEvents: false,
  }) as never;

describe('ReadCache', () => {
  it('is fresh only once every kind is listed and while etcd answers', async () => {
    const { source, cache, advance } = setUp();
    await flush();
    expect(source.pings).toBe(1);
    expect(cache.fresh()).toBe(false); // nothing listed yet
    for (const kind of ['workload', 'node', 'pipeline'] as const) source.reset(kind, []);
    expect(cache.fresh()).toBe(false); // tokens not listed
    source.reset('token', []);
    expect(cache.fresh()).toBe(true);
    advance(3001);
    expect(cache.fresh()).toBe(false); // no answer from etcd within 3 s
    cache.close();
  });

  it('answers lists, counts, nodes and reservations by the leader’s rules', async () => {
    const { source, reads } = setUp();
    await flush();
    source.reset('node', [{ id: 'N1', value: node('N1', 'n1') }]);
    source.reset('workload', [
      { id: 'W1', value: workloadRecord({ id: 'W1' }) },
      { id: 'W2', value: workloadRecord({ id: 'W2', state: 'succeeded', nodeId: 'N1' }) },
      { id: 'W3', value: workloadRecord({ id: 'W3', state: 'pending', nodeId: '', nodeName: '' }) },
    ]);
    source.reset('pipeline', []);
    source.reset('token', []);
    const s = reads.scheduler;
    const list = s.listWorkloads(listReq(2));
    expect(list.workloads!.map((w) => w.id)).toEqual(['W3', 'W2']);
    expect(list.total).toBe(3);
    const next = s.listWorkloads(listReq(2, list.nextPageToken));
    expect(next.workloads!.map((w) => w.id)).toEqual(['W1']);
    const status = s.getClusterStatus({ recentWorkloads: 10, maxNodes: 0 } as never);
    expect(status.workloadCounts).toEqual({ running: 1, succeeded: 1, pending: 1 });
    expect(status.queueDepth).toBe(1);
    const [n1] = s.listNodes({ pageSize: 0, pageToken: '' } as never).nodes!;
    expect(n1).toMatchObject({ name: 'n1', workloadsRunning: 1, reserved: { cpuMillis: 100, memoryBytes: 64 << 20 } });

    // W1 ends, W3 is placed and runs: counts and reservations follow each change.
    source.change({ kind: 'workload', id: 'W1', value: workloadRecord({ id: 'W1', state: 'succeeded' }) });
    source.change({ kind: 'workload', id: 'W3', value: workloadRecord({ id: 'W3', state: 'running' }) });
    source.change({ kind: 'workload', id: 'W2', value: null });
    expect(s.getClusterStatus({ recentWorkloads: 10, maxNodes: 0 } as never).workloadCounts).toEqual({
      running: 1,
      succeeded: 1,
    });
    expect(s.getNode('n1')).toMatchObject({ workloadsRunning: 1, reserved: { cpuMillis: 100 } });
    expect(() => s.getWorkload({ workloadId: 'W2' } as never)).toThrow(/W2/);
    expect(s.listWorkloads(listReq(10)).total).toBe(2);
  });

  it('relists from scratch after a compaction cut the watch', async () => {
    const { source, reads } = setUp();
    await flush();
    source.reset('workload', [{ id: 'W1', value: workloadRecord({ id: 'W1' }) }]);
    source.reset('workload', [{ id: 'W9', value: workloadRecord({ id: 'W9', state: 'failed' }) }]);
    const s = reads.scheduler;
    const list = s.listWorkloads(listReq(10));
    expect(list.workloads!.map((w) => w.id)).toEqual(['W9']);
    expect(s.getClusterStatus({ recentWorkloads: 1, maxNodes: 0 } as never).workloadCounts).toEqual({ failed: 1 });
  });

  it('lists pipelines newest first and checks tokens by the stored records', async () => {
    const { source, cache, reads } = setUp();
    await flush();
    const pipeline = (id: string, state: string) => ({ id, name: 'p', state, steps: [], events: [] });
    source.reset('pipeline', [{ id: 'P1', value: pipeline('P1', 'succeeded') }]);
    source.change({ kind: 'pipeline', id: 'P2', value: pipeline('P2', 'running') });
    expect(cache.pipelines.countMatching({})).toBe(2);
    expect([...cache.pipelines.newestFirst({})].map((p) => p.id)).toEqual(['P2', 'P1']);
    expect(() => reads.pipelines.getPipeline({ pipelineId: 'P3' } as never)).toThrow(/P3/);

    const id = '01J00000000000000000000001';
    const secret = newTokenSecret();
    const { record, text } = newTokenRecord(
      { name: 'ci', access: 'read', ttlMs: 0 },
      id,
      secret,
      hashSecret(secret),
      'admin',
      1,
    );
    source.reset('token', [{ id, value: record }]);
    expect(cache.checkToken(text)).toMatchObject({ identity: { kind: 'token', name: 'ci', access: 'read' } });
    expect(cache.checkToken(formatToken(id, newTokenSecret()))).toEqual({ refused: 'unknown token' });
    source.change({ kind: 'token', id, value: { ...record, revokedAtMs: 5 } });
    expect(cache.checkToken(text)).toMatchObject({ refused: expect.stringMatching(/revoked/) });
  });
});
