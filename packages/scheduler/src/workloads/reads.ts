// The read side of a book of workloads, shared by the leader's manager and a follower's cache
// (ha/read-cache.ts): the same filters, paging order and counts, over the same indexes, so a list
// answered by a follower is the list the leader would answer for the same records.
import { NotFoundError } from '@mo/api';
import type { SortedIds } from '../listing/sorted-ids.js';
import { countsByStateOnly, matchesFilter, walkStart, type WorkloadFilter } from './filter.js';
import type { GroupIndex } from './groups.js';
import type { WorkloadRecord, WorkloadStateName } from './record.js';

/** The indexes the queries walk (WorkloadBook has them; so does a follower's cache). */
export interface WorkloadIndex {
  readonly records: ReadonlyMap<string, WorkloadRecord>;
  readonly order: SortedIds;
  readonly groups: GroupIndex;
  readonly counts: ReadonlyMap<WorkloadStateName, number>;
  /** Node id -> workloads placed there (starting, running, unknown). */
  readonly onNode: ReadonlyMap<string, ReadonlySet<string>>;
}

/** What the read calls (service/scheduler-reads.ts) ask of workloads. */
export interface WorkloadReads {
  get(id: string): WorkloadRecord;
  newestFirst(filter: WorkloadFilter, beforeId?: string): Generator<WorkloadRecord>;
  countMatching(filter: WorkloadFilter): number;
  stateCounts(): ReadonlyMap<WorkloadStateName, number>;
  queueDepth(): number;
  runningOn(nodeId: string): number;
}

export function getWorkload(index: WorkloadIndex, id: string): WorkloadRecord {
  const r = index.records.get(id);
  if (!r) throw new NotFoundError('workload_id', 'workload', id);
  return r;
}

/**
 * Matching workloads newest first (by id: ULIDs sort by creation), strictly after the page cursor
 * `beforeId` when given. Lazy: a page reads only as far as it needs.
 */
export function* newestFirst(
  index: WorkloadIndex,
  filter: WorkloadFilter,
  beforeId?: string,
): Generator<WorkloadRecord> {
  const { records, groups, order } = index;
  if (filter.groupId !== undefined) {
    // An array's members are indexed by group: walk only them.
    for (const id of groups.descending(filter.groupId, beforeId)) {
      const r = records.get(id);
      if (r && matchesFilter(r, filter)) yield r;
    }
    return;
  }
  for (const id of order.descending(walkStart(beforeId, filter.idPrefix))) {
    // Ids sharing a prefix sort together: past the last of them, no more can match.
    if (filter.idPrefix && !id.toUpperCase().startsWith(filter.idPrefix)) {
      if (id < filter.idPrefix) return;
      continue;
    }
    const r = records.get(id);
    if (r && matchesFilter(r, filter)) yield r;
  }
}

/** How many workloads match (from the per-state counts when only states are asked for). */
export function countMatching(index: WorkloadIndex, filter: WorkloadFilter): number {
  if (filter.groupId !== undefined) {
    const { groupId, ...rest } = filter;
    // The group index counts its members; any other filter needs a look at each.
    if (!rest.states && countsByStateOnly(rest)) return index.groups.count(groupId);
    let n = 0;
    for (const _ of newestFirst(index, filter)) n++;
    return n;
  }
  if (countsByStateOnly(filter)) {
    if (!filter.states) return index.records.size;
    let n = 0;
    for (const s of filter.states) n += index.counts.get(s) ?? 0;
    return n;
  }
  if (filter.idPrefix) {
    let n = 0;
    for (const _ of newestFirst(index, filter)) n++;
    return n;
  }
  let n = 0;
  for (const r of index.records.values()) if (matchesFilter(r, filter)) n++;
  return n;
}

/** How many of the workloads placed on a node are running. */
export function runningOn(index: WorkloadIndex, nodeId: string): number {
  let n = 0;
  for (const id of index.onNode.get(nodeId) ?? []) if (index.records.get(id)?.state === 'running') n++;
  return n;
}
