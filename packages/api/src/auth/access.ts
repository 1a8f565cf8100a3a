// Who may call which method: one table for every method a mo daemon serves, and the pure rule that
// reads it. Applied once per call, before any handler runs (guard.ts); a method missing here is
// refused (fail closed), and a test walks the service definitions so none can be forgotten.
import { accessIncludes, describeIdentity, type Access, type Identity } from './identity.js';

/** Daemon identities, known by their certificate's role. */
export type PeerRole = 'scheduler' | 'agent';

export interface MethodRule {
  /** The least access a client (certificate or bearer token) needs; absent: no client may call it. */
  readonly client?: Access;
  /** Daemons that may call it. An agent acts only as its own node: the handler checks that part. */
  readonly peers?: readonly PeerRole[];
}

const READ: MethodRule = { client: 'read' };
const OPERATE: MethodRule = { client: 'operate' };
const ADMIN: MethodRule = { client: 'admin' };
const SCHEDULER_ONLY: MethodRule = { peers: ['scheduler'] };
const AGENTS_ONLY: MethodRule = { peers: ['agent'] };
/** Health and reflection: anyone the transport (or a token) identified. */
const ANYONE: MethodRule = { client: 'read', peers: ['scheduler', 'agent'] };

export { ACCESS_LEVELS, accessIncludes, isAccess } from './identity.js';

/**
 * Every method path and what it needs (issue 13's shared decisions): read = get, list, watch, logs,
 * cluster status, artifact download; operate = submit, stop, pipelines submit/cancel/approve/reject,
 * node drain and eligibility;
 * admin = tokens, node removal. NodeAgent: the scheduler only; NodeRegistry: agents only (artifact
 * downloads also for read clients and the other schedulers; replica reports for schedulers only).
 */
export const METHOD_RULES: Readonly<Record<string, MethodRule>> = {
  '/mo.v1.Scheduler/SubmitWorkload': OPERATE,
  '/mo.v1.Scheduler/StopScheduledWorkload': OPERATE,
  '/mo.v1.Scheduler/GetScheduledWorkload': READ,
  '/mo.v1.Scheduler/ListWorkloads': READ,
  '/mo.v1.Scheduler/ListNodes': READ,
  '/mo.v1.Scheduler/GetClusterStatus': READ,
  '/mo.v1.Scheduler/StreamWorkloadLogs': READ,
  '/mo.v1.Scheduler/Watch': READ,
  '/mo.v1.Scheduler/RemoveNode': ADMIN,
  '/mo.v1.Scheduler/DrainNode': OPERATE,
  '/mo.v1.Scheduler/SetNodeEligibility': OPERATE,

  '/mo.v1.Pipelines/SubmitPipeline': OPERATE,
  '/mo.v1.Pipelines/GetPipeline': READ,
  '/mo.v1.Pipelines/ListPipelines': READ,
  '/mo.v1.Pipelines/CancelPipeline': OPERATE,
  '/mo.v1.Pipelines/ApproveStep': OPERATE, // approve and reject alike
  '/mo.v1.Pipelines/WatchPipelines': READ,
  '/mo.v1.Pipelines/StreamStepLogs': READ,

  // A plan is part of a change (it shows where instances would go): as RunJob.
  '/mo.v1.Jobs/RunJob': OPERATE,
  '/mo.v1.Jobs/PlanJob': OPERATE,
  '/mo.v1.Jobs/GetJob': READ,
  '/mo.v1.Jobs/ListJobs': READ,
  '/mo.v1.Jobs/JobHistory': READ,
  '/mo.v1.Jobs/RevertJob': OPERATE,
  '/mo.v1.Jobs/ScaleJob': OPERATE,
  '/mo.v1.Jobs/StopJob': OPERATE,
  '/mo.v1.Jobs/GetService': READ,

  '/mo.v1.Tokens/CreateToken': ADMIN,
  '/mo.v1.Tokens/ListTokens': ADMIN,
  '/mo.v1.Tokens/RevokeToken': ADMIN,

  '/mo.v1.NodeAgent/StartWorkload': SCHEDULER_ONLY,
  '/mo.v1.NodeAgent/StartWorkloads': SCHEDULER_ONLY,
  '/mo.v1.NodeAgent/StopWorkload': SCHEDULER_ONLY,
  '/mo.v1.NodeAgent/GetWorkload': SCHEDULER_ONLY,
  '/mo.v1.NodeAgent/GetNodeStatus': SCHEDULER_ONLY,
  '/mo.v1.NodeAgent/StreamLogs': SCHEDULER_ONLY,

  '/mo.v1.NodeRegistry/Register': AGENTS_ONLY,
  '/mo.v1.NodeRegistry/SyncInventory': AGENTS_ONLY,
  '/mo.v1.NodeRegistry/Heartbeat': AGENTS_ONLY,
  '/mo.v1.NodeRegistry/UploadArtifact': AGENTS_ONLY,
  // The other schedulers too: their artifact mirrors (several schedulers on etcd) fetch every artifact.
  '/mo.v1.NodeRegistry/DownloadArtifact': { client: 'read', peers: ['agent', 'scheduler'] },
  '/mo.v1.NodeRegistry/ReportArtifactReplicas': SCHEDULER_ONLY,

  '/grpc.health.v1.Health/Check': ANYONE,
  '/grpc.health.v1.Health/Watch': ANYONE,
  '/grpc.health.v1.Health/List': ANYONE,
  '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo': ANYONE,
  '/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo': ANYONE,
};

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly message: string };

const OK: Verdict = { ok: true };

/** "/mo.v1.Scheduler/SubmitWorkload" -> "SubmitWorkload" (messages read better without the path). */
function methodName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1) || path;
}

/** Who a rule admits, in words: "clients with operate access", "the scheduler". */
function admitted(rule: MethodRule): string {
  const who: string[] = [];
  if (rule.client) who.push(`clients with ${rule.client} access`);
  for (const p of rule.peers ?? []) who.push(p === 'scheduler' ? 'the scheduler' : 'agents');
  return who.join(' or ');
}

/**
 * May `identity` call `path`? A refusal is a PERMISSION_DENIED message naming what the method
 * needs and who the caller is (describeIdentity): "SubmitWorkload needs operate access; token:ci
 * has read". A daemon started with --insecure (identity `insecure`) lets everything through.
 */
export function authorize(identity: Identity, path: string): Verdict {
  if (identity.kind === 'insecure') return OK;
  const rule = METHOD_RULES[path];
  const method = methodName(path);
  if (!rule) return { ok: false, message: `${path} has no access rule: refused for ${describeIdentity(identity)}` };
  const caller = describeIdentity(identity);
  switch (identity.kind) {
    case 'client':
    case 'token':
      if (!rule.client) return { ok: false, message: `${method} is only for ${admitted(rule)}, not ${caller}` };
      if (accessIncludes(identity.access, rule.client)) return OK;
      return { ok: false, message: `${method} needs ${rule.client} access; ${caller} has ${identity.access}` };
    case 'scheduler':
    case 'agent':
      if (rule.peers?.includes(identity.kind)) return OK;
      return { ok: false, message: `${method} is only for ${admitted(rule)}, not ${caller}` };
  }
}

/**
 * What a call does, as far as rates per identity go (call-rates.ts): calls a client needs operate
 * or admin access for change something; an agent's registration and inventory pages are
 * registrations; heartbeats are counted per message by the guard.
 */
export function callClassOf(path: string): 'mutating' | 'register' | 'heartbeat' | 'read' {
  if (path === '/mo.v1.NodeRegistry/Register' || path === '/mo.v1.NodeRegistry/SyncInventory') return 'register';
  if (path === '/mo.v1.NodeRegistry/Heartbeat') return 'heartbeat';
  const need = METHOD_RULES[path]?.client;
  return need === 'operate' || need === 'admin' ? 'mutating' : 'read';
}
