// Leader election against a real etcd: a second candidate blocks while one leads, a resign hands
// over at once, observers see every change, and leadership is lost (and its writes refused) when
// the lease is revoked from outside, when the leader stops renewing it, and when the etcd member it
// talks to is frozen (SIGSTOP) beyond the TTL.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { etcdFound, requireTool, sleep, startEtcd, waitFor, type EtcdServer } from '@mo/testkit';
import { randomUUID } from 'node:crypto';
import type { EtcdConnection } from './client.js';
import { openEtcdCluster, type EtcdCluster } from './cluster.js';
import { EtcdLeadership, type Leadership } from './election.js';
import { FencedError } from './errors.js';

const haveEtcd = requireTool(etcdFound(), 'etcd (Debian etcd-server, /usr/bin/etcd)');
let etcd: EtcdServer | undefined;
beforeAll(async () => {
  if (haveEtcd) etcd = await startEtcd();
});
afterAll(async () => {
  await etcd?.close();
});

const TTL_MS = 2000;

(haveEtcd ? describe : describe.skip)('etcd election', () => {
  const clusters: EtcdCluster[] = [];
  const servers: EtcdServer[] = [];
  afterEach(async () => {
    await Promise.allSettled(clusters.splice(0).map((c) => c.close()));
    await Promise.allSettled(servers.splice(0).map((s) => s.close()));
  });
  async function open(prefix: string, endpoints = etcd!.endpoints): Promise<EtcdCluster> {
    const c = await openEtcdCluster({ endpoints, prefix, leaseTtlMs: TTL_MS, requestTimeoutMs: 2000 });
    clusters.push(c);
    return c;
  }
  const uniquePrefix = () => `/mo-election/${randomUUID().slice(0, 8)}/`;
  const settledWithin = <T>(p: Promise<T>, ms: number) =>
    Promise.race([p.then((v) => ({ v })), sleep(ms).then(() => undefined)]);

  it('blocks a second candidate while one leads; a resign hands over, and observers see each leader', async () => {
    const prefix = uniquePrefix();
    const [a, b, watcher] = [await open(prefix), await open(prefix), await open(prefix)];
    const seen: (string | undefined)[] = [];
    watcher.election.observe((v) => seen.push(v));
    await waitFor('the observer’s first report', () => seen.length === 1);
    expect(seen).toEqual([undefined]);

    const first = await a.election.campaign('"a"');
    await waitFor('the observer to see a', () => seen.includes('"a"'));
    const second = b.election.campaign('"b"');
    // Still blocked after more than a TTL: a's lease is kept alive.
    expect(await settledWithin(second, TTL_MS * 1.5)).toBeUndefined();

    const resignedAt = Date.now();
    await first.resign();
    await expect(first.lost).resolves.toBe('resigned');
    const b1 = await second;
    const handover = Date.now() - resignedAt;
    console.log(`etcd election: resign → standby elected in ${handover} ms`);
    expect(BigInt(b1.epoch)).toBeGreaterThan(BigInt(first.epoch));
    await waitFor('the observer to see b', () => seen[seen.length - 1] === '"b"');
    expect(seen.filter((v) => v !== undefined)).toEqual(['"a"', '"b"']);
  });

  it('loses leadership when another client revokes its lease, and its store refuses writes', async () => {
    const prefix = uniquePrefix();
    const a = await open(prefix);
    const leadership = await a.election.campaign('"a"');
    const store = a.openStore(leadership);
    await store.commit([{ kind: 'node', id: 'n1', value: {} }]);
    const outsider = await open(prefix);
    await connOf(outsider).lease.leaseRevoke({ ID: (leadership as EtcdLeadership).leaseId });
    await expect(leadership.lost).resolves.toMatch(/deleted|revoked|expired/);
    await expect(store.commit([{ kind: 'node', id: 'n2', value: {} }])).rejects.toBeInstanceOf(FencedError);
    // The key went with the lease: another candidate is elected at once.
    const next = await outsider.election.campaign('"outsider"');
    expect(await outsider.openStore(next).load('node')).toEqual([{ id: 'n1', value: {} }]);
  });

  it('elects a standby once a leader that stopped renewing its lease (closed, not resigned) has expired', async () => {
    const prefix = uniquePrefix();
    const a = await openEtcdCluster({ endpoints: etcd!.endpoints, prefix, leaseTtlMs: TTL_MS });
    const first = await a.election.campaign('"a"');
    const b = await open(prefix);
    const standby = b.election.campaign('"b"');
    const closedAt = Date.now();
    await a.close(); // keepalives stop; the key stays until etcd expires the lease
    await expect(first.lost).resolves.toMatch(/closed/);
    const next = await standby;
    console.log(`etcd election: leader gone → standby elected in ${Date.now() - closedAt} ms (TTL ${TTL_MS} ms)`);
    expect(BigInt(next.epoch)).toBeGreaterThan(BigInt(first.epoch));
  });

  it('loses leadership when its etcd member is frozen beyond the TTL; after the thaw its write is refused', async () => {
    const own = await startEtcd();
    servers.push(own);
    const prefix = uniquePrefix();
    const a = await open(prefix, own.endpoints);
    const leadership = await a.election.campaign('"a"');
    const store = a.openStore(leadership);
    await store.commit([{ kind: 'workload', id: 'w1', value: 1 }]);
    const b = await open(prefix, own.endpoints);
    const standby = b.election.campaign('"b"');

    const member = own.members[0]!;
    await member.kill('SIGSTOP');
    let why: string;
    try {
      // The leader gives up by itself, on its own clock, while etcd cannot even answer.
      why = await waitFor('leadership lost while etcd is frozen', () => lostReason(leadership), {
        timeoutMs: TTL_MS * 3,
      });
    } finally {
      await member.kill('SIGCONT');
    }
    expect(why).toMatch(/not renewed/);
    const next = await standby;
    expect(BigInt(next.epoch)).toBeGreaterThan(BigInt(leadership.epoch));
    await expect(store.commit([{ kind: 'workload', id: 'stale', value: 1 }])).rejects.toBeInstanceOf(FencedError);
    expect((await b.openStore(next).load('workload')).map((r) => r.id)).toEqual(['w1']);
  });

  it('rejects a pending campaign when the cluster is closed', async () => {
    const prefix = uniquePrefix();
    const a = await open(prefix);
    await a.election.campaign('"a"');
    const b = await openEtcdCluster({ endpoints: etcd!.endpoints, prefix, leaseTtlMs: TTL_MS });
    const pending = b.election.campaign('"b"');
    await b.close();
    await expect(pending).rejects.toThrow(/closed/);
  });
});

function connOf(cluster: EtcdCluster): EtcdConnection {
  return (cluster as unknown as { conn: EtcdConnection }).conn;
}

function lostReason(l: Leadership): string | undefined {
  return (l as EtcdLeadership).lostBecause;
}
