import { describe, expect, it } from '@jest/globals';
import type * as grpc from '@grpc/grpc-js';
import { HealthService } from '../health.js';
import { serviceMethods, serviceNames } from '../wire/codec.js';
import { addReflection } from '../reflection/service.js';
import { METHOD_RULES, accessIncludes, authorize } from './access.js';
import type { Identity } from './identity.js';

/** Every method path a mo server can serve: mo's services from the descriptor, plus health and
 * reflection as their own code registers them. */
function servedPaths(): string[] {
  const paths: string[] = [];
  for (const service of serviceNames()) {
    for (const method of Object.keys(serviceMethods(service))) paths.push(`/mo.v1.${service}/${method}`);
  }
  const recorder = {
    addService(def: grpc.ServiceDefinition) {
      for (const m of Object.values(def)) paths.push(m.path);
    },
  } as unknown as grpc.Server;
  new HealthService({ '': 'SERVING' }).addToServer(recorder);
  addReflection(recorder, []);
  return paths;
}

const token = (access: 'read' | 'operate' | 'admin', name = 'ci'): Identity => ({
  kind: 'token',
  name,
  access,
  tokenId: '01J0000000000000000000000A',
});
const client = (access: 'read' | 'operate' | 'admin'): Identity => ({ kind: 'client', name: 'alice', access });

describe('the access table', () => {
  it('has a rule for every method of every service, so a new method cannot be forgotten', () => {
    const paths = servedPaths();
    expect(paths).toContain('/mo.v1.Tokens/CreateToken');
    expect(paths).toContain('/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo');
    expect(paths.filter((p) => !(p in METHOD_RULES))).toEqual([]);
  });

  it('has no rule for a method that does not exist', () => {
    const paths = new Set(servedPaths());
    expect(Object.keys(METHOD_RULES).filter((p) => !paths.has(p))).toEqual([]);
  });

  it.each([
    // method, the least client access it needs
    ['/mo.v1.Scheduler/GetScheduledWorkload', 'read'],
    ['/mo.v1.Scheduler/ListWorkloads', 'read'],
    ['/mo.v1.Scheduler/ListNodes', 'read'],
    ['/mo.v1.Scheduler/GetClusterStatus', 'read'],
    ['/mo.v1.Scheduler/StreamWorkloadLogs', 'read'],
    ['/mo.v1.Scheduler/Watch', 'read'],
    ['/mo.v1.Pipelines/GetPipeline', 'read'],
    ['/mo.v1.Pipelines/ListPipelines', 'read'],
    ['/mo.v1.Pipelines/WatchPipelines', 'read'],
    ['/mo.v1.Pipelines/StreamStepLogs', 'read'],
    ['/mo.v1.NodeRegistry/DownloadArtifact', 'read'],
    ['/mo.v1.Scheduler/SubmitWorkload', 'operate'],
    ['/mo.v1.Scheduler/StopScheduledWorkload', 'operate'],
    ['/mo.v1.Pipelines/SubmitPipeline', 'operate'],
    ['/mo.v1.Pipelines/CancelPipeline', 'operate'],
    ['/mo.v1.Pipelines/ApproveStep', 'operate'],
    ['/mo.v1.Scheduler/DrainNode', 'operate'],
    ['/mo.v1.Scheduler/SetNodeEligibility', 'operate'],
    ['/mo.v1.Scheduler/RemoveNode', 'admin'],
    ['/mo.v1.Tokens/CreateToken', 'admin'],
    ['/mo.v1.Tokens/ListTokens', 'admin'],
    ['/mo.v1.Tokens/RevokeToken', 'admin'],
  ] as const)('%s needs %s access from a client or a token', (path, need) => {
    for (const have of ['read', 'operate', 'admin'] as const) {
      expect(authorize(token(have), path).ok).toBe(accessIncludes(have, need));
      expect(authorize(client(have), path).ok).toBe(accessIncludes(have, need));
    }
  });

  it('orders access: admin includes operate includes read', () => {
    expect(accessIncludes('admin', 'operate')).toBe(true);
    expect(accessIncludes('operate', 'read')).toBe(true);
    expect(accessIncludes('read', 'operate')).toBe(false);
    expect(accessIncludes('operate', 'admin')).toBe(false);
  });
});

describe('authorize', () => {
  it('names the access needed and the caller when it refuses', () => {
    expect(authorize(token('read', 'viewer'), '/mo.v1.Scheduler/SubmitWorkload')).toEqual({
      ok: false,
      message: 'SubmitWorkload needs operate access; token:viewer has read',
    });
    expect(authorize(client('operate'), '/mo.v1.Tokens/CreateToken')).toEqual({
      ok: false,
      message: 'CreateToken needs admin access; client:alice has operate',
    });
  });

  it('lets only the scheduler call an agent, and only agents report to the scheduler', () => {
    const scheduler: Identity = { kind: 'scheduler' };
    const agent: Identity = { kind: 'agent', node: 'n1' };
    expect(authorize(scheduler, '/mo.v1.NodeAgent/StartWorkload').ok).toBe(true);
    expect(authorize(agent, '/mo.v1.NodeAgent/StartWorkload')).toEqual({
      ok: false,
      message: 'StartWorkload is only for the scheduler, not agent:n1',
    });
    expect(authorize(token('admin'), '/mo.v1.NodeAgent/StartWorkload')).toEqual({
      ok: false,
      message: 'StartWorkload is only for the scheduler, not token:ci',
    });
    expect(authorize(agent, '/mo.v1.NodeRegistry/Heartbeat').ok).toBe(true);
    expect(authorize(scheduler, '/mo.v1.NodeRegistry/Register').ok).toBe(false);
    expect(authorize(token('admin'), '/mo.v1.NodeRegistry/UploadArtifact').ok).toBe(false);
    // Downloads: agents, clients that may read, and the other schedulers (their artifact mirrors).
    expect(authorize(agent, '/mo.v1.NodeRegistry/DownloadArtifact').ok).toBe(true);
    expect(authorize(token('read'), '/mo.v1.NodeRegistry/DownloadArtifact').ok).toBe(true);
    expect(authorize(scheduler, '/mo.v1.NodeRegistry/DownloadArtifact').ok).toBe(true);
    // A mirror's replica report: schedulers only.
    expect(authorize(scheduler, '/mo.v1.NodeRegistry/ReportArtifactReplicas').ok).toBe(true);
    expect(authorize(agent, '/mo.v1.NodeRegistry/ReportArtifactReplicas')).toEqual({
      ok: false,
      message: 'ReportArtifactReplicas is only for the scheduler, not agent:n1',
    });
    expect(authorize(token('admin'), '/mo.v1.NodeRegistry/ReportArtifactReplicas').ok).toBe(false);
  });

  it('keeps daemons out of the client API', () => {
    expect(authorize({ kind: 'agent', node: 'n1' }, '/mo.v1.Scheduler/SubmitWorkload')).toEqual({
      ok: false,
      message: 'SubmitWorkload is only for clients with operate access, not agent:n1',
    });
    expect(authorize({ kind: 'scheduler' }, '/mo.v1.Pipelines/ApproveStep').ok).toBe(false);
  });

  it('lets anyone identified check health and use reflection', () => {
    for (const who of [token('read'), client('read'), { kind: 'agent', node: 'n' }, { kind: 'scheduler' }] as const) {
      expect(authorize(who, '/grpc.health.v1.Health/Check').ok).toBe(true);
      expect(authorize(who, '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo').ok).toBe(true);
    }
  });

  it('refuses a method it has no rule for (fail closed)', () => {
    expect(authorize(token('admin'), '/mo.v1.Scheduler/Nope')).toEqual({
      ok: false,
      message: '/mo.v1.Scheduler/Nope has no access rule: refused for token:ci',
    });
  });

  it('lets everything through on a daemon started with --insecure', () => {
    expect(authorize({ kind: 'insecure' }, '/mo.v1.Tokens/CreateToken').ok).toBe(true);
    expect(authorize({ kind: 'insecure' }, '/mo.v1.NodeAgent/StartWorkload').ok).toBe(true);
  });
});
