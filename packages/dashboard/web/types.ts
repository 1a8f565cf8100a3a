// The JSON shapes the dashboard reads: the fields it shows of @mo/api's generated `__Output` types
// (camelCase, enums as strings). Written out here because the browser bundle cannot import @mo/api
// (it pulls in Node and grpc-js). int64 fields may arrive as strings in JSON: read them with ms().

export type Int64 = number | string;

export interface Resources {
  cpuMillis?: number;
  memoryBytes?: Int64;
  hostPorts?: number;
}

export interface ExitStatus {
  exited?: boolean;
  exitCode?: number;
  signal?: string;
  finishedAtMs?: Int64;
}

export interface WorkloadEvent {
  state?: string;
  reason?: string;
  atMs?: Int64;
}

export interface PortMapping {
  containerPort?: number;
  hostPort?: number;
  hostIp?: string;
  /** A named port's name (a job's `ports`); empty for a docker port published by number. */
  name?: string;
}

export interface PastAllocation {
  allocationId?: string;
  nodeId?: string;
  nodeName?: string;
  attempt?: number;
  state?: string;
  endedAtMs?: Int64;
}

export interface ScheduledWorkload {
  id: string;
  spec?: { name?: string; argv?: string[]; driver?: string; resources?: Resources | null } | null;
  state?: string;
  reason?: string;
  allocationId?: string;
  nodeId?: string;
  nodeName?: string;
  attempt?: number;
  restartsLeft?: number;
  pid?: number;
  exit?: ExitStatus | null;
  createdAtMs?: Int64;
  updatedAtMs?: Int64;
  events?: WorkloadEvent[];
  ports?: PortMapping[];
  previousAllocations?: PastAllocation[];
  health?: string;
  checks?: CheckStatus[];
  job?: string;
  jobVersion?: number;
  jobIndex?: number;
}

export interface CheckStatus {
  name: string;
  health?: string;
  detail?: string;
  successes?: number;
  failures?: number;
  checkedAtMs?: Int64;
}

export interface Node {
  id: string;
  name?: string;
  address?: string;
  state?: string;
  reason?: string;
  eligible?: boolean;
  labels?: Record<string, string>;
  facts?: { cpuCores?: number; memoryTotalBytes?: Int64; os?: string; arch?: string; agentVersion?: string } | null;
  metrics?: { cpuUtilization?: number; memoryTotalBytes?: Int64; memoryAvailableBytes?: Int64 } | null;
  capacity?: Resources | null;
  reserved?: Resources | null;
  workloadsRunning?: number;
  lastHeartbeatMs?: Int64;
  drain?: NodeDrain | null;
}

/** A node's drain (DrainNode): draining, or drained and still ineligible. */
export interface NodeDrain {
  state?: string;
  startedAtMs?: Int64;
  deadlineMs?: Int64;
  force?: boolean;
  drainedAtMs?: Int64;
  servicesLeft?: number;
  batchLeft?: number;
  workloadsLeft?: number;
}

export interface ClusterStatus {
  nodes?: Node[];
  workloadCounts?: Record<string, number>;
  recent?: ScheduledWorkload[];
  queueDepth?: number;
  schedulerVersion?: string;
  nodesTotal?: number;
}

export interface PipelineStep {
  id: string;
  state?: string;
  reason?: string;
  needs?: string[];
  attempt?: number;
  maxAttempts?: number;
  workloadId?: string;
  nodeName?: string;
  exit?: ExitStatus | null;
  approvalRequired?: boolean;
  approval?: { approved?: boolean; by?: string; reason?: string } | null;
}

export interface Compensation {
  stepId?: string;
  workloadId?: string;
  state?: string;
  reason?: string;
}

export interface Pipeline {
  id: string;
  name?: string;
  state?: string;
  reason?: string;
  steps?: PipelineStep[];
  compensations?: Compensation[];
  createdAtMs?: Int64;
  updatedAtMs?: Int64;
}

/** One rollout of one version of a job (jobs.proto Deployment). */
export interface Deployment {
  version?: number;
  state?: string;
  desired?: number;
  placed?: number;
  healthy?: number;
  unhealthy?: number;
  succeeded?: number;
  startedAtMs?: Int64;
  endedAtMs?: Int64;
  reason?: string;
}

export interface JobInstance {
  workloadId: string;
  version?: number;
  index?: number;
  attempt?: number;
  state?: string;
  reason?: string;
  health?: string;
  nodeId?: string;
  nodeName?: string;
  host?: string;
  ports?: PortMapping[];
  startedAtMs?: Int64;
}

export interface Job {
  name: string;
  type?: string;
  version?: number;
  count?: number;
  stopped?: boolean;
  spec?: string;
  deployment?: Deployment | null;
  lastGoodVersion?: number;
  instances?: JobInstance[];
  running?: number;
  healthy?: number;
  pending?: number;
  updatedAtMs?: Int64;
}

export interface JobVersionInfo {
  version?: number;
  hash?: string;
  submittedAtMs?: Int64;
  changes?: Array<{ path?: string; from?: string; to?: string }>;
}

export interface Page<T> {
  items: T[];
  total?: number;
  nextPageToken: string;
}

// What api.ts's log calls take (here, not in api.ts, so that code without the DOM can name them).

/** Whose logs: a workload's (its current allocation), or a pipeline step's. */
export type LogSource = { workloadId: string } | { pipelineId: string; stepId: string };

export interface FollowLogsOptions {
  /** Only the last N lines of what is already written (0: all of it). */
  tailLines?: number;
  /** Called once the server has answered 200, before any text. */
  onOpen?: () => void;
}

/** A bearer token's access, as @mo/api's auth names it (admin ⊃ operate ⊃ read). */
export type Access = 'read' | 'operate' | 'admin';

/** An int64 field as a number (0 when absent). */
export function ms(v: Int64 | undefined | null): number {
  return v === undefined || v === null ? 0 : Number(v);
}
