// ListWorkloads' name, id_prefix and labels filters on a real scheduler (no agents: every workload
// waits, pending): each alone and together, across pages with the right total, and each bad value
// refused with INVALID_ARGUMENT naming its field.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MoError, type ListWorkloadsRequest } from '@mo/api';
import { startSchedulerProcess, type SchedulerProcess } from '@mo/testkit';

let scheduler: SchedulerProcess;
/** Submitted workloads' ids by name, oldest first. */
const ids: Record<string, string[]> = { api: [], db: [] };

beforeAll(async () => {
  scheduler = await startSchedulerProcess();
  for (const [name, labels] of [
    ['api', { team: 'web', tier: 'front' }],
    ['api', { team: 'web', tier: 'back' }],
    ['db', { team: 'data', tier: 'back' }],
    ['api', { team: 'web', tier: 'front' }],
    ['db', { team: 'data' }],
  ] as const) {
    const { workload } = await scheduler.client.submitWorkload({ spec: { name, argv: ['true'], labels } });
    ids[name]!.push(workload!.id);
  }
}, 60_000);

afterAll(async () => {
  await scheduler?.kill('SIGTERM');
});

/** Ids of every page (2 a page, so the filters are walked across pages), and the total. */
async function list(req: ListWorkloadsRequest): Promise<{ ids: string[]; total: number }> {
  const out: string[] = [];
  let total = -1;
  let pageToken = '';
  do {
    const res = await scheduler.client.listWorkloads({ ...req, pageSize: 2, pageToken, omitEvents: true });
    out.push(...res.workloads.map((w) => w.id));
    total = res.total;
    pageToken = res.nextPageToken;
  } while (pageToken);
  return { ids: out, total };
}

const newestFirst = (xs: readonly string[]) => [...xs].reverse();

describe('ListWorkloads filters', () => {
  it('filters by name', async () => {
    expect(await list({ name: 'api' })).toEqual({ ids: newestFirst(ids.api!), total: 3 });
    expect(await list({ name: 'ap' })).toEqual({ ids: [], total: 0 });
  });

  it('filters by an id prefix, whatever its case', async () => {
    const id = ids.db![0]!;
    expect(await list({ idPrefix: id.toLowerCase() })).toEqual({ ids: [id], total: 1 });
    // Made within a second, the five share their timestamp's first characters.
    const all = newestFirst([...ids.api!, ...ids.db!].sort());
    expect(await list({ idPrefix: id.slice(0, 6).toLowerCase() })).toEqual({ ids: all, total: 5 });
    expect(await list({ idPrefix: `${id.slice(0, 6)}ZZZZ` })).toEqual({ ids: [], total: 0 });
  });

  it('filters by labels, all of which must match', async () => {
    expect((await list({ labels: { team: 'web' } })).total).toBe(3);
    expect(await list({ labels: { team: 'web', tier: 'front' } })).toEqual({
      ids: newestFirst([ids.api![0]!, ids.api![2]!]),
      total: 2,
    });
    expect(await list({ labels: { tier: 'back' } })).toEqual({
      ids: newestFirst([ids.api![1]!, ids.db![0]!]),
      total: 2,
    });
  });

  it('combines the filters with states', async () => {
    expect(await list({ name: 'db', labels: { tier: 'back' }, states: ['WORKLOAD_STATE_PENDING'] })).toEqual({
      ids: [ids.db![0]],
      total: 1,
    });
    expect(await list({ name: 'db', states: ['WORKLOAD_STATE_RUNNING'] })).toEqual({ ids: [], total: 0 });
  });

  it.each<[string, ListWorkloadsRequest, RegExp]>([
    ['a name that is no name', { name: 'Web Server' }, /^name: must match/],
    ['an id prefix with a space', { idPrefix: '01J A' }, /^id_prefix: must match/],
    ['an id prefix past 64 characters', { idPrefix: 'A'.repeat(65) }, /^id_prefix: must match/],
    ['a bad label key', { labels: { 'bad key': 'x' } }, /^labels\["bad key"\]: key must match/],
    [
      'a label value past 256 bytes',
      { labels: { k: 'v'.repeat(257) } },
      /^labels\["k"\]: value is longer than 256 bytes/,
    ],
    [
      'more than 64 labels',
      { labels: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) },
      /^labels: has 65 labels, at most 64/,
    ],
  ])('refuses %s with INVALID_ARGUMENT naming the field', async (_what, req, message) => {
    const err = await scheduler.client.listWorkloads(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MoError);
    expect((err as MoError).code).toBe(3); // INVALID_ARGUMENT
    expect((err as MoError).message).toMatch(message);
  });
});
