// The etcd store on a real 3-member etcd: losing one member changes nothing; losing quorum makes
// a commit reject UNAVAILABLE within its deadline (not hang) with nothing of it half-written, and
// the leader give up its leadership; with quorum back, a leader is elected again and commits land.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { etcdFound, requireTool, startEtcd, waitFor, type EtcdServer } from '@mo/testkit';
import { openEtcdCluster, type EtcdCluster } from './cluster.js';
import { EtcdUnavailableError } from './errors.js';
import type { StoreOp } from '../store.js';

const haveEtcd = requireTool(etcdFound(), 'etcd (Debian etcd-server, /usr/bin/etcd)');
let etcd: EtcdServer | undefined;
let cluster: EtcdCluster | undefined;
beforeAll(async () => {
  if (haveEtcd) etcd = await startEtcd({ members: 3 });
});
afterAll(async () => {
  await cluster?.close();
  await etcd?.close();
});

const REQUEST_TIMEOUT_MS = 5000;
const put = (id: string): StoreOp => ({ kind: 'workload', id, value: { id } });

(haveEtcd ? describe : describe.skip)('etcd store without quorum', () => {
  it('rides out one member down; without quorum rejects UNAVAILABLE in bounded time, whole or nothing; recovers', async () => {
    const [m1, m2, m3] = etcd!.members as [
      EtcdServer['members'][0],
      EtcdServer['members'][0],
      EtcdServer['members'][0],
    ];
    cluster = await openEtcdCluster({ endpoints: etcd!.endpoints, requestTimeoutMs: REQUEST_TIMEOUT_MS });
    const leadership = await cluster.election.campaign('"a"');
    const store = cluster.openStore(leadership);
    await store.commit([put('w0')]);

    // One member down: quorum holds, commits land (calls to the dead member go to another).
    await m3.kill('SIGKILL');
    for (let i = 1; i <= 10; i++) await store.commit([put(`w${i}`)]);

    // Two down: no quorum. The commit fails UNAVAILABLE by its deadline instead of hanging.
    await m2.kill('SIGKILL');
    const started = Date.now();
    const err = await store.commit([put('nq-a'), put('nq-b'), put('nq-c')]).catch((e: unknown) => e);
    const took = Date.now() - started;
    console.log(`etcd without quorum: commit rejected after ${took} ms (deadline ${REQUEST_TIMEOUT_MS} ms)`);
    expect(err).toBeInstanceOf(EtcdUnavailableError);
    expect((err as EtcdUnavailableError).code).toBe(14);
    expect((err as Error).message).toMatch(/etcd has no quorum or is unreachable/);
    expect(took).toBeLessThan(REQUEST_TIMEOUT_MS + 3000); // bounded: the deadline, not forever
    // The leader cannot renew its lease either: it stops leading on its own clock.
    await expect(leadership.lost).resolves.toMatch(/not renewed/);

    // Quorum back: a leader is elected again (after the old lease expires) and commits land.
    await Promise.all([m2.restart(), m3.restart()]);
    await waitFor('a healthy etcd', async () => {
      return (JSON.parse(await m1.get('/health')) as { health?: string }).health === 'true' || undefined;
    });
    const again = await cluster.election.campaign('"a"');
    const store2 = cluster.openStore(again);
    await store2.commit([put('after')]);
    const ids = (await store2.load('workload')).map((r) => r.id);
    expect(ids).toContain('after');
    expect(ids.filter((id) => /^w\d+$/.test(id))).toHaveLength(11);
    // Nothing half-written: the refused commit landed whole or not at all.
    expect([0, 3]).toContain(ids.filter((id) => id.startsWith('nq-')).length);
  });
});
