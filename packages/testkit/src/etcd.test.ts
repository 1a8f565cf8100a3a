// testkit's etcd on the network-namespace bed: three members, each in its own namespace at its own
// address, form one cluster across the bridge (reached from the host namespace); a partitioned
// member drops out while the other two keep quorum; healed, it rejoins; a killed member restarts
// on its data dir; close leaves no member running.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { etcdFound, startEtcd, type EtcdServer } from './etcd.js';
import { createNetnsBed, netnsUnavailable, type NetnsBed } from './netns.js';
import { isAlive, requireTool, waitFor } from './wait.js';

const why = netnsUnavailable();
const available =
  requireTool(etcdFound(), 'etcd (Debian etcd-server, /usr/bin/etcd)') &&
  requireTool(!why, `a network-namespace test bed (${why})`);

(available ? describe : describe.skip)('startEtcd on the network-namespace bed', () => {
  let bed: NetnsBed | undefined;
  let etcd: EtcdServer | undefined;
  beforeAll(async () => {
    bed = await createNetnsBed({ hosts: 3 });
    etcd = await startEtcd({
      members: 3,
      wrap: bed.hosts.map((h) => h.wrap),
      hosts: bed.hosts.map((h) => h.address),
    });
  });
  afterAll(async () => {
    await etcd?.close();
    await bed?.close();
  });

  const healthy = async (i: number) => {
    const body = JSON.parse(await etcd!.members[i]!.get('/health')) as { health?: string };
    return body.health === 'true';
  };

  it('forms one cluster across the namespaces, each member at its own address', async () => {
    expect(etcd!.endpoints).toEqual(
      bed!.hosts.map((h) => expect.stringMatching(new RegExp(`^http://${h.address}:\\d+$`))),
    );
    for (let i = 0; i < 3; i++) expect(await healthy(i)).toBe(true);
  });

  it('keeps quorum with one member partitioned, and takes it back when healed', async () => {
    const h3 = bed!.hosts[2]!;
    const fromInside = `fetch(process.argv[1] + '/health').then((r) => r.text()).then((t) => console.log(t), (e) => console.log(String(e)))`;
    await h3.partition();
    try {
      // Seen from its own namespace, the cut-off member loses its leader; the other two keep theirs.
      await waitFor(
        'm3 unhealthy inside its partition',
        async () =>
          /"health":"false"/.test(await h3.exec([process.execPath, '-e', fromInside, etcd!.members[2]!.clientUrl])),
        { timeoutMs: 20_000, intervalMs: 250 },
      );
      // The other two keep quorum (after an election, if the cut-off one led them).
      await waitFor('m1 and m2 healthy', async () => (await healthy(0)) && (await healthy(1)), {
        timeoutMs: 20_000,
        intervalMs: 250,
      });
    } finally {
      await h3.heal();
    }
    await waitFor('m3 healthy again', () => healthy(2), { timeoutMs: 20_000 });
  });

  it('restarts a killed member on its data dir; close stops every member', async () => {
    const m2 = etcd!.members[1]!;
    const pid = m2.pid!;
    await m2.kill('SIGKILL');
    expect(await isAlive(pid)).toBe(false);
    await m2.restart();
    await waitFor('m2 healthy after restart', () => healthy(1), { timeoutMs: 20_000 });
    const pids = etcd!.members.map((m) => m.pid!);
    await etcd!.close();
    for (const p of pids) expect(await isAlive(p)).toBe(false);
    etcd = undefined;
  });
});
