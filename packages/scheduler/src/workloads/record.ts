// The scheduler's record of one workload, across all of its allocations. Persisted as JSON in
// the store (kind 'workload'); the proto ScheduledWorkload is derived from it (server/convert.ts).
import type { NormalizedWorkloadSpec, WorkloadStateName } from '@mo/api';
import type { Strategy } from '../placement/types.js';

// The spec and state names are @mo/api's, shared with the agents.
export { TERMINAL_STATES, type WorkloadStateName } from '@mo/api';
/** States in which the workload holds a reservation on its node (an allocation that may run). */
export const PLACED_STATES: ReadonlySet<WorkloadStateName> = new Set(['starting', 'running', 'unknown']);

export type PriorityName = 'low' | 'normal' | 'high';
export const PRIORITY_RANK: Record<PriorityName, number> = { high: 0, normal: 1, low: 2 };
/** The wire (mo.v1.Priority) name of each priority. */
export const PRIORITY_ENUM = { low: 'PRIORITY_LOW', normal: 'PRIORITY_NORMAL', high: 'PRIORITY_HIGH' } as const;

export type RestartModeName = 'never' | 'on-failure' | 'always';

export interface RestartPolicyRecord {
  mode: RestartModeName;
  /** Restarts in a row at most; 0 = unlimited. */
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** A run this long starts the row (and the backoff) over; absent in older records (default). */
  stableAfterMs?: number;
}

export interface PortMappingRecord {
  /** A named port's name (a job's `ports`); absent for a docker published port. */
  name?: string;
  containerPort: number;
  hostPort: number;
  hostIp: string;
}

export interface SchedulingRecord {
  constraints: Record<string, string>;
  /** Pinned node name, '' = any. */
  node: string;
  priority: PriorityName;
  restart: RestartPolicyRecord;
  /** undefined = the cluster default. */
  strategy?: Strategy;
  batch: boolean;
}

export interface GivenUpRecord {
  allocationId: string;
  nodeId: string;
  nodeName: string;
  atMs: number;
}

/** An earlier allocation that ran (a restart replaced it), so its logs can still be asked for. */
export interface PastAllocationRecord {
  allocationId: string;
  nodeId: string;
  nodeName: string;
  attempt: number;
  state: WorkloadStateName;
  endedAtMs: number;
}

/** A job's instance (jobs/): which job, which of its versions, which index and attempt there. */
export interface JobRef {
  name: string;
  version: number;
  index: number;
  attempt: number;
}

/** How its checks stand, as its agent reports them (WorkloadStatus.health); absent: no checks. */
export type HealthName = 'starting' | 'healthy' | 'unhealthy';

export interface CheckStatusRecord {
  name: string;
  health: HealthName | 'none';
  detail: string;
  successes: number;
  failures: number;
  checkedAtMs: number;
  changedAtMs: number;
}

/** Past allocations kept per workload (oldest dropped first): their nodes keep logs only a while. */
export const MAX_PAST_ALLOCATIONS = 10;

/**
 * `list` with `past` appended, at most MAX_PAST_ALLOCATIONS (oldest dropped). Pure, so the cap is
 * tested apart from the manager.
 */
export function withPastAllocation(
  list: readonly PastAllocationRecord[] | undefined,
  past: PastAllocationRecord,
): PastAllocationRecord[] {
  return [...(list ?? []), past].slice(-MAX_PAST_ALLOCATIONS);
}

export interface ExitRecord {
  exited: boolean;
  exitCode: number;
  signal: string;
  finishedAtMs: number;
}

export interface EventRecord {
  state: WorkloadStateName;
  reason: string;
  atMs: number;
}

export interface WorkloadRecord {
  id: string;
  /** The validated spec, as it is sent to agents (minus the allocation id). */
  spec: NormalizedWorkloadSpec;
  scheduling: SchedulingRecord;
  idempotencyKey: string;
  state: WorkloadStateName;
  reason: string;
  /** Current allocation ('' while pending): the id the agent runs it under. */
  allocationId: string;
  nodeId: string;
  nodeName: string;
  /** Runs so far. */
  attempt: number;
  /**
   * Restarts in the current row (reset by a stable run). Records from before it existed have only
   * restartsLeft; load() converts them.
   */
  restarts: number;
  pid: number;
  /** When the current allocation was first reported running (0 while it has not run). */
  runningSinceMs?: number;
  /** While `unknown`: since when its node is unheard from, and when it is given up. */
  unknownSinceMs?: number;
  lostAtMs?: number;
  /**
   * The allocation declared lost by lost_after, until its node reports on it: a late report then
   * decides which copy is kept (see disconnect.ts). Cleared once settled.
   */
  givenUp?: GivenUpRecord;
  /** Earlier allocations that ran, oldest first (absent on records written before it existed). */
  pastAllocations?: PastAllocationRecord[];
  /** Host ports of the current allocation, as its agent reported them when it ran. */
  ports?: PortMappingRecord[];
  exit?: ExitRecord;
  /** What the current allocation wrote to $MO_OUTPUT, as its agent reported when it ended. */
  outputs?: Record<string, string>;
  /** Who the current allocation runs (or ran) as, as its agent reported ("nobody (65534:65534)"). */
  runAs?: string;
  createdAtMs: number;
  updatedAtMs: number;
  /** A pending restart is not placed before this time. */
  notBeforeMs: number;
  /** Set by a stop request: whatever happens next, the workload is not restarted. */
  stopRequested: boolean;
  events: EventRecord[];
  /** The array it was submitted in (SubmitWorkloadRequest.count) and its index there (arrays.ts). */
  groupId?: string;
  groupIndex?: number;
  /** The job it is an instance of (absent: not a job's). */
  job?: JobRef;
  /** Its checks taken together, as the agent last reported them while it ran (absent: no checks). */
  health?: HealthName;
  checks?: CheckStatusRecord[];
  /** When the scheduler saw `health` change (its clock: min_healthy_time counts from here). */
  healthChangedAtMs?: number;
}

/** Events kept per workload (oldest dropped first). */
export const MAX_EVENTS = 50;

/** Labels the scheduler puts on every allocation it starts, so agents' inventories can be traced. */
export const LABEL_WORKLOAD_ID = 'mo.workload';

/** A new workload's record: pending, not yet tried. */
export function newRecord(
  id: string,
  valid: Pick<WorkloadRecord, 'spec' | 'scheduling' | 'idempotencyKey'>,
  nowMs: number,
): WorkloadRecord {
  return {
    id,
    spec: valid.spec,
    scheduling: valid.scheduling,
    idempotencyKey: valid.idempotencyKey,
    state: 'pending',
    reason: 'waiting for placement',
    allocationId: '',
    nodeId: '',
    nodeName: '',
    attempt: 0,
    restarts: 0,
    pid: 0,
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
    notBeforeMs: 0,
    stopRequested: false,
    events: [{ state: 'pending', reason: 'submitted', atMs: nowMs }],
  };
}
