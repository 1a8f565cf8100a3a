// The operator's waits survive a failover (issue 18): `mo start --wait=exit`, `mo wait ID` and
// `mo wait GROUP`, given every scheduler, keep waiting through a leader SIGKILL and report the
// workload's real end: the watch is reopened on the new leader, which numbers its events anew, so
// the waits relist instead of resuming from a sequence number that means nothing there.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { requireTool, runMo, startHaCluster, waitFor, type HaCluster } from '@mo/testkit';
import { existsSync } from 'node:fs';

const haveEtcd = requireTool(existsSync('/usr/bin/etcd'), 'etcd (Debian etcd-server)');
let ha: HaCluster;

beforeAll(async () => {
  if (!haveEtcd) return;
  ha = await startHaCluster({ schedulers: 2, agents: 1, leaseTtl: '2s' });
  await ha.waitForNodesUp(1);
}, 120_000);

afterAll(async () => {
  await ha?.stop();
});

describe('waits through a failover', () => {
  it('mo start --wait=exit, mo wait ID and mo wait GROUP report the real ends', async () => {
    if (!haveEtcd) return;
    const mo = (args: string[]) => runMo(['--scheduler', ha.addresses, ...args], { timeoutMs: 60_000 });
    const started = await mo(['--json', 'start', '--name', 'waited', '--', 'sleep', '6']);
    expect(started.code).toBe(0);
    const id = (JSON.parse(started.stdout) as { workload: { id: string } }).workload.id;
    const group = await mo(['--json', 'start', '--count', '3', '--name', 'arr', '--', 'sleep', '6']);
    expect(group.code).toBe(0);
    const groupId = (JSON.parse(group.stdout) as { groupId: string }).groupId;

    const startWait = mo(['start', '--wait=exit', '--name', 'start-waited', '--', 'sh', '-c', 'sleep 6; exit 0']);
    const waitId = mo(['wait', id]);
    const waitGroup = mo(['wait', groupId]);
    await waitFor('the waited workloads running', async () => {
      const { workloads } = await ha.client.listWorkloads({ states: ['WORKLOAD_STATE_RUNNING'] });
      return workloads.length === 5;
    });
    const first = await ha.leader();
    await ha.killScheduler(first, 'SIGKILL');

    for (const [what, run] of [
      ['mo start --wait=exit', startWait],
      ['mo wait ID', waitId],
      ['mo wait GROUP', waitGroup],
    ] as const) {
      const r = await run;
      // On failure, the command's stderr says why.
      expect({ what, code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ what, code: 0, stderr: '' });
      expect(r.stdout).toMatch(/succeeded/);
    }
    expect(await ha.leader()).not.toBe(first);
  }, 120_000);
});
