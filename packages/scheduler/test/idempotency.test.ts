// Idempotency keys outlive their workloads' records: with --max-ended 1 a stopped workload's record
// is retired at once, yet a retried submit inside the window still creates nothing (ALREADY_EXISTS
// naming the original), across a scheduler restart too; past the window the key is free again.
import { afterAll, expect, it } from '@jest/globals';
import { MoError, type SchedulerClient } from '@mo/api';
import { startSchedulerProcess, waitFor, type SchedulerProcess } from '@mo/testkit';

let scheduler: SchedulerProcess | undefined;
afterAll(async () => {
  await scheduler?.kill('SIGKILL');
});

const WINDOW_MS = 8000;
const spec = { argv: ['sleep', '600'] }; // stays pending: there is no agent

async function submitAndStop(client: SchedulerClient, idempotencyKey = ''): Promise<string> {
  const { workload } = await client.submitWorkload({ spec, idempotencyKey });
  await client.stopWorkload(workload!.id, 0);
  return workload!.id;
}

async function refusal(client: SchedulerClient, idempotencyKey: string): Promise<MoError> {
  return (await client.submitWorkload({ spec, idempotencyKey }).then(
    (res) => new Error(`created ${res.workload!.id} (existing: ${res.existing})`),
    (err: unknown) => err,
  )) as MoError;
}

it('keeps a key for its window after its workload record is retired, across a restart', async () => {
  const args = ['--max-ended', '1', '--idempotency-window', `${WINDOW_MS}ms`];
  scheduler = await startSchedulerProcess({ extraArgs: args });
  const key = `retry-${process.pid}`;
  const t0 = Date.now();
  const first = await submitAndStop(scheduler.client, key);
  // While the record is kept, the retry gets it back.
  const again = await scheduler.client.submitWorkload({ spec, idempotencyKey: key });
  expect([again.existing, again.workload!.id]).toEqual([true, first]);

  await submitAndStop(scheduler.client); // ends after `first`: with --max-ended 1, first is retired
  await expect(scheduler.client.getWorkload(first)).rejects.toThrow(/no workload/);
  let err = await refusal(scheduler.client, key);
  expect(err.code).toBe(6); // ALREADY_EXISTS
  expect(err.message).toContain(`already created workload ${first}`);

  await scheduler.kill('SIGTERM');
  scheduler = await startSchedulerProcess({ dataDir: scheduler.dataDir, extraArgs: args });
  err = await refusal(scheduler.client, key);
  expect(Date.now() - t0).toBeLessThan(WINDOW_MS); // still inside the window, or the test says nothing
  expect(err.message).toContain(`already created workload ${first}`);

  // Past the window (and a sweep) the key is free: a new workload.
  const client = scheduler.client;
  const fresh = await waitFor(
    'the key to expire',
    async () => {
      if (Date.now() - t0 < WINDOW_MS) return undefined;
      const res = await client.submitWorkload({ spec, idempotencyKey: key });
      return res.existing ? undefined : res.workload!.id;
    },
    { timeoutMs: 30_000 },
  );
  expect(fresh).not.toBe(first);
  await client.stopWorkload(fresh, 0);
});
