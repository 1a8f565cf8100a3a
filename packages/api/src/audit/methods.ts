// Which calls the audit log records, and the ids each names: one entry per method of every
// service a mo daemon serves. A change (submit, stop, approve, register, upload…) is always
// recorded; a read or a node's report (heartbeat, inventory) only when refused — refusals are
// what an operator looks for, and reports arrive every second from every node. A method missing
// here (a new one) is recorded as a change: the safe side (methods.test.ts lists them all).
import type { AuditTargets } from './record.js';

export type AuditKind = 'change' | 'read' | 'report';

export interface AuditMethod {
  kind: AuditKind;
  /** Ids named by the request (its first message, for a stream of requests). */
  request?(req: Message): AuditTargets;
  /** Ids only the response knows: what a create made. */
  response?(res: Message): AuditTargets;
}

type Message = Record<string, unknown>;

/** Codes of a refused call: recorded for every method. */
export const REFUSED_CODES: ReadonlySet<string> = new Set([
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'INVALID_ARGUMENT',
]);

/** `msg.a.b` as a non-empty string, else undefined. */
function at(msg: unknown, ...keys: string[]): string | undefined {
  let v: unknown = msg;
  for (const k of keys) v = v !== null && typeof v === 'object' ? (v as Message)[k] : undefined;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The entries whose value is set. */
function ids(entries: Record<string, string | string[] | undefined>): AuditTargets {
  const out: AuditTargets = {};
  for (const [k, v] of Object.entries(entries)) if (v !== undefined && v.length > 0) out[k] = v;
  return out;
}

const workload = (req: Message) => ids({ workload: at(req, 'workloadId') });
const pipeline = (req: Message) => ids({ pipeline: at(req, 'pipelineId') });
const step = (req: Message) => ids({ pipeline: at(req, 'pipelineId'), step: at(req, 'stepId') });
const READ: AuditMethod = { kind: 'read' };

const SCHEDULER: Record<string, AuditMethod> = {
  SubmitWorkload: {
    kind: 'change',
    // An array is named by its group (its members' ids are in the group, not the audit line).
    response: (res) => ids({ workload: at(res, 'workload', 'id'), group: at(res, 'groupId') }),
  },
  StopScheduledWorkload: { kind: 'change', request: workload },
  RemoveNode: { kind: 'change', request: (req) => ids({ node: at(req, 'node') }) },
  DrainNode: {
    kind: 'change',
    request: (req) => ({
      ...ids({ node: at(req, 'node') }),
      drain: req.cancel === true ? 'cancel' : req.force === true ? 'force' : 'drain',
    }),
  },
  SetNodeEligibility: {
    kind: 'change',
    request: (req) => ({ ...ids({ node: at(req, 'node') }), eligible: req.eligible === true ? 'true' : 'false' }),
  },
  GetScheduledWorkload: { kind: 'read', request: workload },
  ListWorkloads: READ,
  ListNodes: READ,
  GetClusterStatus: READ,
  StreamWorkloadLogs: { kind: 'read', request: workload },
  Watch: READ,
};

const PIPELINES: Record<string, AuditMethod> = {
  SubmitPipeline: { kind: 'change', response: (res) => ids({ pipeline: at(res, 'pipeline', 'id') }) },
  CancelPipeline: { kind: 'change', request: pipeline },
  ApproveStep: {
    kind: 'change',
    request: (req) => ({ ...step(req), decision: req.reject === true ? 'reject' : 'approve' }),
  },
  GetPipeline: { kind: 'read', request: pipeline },
  ListPipelines: READ,
  WatchPipelines: READ,
  StreamStepLogs: { kind: 'read', request: step },
};

const job = (req: Message) => ids({ job: at(req, 'name') });
/** `msg.a.b` as text when it is a number (a version, a count). */
function num(msg: unknown, ...keys: string[]): string | undefined {
  let v: unknown = msg;
  for (const k of keys) v = v !== null && typeof v === 'object' ? (v as Message)[k] : undefined;
  return typeof v === 'number' ? String(v) : undefined;
}

const JOBS: Record<string, AuditMethod> = {
  RunJob: {
    kind: 'change',
    response: (res) => ids({ job: at(res, 'job', 'name'), version: num(res, 'job', 'version'), kind: at(res, 'kind') }),
  },
  PlanJob: READ,
  GetJob: { kind: 'read', request: job },
  ListJobs: READ,
  JobHistory: { kind: 'read', request: job },
  RevertJob: { kind: 'change', request: (req) => ids({ job: at(req, 'name'), version: num(req, 'version') }) },
  ScaleJob: { kind: 'change', request: (req) => ids({ job: at(req, 'name'), count: num(req, 'count') }) },
  StopJob: { kind: 'change', request: job },
  GetService: { kind: 'read', request: job },
};

const artifact = (req: Message) =>
  ids({ pipeline: at(req, 'pipelineId'), step: at(req, 'stepId'), artifact: at(req, 'path') });

const NODE_REGISTRY: Record<string, AuditMethod> = {
  Register: { kind: 'change', request: (req) => ids({ node: at(req, 'nodeId'), nodeName: at(req, 'nodeName') }) },
  SyncInventory: { kind: 'report', request: (req) => ids({ node: at(req, 'nodeId') }) },
  Heartbeat: { kind: 'report', request: (req) => ids({ node: at(req, 'nodeId') }) },
  UploadArtifact: { kind: 'change', request: (req) => artifact((req.artifact ?? {}) as Message) },
  DownloadArtifact: { kind: 'read', request: artifact },
  ReportArtifactReplicas: { kind: 'report', request: (req) => ids({ mirror: at(req, 'mirror') }) },
};

const NODE_AGENT: Record<string, AuditMethod> = {
  StartWorkload: { kind: 'change', request: (req) => ids({ workload: at(req, 'spec', 'id') }) },
  StartWorkloads: {
    kind: 'change',
    request: (req) => {
      const specs = Array.isArray(req.specs) ? (req.specs as unknown[]) : [];
      return ids({ workloads: specs.map((s) => at(s, 'id') ?? '?') });
    },
  },
  StopWorkload: { kind: 'change', request: workload },
  GetWorkload: { kind: 'read', request: workload },
  GetNodeStatus: READ,
  StreamLogs: { kind: 'read', request: workload },
};

// A token's id and name, never its secret (CreateTokenResponse.secret is not read).
const TOKENS: Record<string, AuditMethod> = {
  CreateToken: {
    kind: 'change',
    request: (req) => ids({ tokenName: at(req, 'name') }),
    response: (res) => ids({ token: at(res, 'token', 'id') }),
  },
  ListTokens: READ,
  RevokeToken: { kind: 'change', request: (req) => ids({ token: at(req, 'token') }) },
};

const STANDARD: Record<string, AuditMethod> = {
  '/grpc.health.v1.Health/Check': READ,
  '/grpc.health.v1.Health/Watch': READ,
  '/grpc.health.v1.Health/List': READ,
  '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo': READ,
  '/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo': READ,
};

function service(name: string, methods: Record<string, AuditMethod>): Record<string, AuditMethod> {
  return Object.fromEntries(Object.entries(methods).map(([m, a]) => [`/${name}/${m}`, a]));
}

/** Every method mo serves, by path. */
export const AUDIT_METHODS: Readonly<Record<string, AuditMethod>> = {
  ...service('mo.v1.Scheduler', SCHEDULER),
  ...service('mo.v1.Pipelines', PIPELINES),
  ...service('mo.v1.Jobs', JOBS),
  ...service('mo.v1.NodeRegistry', NODE_REGISTRY),
  ...service('mo.v1.NodeAgent', NODE_AGENT),
  ...service('mo.v1.Tokens', TOKENS),
  ...STANDARD,
};

const UNLISTED: AuditMethod = { kind: 'change' };

export function auditMethod(path: string): AuditMethod {
  return AUDIT_METHODS[path] ?? UNLISTED;
}

/** Whether a call of this kind that ended with `code` gets a line. */
export function isRecorded(kind: AuditKind, code: string): boolean {
  return kind === 'change' || REFUSED_CODES.has(code);
}

/** Ids named by a message, never throwing (a message may be anything a caller sent). */
export function targetsOf(extract: ((m: Message) => AuditTargets) | undefined, message: unknown): AuditTargets {
  if (!extract || message === null || typeof message !== 'object') return {};
  try {
    return extract(message as Message);
  } catch {
    return {};
  }
}
