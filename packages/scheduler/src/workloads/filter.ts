// Which workloads a list call asks for (ListWorkloadsRequest's filters), as one pure predicate,
// and the id range an id-prefix filter can start its walk at.
import type { WorkloadRecord, WorkloadStateName } from './record.js';

export interface WorkloadFilter {
  states?: ReadonlySet<WorkloadStateName>;
  nodeId?: string;
  /** spec.name, exactly. */
  name?: string;
  /** Upper-cased: ids are ULIDs (Crockford base32, upper case), the prefix is matched without case. */
  idPrefix?: string;
  /** Every entry must be among spec.labels. */
  labels?: Readonly<Record<string, string>>;
  /** Only the members of this array. */
  groupId?: string;
}

/** True when `r` passes every filter that is set. */
export function matchesFilter(r: WorkloadRecord, f: WorkloadFilter): boolean {
  if (f.states && !f.states.has(r.state)) return false;
  if (f.nodeId && r.nodeId !== f.nodeId) return false;
  if (f.name && r.spec.name !== f.name) return false;
  if (f.groupId && r.groupId !== f.groupId) return false;
  if (f.idPrefix && !r.id.toUpperCase().startsWith(f.idPrefix)) return false;
  if (f.labels) {
    for (const [k, v] of Object.entries(f.labels)) {
      if (!Object.hasOwn(r.spec.labels, k) || r.spec.labels[k] !== v) return false;
    }
  }
  return true;
}

/**
 * Where a newest-first walk may start: below the page cursor, and below every id that has the
 * prefix (`prefix` followed by the highest character sorts after all of them). The walk can stop
 * at the first id under the prefix, since ids with it sort together.
 */
export function walkStart(beforeId: string | undefined, idPrefix: string | undefined): string | undefined {
  if (!idPrefix) return beforeId;
  const end = `${idPrefix}\uffff`;
  return beforeId === undefined || beforeId > end ? end : beforeId;
}

/** Whether a filter counts only from the per-state totals (no per-record check needed). */
export function countsByStateOnly(f: WorkloadFilter): boolean {
  return !f.nodeId && !f.name && !f.idPrefix && !f.labels && !f.groupId;
}
