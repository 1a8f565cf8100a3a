// Workload arrays through a real scheduler over gRPC: 2,000 members in one SubmitWorkload, run to
// their end on two real agents and listed by group page by page; an acknowledged array survives a
// SIGKILL of the scheduler whole, its idempotency key too; bad counts and group ids are refused
// by name.
import { afterAll, describe, expect, it } from '@jest/globals';
import { MoError, type SchedulerClient } from '@mo/api';
import { startCluster, startSchedulerProcess, waitFor, type Cluster, type SchedulerProcess } from '@mo/testkit';

let cluster: Cluster | undefined;
let scheduler: SchedulerProcess | undefined;
afterAll(async () => {
  await cluster?.stop();
  await scheduler?.kill('SIGKILL');
});

async function refusal(call: Promise<unknown>): Promise<MoError> {
  return (await call.then(
    () => new Error('accepted'),
    (err: unknown) => err,
  )) as MoError;
}

async function groupTotal(client: SchedulerClient, groupId: string, state?: 'WORKLOAD_STATE_SUCCEEDED') {
  const res = await client.listWorkloads({ groupId, pageSize: 1, omitEvents: true, ...(state && { states: [state] }) });
  return res.total;
}

describe('arrays on a real cluster', () => {
  it('runs 2,000 members of one submit to their end, listed by group in index order', async () => {
    cluster = await startCluster({ agents: 2 });
    const client = cluster.scheduler.client;
    const res = await client.submitWorkload({ spec: { argv: ['true'], name: 'many' }, count: 2000 });
    expect(res.workloadIds).toHaveLength(2000);
    expect(new Set(res.workloadIds).size).toBe(2000);
    expect([res.workload?.id, res.workload?.groupIndex, res.workload?.events]).toEqual([res.workloadIds[0], 0, []]);

    const failed = await waitFor(
      'all 2,000 to end',
      async () => {
        const ended = await client.listWorkloads({
          groupId: res.groupId,
          states: ['WORKLOAD_STATE_SUCCEEDED', 'WORKLOAD_STATE_FAILED', 'WORKLOAD_STATE_LOST'],
          pageSize: 1,
        });
        if (ended.total < 2000) return undefined;
        return groupTotal(client, res.groupId, 'WORKLOAD_STATE_SUCCEEDED').then((ok) => 2000 - ok);
      },
      { timeoutMs: 240_000, intervalMs: 500 },
    );
    expect(failed).toBe(0);

    const listed = await client.listAllWorkloads({ groupId: res.groupId, omitEvents: true });
    expect(listed.total).toBe(2000);
    expect(listed.workloads.map((w) => w.groupIndex)).toEqual(Array.from({ length: 2000 }, (_, i) => 1999 - i));
    const w = listed.workloads[0]!;
    expect([w.spec?.name, w.spec?.env]).toEqual([
      'many-1999',
      { MO_INDEX: '1999', MO_COUNT: '2000', MO_GROUP: res.groupId },
    ]);
    // Both nodes took a share (placement saw each member).
    expect(new Set(listed.workloads.map((x) => x.nodeName)).size).toBe(2);
  }, 300_000);

  it('keeps an acknowledged array whole across a SIGKILL, and its key answers with the group', async () => {
    scheduler = await startSchedulerProcess(); // no agents: everything stays pending
    const req = { spec: { argv: ['sleep', '600'] }, count: 1500, idempotencyKey: `arr-${process.pid}` };
    const first = await scheduler.client.submitWorkload(req);
    await scheduler.kill('SIGKILL');
    scheduler = await startSchedulerProcess({ dataDir: scheduler.dataDir });
    expect(await groupTotal(scheduler.client, first.groupId)).toBe(1500);
    const again = await scheduler.client.submitWorkload(req);
    expect([again.existing, again.groupId, again.workloadIds]).toEqual([true, first.groupId, first.workloadIds]);
    expect((await scheduler.client.getClusterStatus()).queueDepth).toBe(1500);
  });

  it.each([
    [{ spec: { argv: ['true'] }, count: 10_001 }, 'count: must be between 1 and 10000'],
    [{ spec: { argv: ['true'] }, count: -1 }, 'count: must be between 1 and 10000'],
    [{ spec: { argv: ['true'], env: { MO_COUNT: '1' } }, count: 2 }, 'spec.env["MO_COUNT"]'],
  ])('refuses the submit %j naming the field', async (req, message) => {
    const client = (scheduler ?? cluster!.scheduler).client;
    const err = await refusal(client.submitWorkload(req));
    expect([err.code, err.message]).toEqual([3, expect.stringContaining(message)]);
  });

  it('refuses a malformed group_id and lists nothing for an unknown one', async () => {
    const client = (scheduler ?? cluster!.scheduler).client;
    const err = await refusal(client.listWorkloads({ groupId: 'not an id' }));
    expect([err.code, err.message]).toEqual([3, expect.stringContaining('group_id')]);
    expect(await client.listWorkloads({ groupId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' })).toMatchObject({
      workloads: [],
      total: 0,
    });
  });
});
