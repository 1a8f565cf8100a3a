// Turns workload references (ids, id prefixes, names: see match.ts) into workloads, through the
// scheduler's ListWorkloads filters (name, id_prefix), so no command pages through every workload.
// Every command that takes a workload id goes through here; `--agent` mode does not (exact ids).
import type { ListWorkloadsRequest, ListWorkloadsResponse__Output, ScheduledWorkload__Output } from '@mo/api';
import { AmbiguousWorkloadError, WorkloadNotFoundError, type RefCandidate } from '../errors.js';
import { CANDIDATES, LIVE_STATES, decide, notFoundMessage, planLookup, type Matches } from './match.js';

/** What resolving needs of a scheduler client (the full one and the wire one both have it). */
export interface WorkloadLookup {
  getWorkload(id: string): Promise<ScheduledWorkload__Output>;
  listWorkloads(req: ListWorkloadsRequest): Promise<ListWorkloadsResponse__Output>;
}

/** How many references are looked up at once (`mo stop a b c …`, `mo wait …`). */
const CONCURRENT_LOOKUPS = 8;

/**
 * The workload `ref` names. An exact id is fetched as it always was (GetScheduledWorkload);
 * otherwise the name and prefix lookups run at once, and the workload found is then fetched whole
 * (with its events) when `whole` is set.
 */
export async function resolveWorkload(
  client: WorkloadLookup,
  ref: string,
  { flag = 'id', whole = false }: { flag?: string; whole?: boolean } = {},
): Promise<ScheduledWorkload__Output> {
  const plan = planLookup(ref, flag);
  if (plan.kind === 'exact') return client.getWorkload(plan.id);
  const w = await search(client, ref, plan);
  return whole ? client.getWorkload(w.id) : w;
}

/**
 * Just the id `ref` names: an exact id is returned without a call (the command's own call then
 * reports a missing one, as before).
 */
export async function resolveWorkloadId(client: WorkloadLookup, ref: string, flag = 'id'): Promise<string> {
  const plan = planLookup(ref, flag);
  if (plan.kind === 'exact') return plan.id;
  return (await search(client, ref, plan)).id;
}

/**
 * Several references, in the order given, each workload once (two references to the same one
 * count once). Resolves every one before anything is done with them: one bad reference fails all.
 */
export async function resolveMany(
  client: WorkloadLookup,
  refs: readonly string[],
): Promise<ScheduledWorkload__Output[]> {
  const found = await mapBounded(refs, CONCURRENT_LOOKUPS, (ref) => resolveWorkload(client, ref));
  const seen = new Set<string>();
  return found.filter((w) => !seen.has(w.id) && seen.add(w.id));
}

async function search(
  client: WorkloadLookup,
  ref: string,
  plan: { name?: string; idPrefix?: string },
): Promise<ScheduledWorkload__Output> {
  const ask = (req: ListWorkloadsRequest): Promise<Matches<ScheduledWorkload__Output>> =>
    client
      .listWorkloads({ ...req, pageSize: CANDIDATES, omitEvents: true })
      .then((res) => ({ items: res.workloads, total: res.total }));
  const [byName, byPrefix] = await Promise.all([
    plan.name === undefined ? undefined : ask({ name: plan.name, states: [...LIVE_STATES] }),
    plan.idPrefix === undefined ? undefined : ask({ idPrefix: plan.idPrefix }),
  ]);
  const r = decide(byName, byPrefix);
  if (r.kind === 'one') return r.workload;
  if (r.kind === 'none') throw new WorkloadNotFoundError(ref, notFoundMessage(ref, { kind: 'search', ...plan }));
  const candidates = r.candidates.map(candidateOf);
  const what =
    r.by === 'name'
      ? `${candidates.length + r.more} live workloads are named ${plan.name}`
      : `${candidates.length + r.more} workload ids start with it`;
  const lines = candidates.map((c) => `  ${c.id}  ${c.name || '-'}  ${c.state}  ${c.node || '-'}`);
  if (r.more > 0) lines.push(`  … and ${r.more} more`);
  throw new AmbiguousWorkloadError(
    ref,
    `${JSON.stringify(ref)} is ambiguous: ${what}; give an id:\n${lines.join('\n')}`,
    candidates,
  );
}

function candidateOf(w: ScheduledWorkload__Output): RefCandidate {
  return {
    id: w.id,
    name: w.spec?.name ?? '',
    state: w.state.replace(/^WORKLOAD_STATE_/, '').toLowerCase(),
    node: w.nodeName,
  };
}

/** `fn` over `items` with at most `limit` in flight; results in the items' order; first error wins. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
