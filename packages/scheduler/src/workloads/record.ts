// The scheduler's record of one workload, across all of its allocations. Persisted as JSON in
// the store (kind 'workload'); the proto ScheduledWorkload is derived from it (server/convert.ts).
import type { ArtifactSettings } from '@mo/api';
import type { Strategy } from '../placement/types.js';

export type WorkloadStateName =
  'pending' | 'starting' | 'running' | 'unknown' | 'succeeded' | 'failed' | 'stopped' | 'lost';
export const TERMINAL_STATES: ReadonlySet<WorkloadStateName> = new Set(['succeeded', 'failed', 'stopped', 'lost']);
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

/** The validated WorkloadSpec, as it is sent to agents (minus the allocation id). */
export interface SpecRecord {
  name: string;
  argv: string[];
  env: Record<string, string>;
  workingDir: string;
  cpuMillis: number;
  memoryBytes: number;
  labels: Record<string, string>;
  gracePeriodMs: number;
  /** Run limit enforced by the agent (0 = none); absent in records from before it existed. */
  timeoutMs?: number;
  /**
   * How long it may be out of sight (its node unheard from) before it is given up; resolved from
   * the cluster default at submit. Absent in records from before it existed (the default applies).
   */
  lostAfterMs?: number;
  /** Most processes of a process workload, enforced by the agent's cgroup; absent = none. */
  pidsLimit?: number;
  driver: string;
  /** The sandbox of a docker workload, as submitted (the agent fills its defaults and checks the host). */
  docker?: DockerSpecRecord;
  /** A pipeline step's artifacts to upload and inputs to fetch (set by the pipeline engine). */
  artifacts?: ArtifactSpecRecord;
  /** Who it runs as on its node (a name or uid[:gid]); absent: that node's default user. */
  user?: string;
}

/** A step's artifacts, validated by @mo/api's validateArtifactSpec (the agent's shape too). */
export type ArtifactSpecRecord = ArtifactSettings;

export interface DockerSpecRecord {
  image: string;
  network: string;
  writableRoot: boolean;
  ports: number[];
  mounts: Array<{ source: string; target: string; readOnly: boolean }>;
  pidsLimit: number;
  /** Absent on records written before these relaxations existed. */
  capAdd?: string[];
  allowNewPrivileges?: boolean;
}

export interface PortMappingRecord {
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
  spec: SpecRecord;
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
