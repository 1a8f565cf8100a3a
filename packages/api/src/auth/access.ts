// Who may call what: one table from gRPC method to the identity it needs, and one pure check,
// applied once per call by the server plumbing (authenticate.ts). Shared rule of issue 13:
//   NodeAgent (agents serve it)        → the scheduler only
//   NodeRegistry (the scheduler)       → agents only (DownloadArtifact: agents, or read access)
//   Scheduler, Pipelines (the scheduler) → clients and tokens with the method's access
//   health, reflection                 → any authenticated caller
// A client-API method not in the table needs admin: a method added later is closed until listed.
import { PermissionDeniedError } from '../errors.js';
import { accessIncludes, describeIdentity, type Access, type Identity } from './identity.js';

/** What a method needs of its caller. */
export type Need =
  { kind: 'any' } | { kind: 'scheduler' } | { kind: 'agent'; orAccess?: Access } | { kind: 'access'; access: Access };

/** Access per client-API method (admin ⊃ operate ⊃ read). */
export const CLIENT_METHOD_ACCESS: Readonly<Record<string, Access>> = {
  '/mo.v1.Scheduler/SubmitWorkload': 'operate',
  '/mo.v1.Scheduler/StopScheduledWorkload': 'operate',
  '/mo.v1.Scheduler/GetScheduledWorkload': 'read',
  '/mo.v1.Scheduler/ListWorkloads': 'read',
  '/mo.v1.Scheduler/ListNodes': 'read',
  '/mo.v1.Scheduler/GetClusterStatus': 'read',
  '/mo.v1.Scheduler/StreamWorkloadLogs': 'read',
  '/mo.v1.Scheduler/Watch': 'read',
  '/mo.v1.Scheduler/RemoveNode': 'admin',
  '/mo.v1.Pipelines/SubmitPipeline': 'operate',
  '/mo.v1.Pipelines/GetPipeline': 'read',
  '/mo.v1.Pipelines/ListPipelines': 'read',
  '/mo.v1.Pipelines/CancelPipeline': 'operate',
  '/mo.v1.Pipelines/ApproveStep': 'operate',
  '/mo.v1.Pipelines/RejectStep': 'operate',
  '/mo.v1.Pipelines/WatchPipelines': 'read',
  '/mo.v1.Pipelines/StreamStepLogs': 'read',
};

const OPEN_SERVICES = [
  'grpc.health.v1.Health',
  'grpc.reflection.v1.ServerReflection',
  'grpc.reflection.v1alpha.ServerReflection',
];
const CLIENT_SERVICES = ['mo.v1.Scheduler', 'mo.v1.Pipelines'];

/** What `path` ("/mo.v1.Scheduler/SubmitWorkload") needs; undefined: no one may call it. */
export function methodNeed(path: string): Need | undefined {
  const service = /^\/([^/]+)\/[^/]+$/.exec(path)?.[1];
  if (service === undefined) return undefined;
  if (OPEN_SERVICES.includes(service)) return { kind: 'any' };
  if (service === 'mo.v1.NodeAgent') return { kind: 'scheduler' };
  if (service === 'mo.v1.NodeRegistry') {
    return path === '/mo.v1.NodeRegistry/DownloadArtifact' ? { kind: 'agent', orAccess: 'read' } : { kind: 'agent' };
  }
  if (CLIENT_SERVICES.includes(service)) return { kind: 'access', access: CLIENT_METHOD_ACCESS[path] ?? 'admin' };
  return undefined;
}

/** The role a need names, for messages ("an agent certificate", "operate access"). */
function needText(need: Need): string {
  switch (need.kind) {
    case 'any':
      return 'any identity';
    case 'scheduler':
      return 'the scheduler certificate';
    case 'agent':
      return need.orAccess ? `an agent certificate or ${need.orAccess} access` : 'an agent certificate';
    case 'access':
      return `${need.access} access (a client certificate or token)`;
  }
}

function accessOf(i: Identity): Access | undefined {
  return i.kind === 'client' || i.kind === 'token' ? i.access : undefined;
}

/** Whether `identity` may call `path`. `insecure` (a daemon run with --insecure) may call anything. */
export function mayCall(path: string, identity: Identity): boolean {
  if (identity.kind === 'insecure') return true;
  const need = methodNeed(path);
  if (!need) return false;
  const access = accessOf(identity);
  switch (need.kind) {
    case 'any':
      return true;
    case 'scheduler':
      return identity.kind === 'scheduler';
    case 'agent':
      return (
        identity.kind === 'agent' ||
        (need.orAccess !== undefined && access !== undefined && accessIncludes(access, need.orAccess))
      );
    case 'access':
      return access !== undefined && accessIncludes(access, need.access);
  }
}

/** Throws PermissionDeniedError naming the role needed and the caller when `identity` may not call `path`. */
export function authorize(path: string, identity: Identity): void {
  if (mayCall(path, identity)) return;
  const need = methodNeed(path);
  const who = describeIdentity(identity);
  const access = accessOf(identity);
  // The caller's access, where access is what the method weighs.
  const weighsAccess = need?.kind === 'access' || (need?.kind === 'agent' && need.orAccess !== undefined);
  const has = access && weighsAccess ? ` (has ${access})` : '';
  if (!need) throw new PermissionDeniedError(`${path}: not served to ${who}`);
  throw new PermissionDeniedError(`${path} needs ${needText(need)}; caller is ${who}${has}`);
}
