// The etcd Store against a real etcd (Debian's etcd-server): the shared Store conformance suite,
// then what only etcd has: every commit fenced by the leader's epoch (a deposed leader's commit is
// refused and nothing of it lands), group commit within etcd's transaction limits, a commit too
// large for one transaction refused with its size, and a watch of a kind that relists after a
// compaction cut it. Quorum loss (3 members) is in quorum.test.ts, the election in election.test.ts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ensureTestPki, etcdFound, requireTool, startEtcd, waitFor, type EtcdServer } from '@mo/testkit';
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type { Store, StoreOp } from '../store.js';
import { describeStoreConformance } from '../store-conformance.js';
import { openEtcdCluster, type EtcdCluster } from './cluster.js';
import type { EtcdConnection } from './client.js';
import type { EtcdLeadership } from './election.js';
import { EtcdStore } from './etcd-store.js';
import { EtcdCommitTooLargeError, FencedError } from './errors.js';

const haveEtcd = requireTool(etcdFound(), 'etcd (Debian etcd-server, /usr/bin/etcd)');
let etcd: EtcdServer | undefined;
beforeAll(async () => {
  if (haveEtcd) etcd = await startEtcd();
});
afterAll(async () => {
  await etcd?.close();
});

/** A prefix of its own per test, so tests share one etcd without seeing each other. */
const uniquePrefix = (what: string) => `/mo-test/${what}-${randomUUID().slice(0, 8)}/`;

if (haveEtcd) {
  describeStoreConformance('etcd', async (dir) => {
    const cluster = await openEtcdCluster({ endpoints: etcd!.endpoints, prefix: `/mo-conformance/${basename(dir)}/` });
    const leadership = await cluster.election.campaign('{}');
    const store = cluster.openStore(leadership);
    return {
      load: (kind) => store.load(kind),
      commit: (ops) => store.commit(ops),
      close: async () => {
        await store.close();
        await leadership.resign();
        await cluster.close();
      },
    } satisfies Store;
  });
}

(haveEtcd ? describe : describe.skip)('EtcdStore', () => {
  const clusters: EtcdCluster[] = [];
  afterEach(async () => {
    await Promise.allSettled(clusters.splice(0).map((c) => c.close()));
  });
  async function open(prefix: string, leaseTtlMs = 2000): Promise<EtcdCluster> {
    const c = await openEtcdCluster({ endpoints: etcd!.endpoints, prefix, leaseTtlMs });
    clusters.push(c);
    return c;
  }
  const put = (id: string, value: unknown): StoreOp => ({ kind: 'workload', id, value });

  it('refuses a deposed leader’s commit with FencedError once another leads, and lands nothing of it', async () => {
    const prefix = uniquePrefix('fence');
    const a = await open(prefix);
    const first = await a.election.campaign('"a"');
    const storeA = a.openStore(first);
    await storeA.commit([put('before', 1)]);

    // The leader key goes away behind the first leader's back (as when its lease expires while
    // it is frozen); a second scheduler is elected with a new epoch.
    const b = await open(prefix);
    const raw = await open(prefix);
    await deleteLeaderKey(raw, prefix);
    const second = await b.election.campaign('"b"');
    expect(BigInt(second.epoch)).toBeGreaterThan(BigInt(first.epoch));

    // Whatever the first leader believes, etcd refuses its write: one commit of several records.
    const refused = await storeA.commit([put('from-a-1', 1), put('from-a-2', 2)]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FencedError);
    expect((refused as FencedError).code).toBe(14); // UNAVAILABLE
    expect((refused as Error).message).toMatch(`no longer the leader (epoch ${first.epoch})`);
    await expect(first.lost).resolves.toMatch(/deleted|refused|another/);
    // Later commits are refused at once, without asking etcd.
    await expect(storeA.commit([put('from-a-3', 3)])).rejects.toBeInstanceOf(FencedError);

    const storeB = b.openStore(second);
    await storeB.commit([put('from-b', 1)]);
    expect((await storeB.load('workload')).map((r) => r.id)).toEqual(['before', 'from-b']);
  });

  it('is fenced by etcd itself: a leader that noticed nothing (as if frozen) has its write refused there', async () => {
    const prefix = uniquePrefix('fence-etcd');
    const a = await open(prefix);
    const first = (await a.election.campaign('"a"')) as EtcdLeadership;
    const storeA = a.openStore(first);
    await storeA.commit([put('before', 1)]);
    // Switch off everything by which the leader would notice on its own (its key watch, lease
    // timer and keepalives): only etcd's compare stands between it and the data now.
    const internals = first as unknown as {
      stopWatch?: () => void;
      expiry: { cancel(): void };
      abort: AbortController;
    };
    internals.stopWatch?.();
    internals.expiry.cancel();
    internals.abort.abort();

    const b = await open(prefix);
    await connOf(b).lease.leaseRevoke({ ID: first.leaseId }); // its lease ends: the key goes
    const second = await b.election.campaign('"b"');
    expect(first.lostBecause).toBeUndefined(); // it still believes it leads

    const refused = await storeA.commit([put('stale-1', 1), put('stale-2', 2)]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FencedError);
    expect((refused as Error).message).toMatch(/etcd refused the write/);
    await expect(first.lost).resolves.toMatch(/a fenced write was refused/);
    expect((await b.openStore(second).load('workload')).map((r) => r.id)).toEqual(['before']);
  });

  it('chains its txns: a stale attempt landing after a newer commit writes nothing; a moved chain is followed', async () => {
    const prefix = uniquePrefix('chain');
    const a = await open(prefix);
    const leadership = await a.election.campaign('{}');
    const store = a.openStore(leadership);
    await store.commit([put('w', 1)]);
    const kv = connOf(a).kv;
    const chainKey = Buffer.from(`${prefix}commit`);
    const chainBefore = (await kv.range({ key: chainKey })).kvs[0]!.mod_revision;
    await store.commit([put('w', 2)]);

    // What a timed-out attempt of the first commit would send, arriving only now: refused.
    const late = await kv.txn({
      compare: [
        { key: Buffer.from(`${prefix}leader`), target: 'Create', result: 'Equal', create_revision: leadership.epoch },
        { key: chainKey, target: 'Mod', result: 'Equal', mod_revision: chainBefore },
      ],
      success: [{ request_put: { key: Buffer.from(`${prefix}s/workload/w`), value: Buffer.from('1') } }],
    });
    expect(late.succeeded).toBe(false);
    expect(await store.load('workload')).toEqual([{ id: 'w', value: 2 }]);

    // A late attempt that did land moves the chain under the store: its next commit still lands.
    await kv.put({ key: chainKey, value: Buffer.from(leadership.epoch) });
    await store.commit([put('w', 3)]);
    expect(await store.load('workload')).toEqual([{ id: 'w', value: 3 }]);
    await expect(Promise.race([leadership.lost, Promise.resolve('held')])).resolves.toBe('held');
  });

  it('groups concurrent commits into few transactions within etcd’s 128 ops per txn', async () => {
    const a = await open(uniquePrefix('group'));
    const store = a.openStore(await a.election.campaign('{}')) as EtcdStore;
    await Promise.all(Array.from({ length: 300 }, (_, i) => store.commit([put(`w${String(i).padStart(3, '0')}`, i)])));
    const stats = store.stats();
    expect(stats.commits).toBe(300);
    expect(stats.transactions).toBeGreaterThanOrEqual(3); // 300 keys cannot share fewer txns of 128
    expect(stats.transactions).toBeLessThan(300);
    expect(await store.load('workload')).toHaveLength(300);
  });

  it('applies a commit of more records than a transaction holds in parts; refuses one record too big, naming its size', async () => {
    const a = await open(uniquePrefix('large'));
    const store = a.openStore(await a.election.campaign('{}')) as EtcdStore;
    const many = Array.from({ length: 300 }, (_, i) => put(`many-${String(i).padStart(3, '0')}`, i));
    const tooBig = [put('big', 'x'.repeat(2 * 1024 * 1024))];
    const before = store.stats().transactions;
    const results = await Promise.allSettled([
      store.commit([put('ok1', 1)]),
      store.commit(many),
      store.commit(tooBig),
      store.commit([put('ok2', 2)]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const big = results[2] as PromiseRejectedResult;
    expect(big.reason).toBeInstanceOf(EtcdCommitTooLargeError);
    expect(String(big.reason)).toMatch(/1 records, \d{7} bytes/);
    // 300 records in parts of at most 127: three transactions at least for them.
    expect(store.stats().transactions - before).toBeGreaterThanOrEqual(3);
    const ids = (await store.load('workload')).map((r) => r.id);
    expect(ids).toHaveLength(302);
    expect(ids).toEqual(expect.arrayContaining(['ok1', 'ok2', 'many-000', 'many-299']));
  });

  it('takes bigger commits from an etcd whose --max-txn-ops was raised, and says its limit', async () => {
    const roomy = await startEtcd({ maxTxnOps: 1024 });
    try {
      const c = await openEtcdCluster({ endpoints: roomy.endpoints, maxTxnOps: 1024 });
      clusters.push(c);
      const store = c.openStore(await c.election.campaign('{}'));
      expect(store.maxOpsPerCommit).toBe(1023);
      await store.commit(Array.from({ length: 1000 }, (_, i) => put(`w${String(i).padStart(4, '0')}`, i)));
      expect(await store.load('workload')).toHaveLength(1000);
    } finally {
      await Promise.allSettled(clusters.splice(0).map((x) => x.close()));
      await roomy.close();
    }
  });

  it('loads more records than one page, at one revision', async () => {
    const a = await open(uniquePrefix('pages'));
    const store = a.openStore(await a.election.campaign('{}'));
    const n = 1234;
    for (let i = 0; i < n; i += 100) {
      await store.commit(
        Array.from({ length: Math.min(100, n - i) }, (_, k) => put(`w${String(i + k).padStart(5, '0')}`, i + k)),
      );
    }
    const all = await store.load('workload');
    expect(all).toHaveLength(n);
    expect(all.map((r) => r.value)).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('feeds a watch of one kind; a watch from history that compaction removed relists, then follows', async () => {
    const prefix = uniquePrefix('watch');
    const a = await open(prefix);
    const leadership = await a.election.campaign('{}');
    const store = a.openStore(leadership);
    await store.commit([put('w1', 1), { kind: 'node', id: 'n1', value: {} }]);

    const follower = await open(prefix);
    const first = watchInto(follower);
    await waitFor('the first list', () => first.resets.length === 1);
    expect([...first.cache]).toEqual([['w1', 1]]);
    const listedAt = first.resets[0]!;
    await store.commit([put('w2', 2), { kind: 'node', id: 'n2', value: {} }]);
    await store.commit([put('w1', null)]);
    await waitFor('the watched changes', () => first.cache.size === 1 && first.cache.get('w2') === 2);
    expect(first.changes).toEqual(['w2', 'w1']); // the node kind is not this watch's
    const revs = first.revisions.map(BigInt);
    expect(revs[0]! > BigInt(listedAt) && revs[1]! > revs[0]!).toBe(true);

    // The leader compacts everything up to now: history after `listedAt` is gone.
    const stopCompaction = a.startCompaction(leadership, { everyMs: 50, keepRevisions: 0 });
    await waitFor('compaction past the listed revision', async () => {
      const err = await connOf(a)
        .kv.range({ key: Buffer.from(prefix), revision: listedAt })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      return /compacted/.test(String(err));
    });
    stopCompaction();

    // A watch resuming from `listedAt` cannot replay: it relists, then follows new commits.
    const late = watchInto(follower, listedAt);
    await waitFor('the relist after compaction', () => late.resets.length === 1);
    expect([...late.cache]).toEqual([['w2', 2]]);
    expect(late.changes).toEqual([]);
    await store.commit([put('w3', 3)]);
    await waitFor('w3 in both caches', () => late.cache.get('w3') === 3 && first.cache.get('w3') === 3);
    first.cancel();
    late.cancel();
  });

  it('talks to etcd over TLS with a client certificate; a bad pair is named as the option it came from', async () => {
    const pki = await ensureTestPki();
    const tls = { caFile: pki.ca, certFile: pki.scheduler.cert, keyFile: pki.scheduler.key };
    const secure = await startEtcd({ tls });
    try {
      expect(secure.endpoints[0]).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const c = await openEtcdCluster({ endpoints: secure.endpoints, tls });
      clusters.push(c);
      const store = c.openStore(await c.election.campaign('{}'));
      await store.commit([put('over-tls', 1)]);
      expect(await store.load('workload')).toEqual([{ id: 'over-tls', value: 1 }]);
      // A pair that is not one is named as the option it came from.
      const notAPair = { caFile: pki.ca, certFile: pki.ca, keyFile: pki.ca };
      await expect(openEtcdCluster({ endpoints: secure.endpoints, tls: notAPair })).rejects.toThrow(
        /^EtcdOptions.tls \(.*\): cannot make an etcd client/,
      );
      await expect(
        openEtcdCluster({ endpoints: secure.endpoints, tls: { ...tls, keyFile: '/nonexistent/key.pem' } }),
      ).rejects.toThrow(/^EtcdOptions.tls.keyFile: cannot read \/nonexistent\/key.pem/);
    } finally {
      await Promise.allSettled(clusters.splice(0).map((x) => x.close()));
      await secure.close();
    }
  });

  it('rejects commits once the leadership was resigned, without writing', async () => {
    const prefix = uniquePrefix('resigned');
    const a = await open(prefix);
    const leadership = await a.election.campaign('{}');
    const store = a.openStore(leadership);
    await leadership.resign();
    await expect(store.commit([put('late', 1)])).rejects.toThrow(/no longer the leader.*resigned/);
    const b = await open(prefix);
    expect(await b.openStore(await b.election.campaign('{}')).load('workload')).toEqual([]);
  });
});

/** The raw etcd connection under a cluster, to act as an outsider would (tests only). */
function connOf(cluster: EtcdCluster): EtcdConnection {
  return (cluster as unknown as { conn: EtcdConnection }).conn;
}

/** Deletes the leader key behind the leader's back (etcd's own delete, not a resign). */
async function deleteLeaderKey(cluster: EtcdCluster, prefix: string): Promise<void> {
  await connOf(cluster).kv.deleteRange({ key: Buffer.from(`${prefix}leader`) });
}

/** A follower's cache of the workload kind, fed by watchKind. */
function watchInto(cluster: EtcdCluster, fromRevision?: string) {
  const cache = new Map<string, unknown>();
  const resets: string[] = [];
  const changes: string[] = [];
  const revisions: string[] = [];
  const cancel = cluster.watchKind(
    'workload',
    {
      onReset: (records, revision) => {
        resets.push(revision);
        cache.clear();
        for (const r of records) cache.set(r.id, r.value);
      },
      onChange: (op, revision) => {
        revisions.push(revision);
        changes.push(op.id);
        if (op.value === null) cache.delete(op.id);
        else cache.set(op.id, op.value);
      },
    },
    { fromRevision },
  );
  return { cache, resets, changes, revisions, cancel };
}
