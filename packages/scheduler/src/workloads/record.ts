// The scheduler's record of one workload, across all of its allocations. Persisted as JSON in
// the store (kind 'workload'); the proto ScheduledWorkload is derived from it (server/convert.ts).
import type { ArtifactSettings } from '@mo/api';
import type { Strategy } from '../placement/types.js';

export type WorkloadStateName = 'pending' | 'starting' | 'running' | 'succeeded' | 'failed' | 'stopped' | 'lost';
export const TERMINAL_STATES: ReadonlySet<WorkloadStateName> = new Set(['succeeded', 'failed', 'stopped', 'lost']);

export type PriorityName = 'low' | 'normal' | 'high';
export const PRIORITY_RANK: Record<PriorityName, number> = { high: 0, normal: 1, low: 2 };
/** The wire (mo.v1.Priority) name of each priority. */
export const PRIORITY_ENUM = { low: 'PRIORITY_LOW', normal: 'PRIORITY_NORMAL', high: 'PRIORITY_HIGH' } as const;

export type RestartModeName = 'never' | 'on-failure' | 'always';

export interface RestartPolicyRecord {
  mode: RestartModeName;
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
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
  /** Most processes of a process workload, enforced by the agent's cgroup; absent = none. */
  pidsLimit?: number;
  driver: string;
  /** The sandbox of a docker workload, as submitted (the agent fills its defaults and checks the host). */
  docker?: DockerSpecRecord;
  /** A pipeline step's artifacts to upload and inputs to fetch (set by the pipeline engine). */
  artifacts?: ArtifactSpecRecord;
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
  restartsLeft: number;
  pid: number;
  /** Host ports of the current allocation, as its agent reported them when it ran. */
  ports?: PortMappingRecord[];
  exit?: ExitRecord;
  /** What the current allocation wrote to $MO_OUTPUT, as its agent reported when it ended. */
  outputs?: Record<string, string>;
  createdAtMs: number;
  updatedAtMs: number;
  /** A pending restart is not placed before this time. */
  notBeforeMs: number;
  /** Set by a stop request: whatever happens next, the workload is not restarted. */
  stopRequested: boolean;
  events: EventRecord[];
}

/** Events kept per workload (oldest dropped first). */
export const MAX_EVENTS = 50;

/** Labels the scheduler puts on every allocation it starts, so agents' inventories can be traced. */
export const LABEL_WORKLOAD_ID = 'mo.workload';
