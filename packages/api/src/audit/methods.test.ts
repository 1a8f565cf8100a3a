// The audit table: every method mo serves has an entry (a new method must be classified), the ids
// each names, and which calls get a line.
import { describe, expect, it } from '@jest/globals';
import { serviceMethods, serviceNames } from '../wire/schema.js';
import { AUDIT_METHODS, auditMethod, isRecorded, targetsOf } from './methods.js';

describe('AUDIT_METHODS', () => {
  it('classifies every method of every mo service, and the standard health and reflection ones', () => {
    const served = serviceNames().flatMap((s) => Object.keys(serviceMethods(s)).map((m) => `/mo.v1.${s}/${m}`));
    served.push(...Object.keys(serviceMethods('grpc.health.v1.Health')).map((m) => `/grpc.health.v1.Health/${m}`));
    expect(served.filter((path) => !(path in AUDIT_METHODS))).toEqual([]);
    // And no entry for a method that is gone.
    const stale = Object.keys(AUDIT_METHODS).filter((p) => !p.startsWith('/grpc.reflection.') && !served.includes(p));
    expect(stale).toEqual([]);
  });

  it('records a method it does not know as a change (the safe side)', () => {
    expect(auditMethod('/mo.v1.Scheduler/SomethingNew').kind).toBe('change');
  });

  it.each([
    ['/mo.v1.Scheduler/SubmitWorkload', 'change'],
    ['/mo.v1.Scheduler/StopScheduledWorkload', 'change'],
    ['/mo.v1.Scheduler/RemoveNode', 'change'],
    ['/mo.v1.Scheduler/DrainNode', 'change'],
    ['/mo.v1.Scheduler/SetNodeEligibility', 'change'],
    ['/mo.v1.Pipelines/SubmitPipeline', 'change'],
    ['/mo.v1.Pipelines/CancelPipeline', 'change'],
    ['/mo.v1.Pipelines/ApproveStep', 'change'],
    ['/mo.v1.NodeRegistry/Register', 'change'],
    ['/mo.v1.NodeRegistry/UploadArtifact', 'change'],
    ['/mo.v1.NodeAgent/StartWorkload', 'change'],
    ['/mo.v1.NodeAgent/StartWorkloads', 'change'],
    ['/mo.v1.NodeAgent/StopWorkload', 'change'],
    ['/mo.v1.Tokens/CreateToken', 'change'],
    ['/mo.v1.Tokens/RevokeToken', 'change'],
    ['/mo.v1.Tokens/ListTokens', 'read'],
    ['/mo.v1.NodeRegistry/Heartbeat', 'report'],
    ['/mo.v1.NodeRegistry/SyncInventory', 'report'],
    ['/mo.v1.NodeRegistry/ReportArtifactReplicas', 'report'],
    ['/mo.v1.Scheduler/ListWorkloads', 'read'],
    ['/mo.v1.Scheduler/Watch', 'read'],
    ['/mo.v1.Scheduler/StreamWorkloadLogs', 'read'],
    ['/mo.v1.NodeRegistry/DownloadArtifact', 'read'],
    ['/grpc.health.v1.Health/Check', 'read'],
    ['/grpc.reflection.v1.ServerReflection/ServerReflectionInfo', 'read'],
  ])('%s is a %s', (path, kind) => {
    expect(auditMethod(path).kind).toBe(kind);
  });
});

describe('targets', () => {
  const req = (path: string, message: unknown) => targetsOf(auditMethod(path).request, message);
  const res = (path: string, message: unknown) => targetsOf(auditMethod(path).response, message);

  it.each<[string, unknown, Record<string, unknown>]>([
    ['/mo.v1.Scheduler/StopScheduledWorkload', { workloadId: 'w1', gracePeriodMs: 0 }, { workload: 'w1' }],
    ['/mo.v1.Scheduler/RemoveNode', { node: 'n1' }, { node: 'n1' }],
    ['/mo.v1.Scheduler/DrainNode', { node: 'n1', force: true }, { node: 'n1', drain: 'force' }],
    ['/mo.v1.Scheduler/DrainNode', { node: 'n1', cancel: true }, { node: 'n1', drain: 'cancel' }],
    ['/mo.v1.Scheduler/SetNodeEligibility', { node: 'n1', eligible: true }, { node: 'n1', eligible: 'true' }],
    ['/mo.v1.Scheduler/GetScheduledWorkload', { workloadId: 'w1' }, { workload: 'w1' }],
    ['/mo.v1.Pipelines/CancelPipeline', { pipelineId: 'p1', reason: 'x' }, { pipeline: 'p1' }],
    [
      '/mo.v1.Pipelines/ApproveStep',
      { pipelineId: 'p1', stepId: 'deploy', reject: true, by: 'x' },
      { pipeline: 'p1', step: 'deploy', decision: 'reject' },
    ],
    [
      '/mo.v1.Pipelines/ApproveStep',
      { pipelineId: 'p1', stepId: 'deploy', reject: false },
      { pipeline: 'p1', step: 'deploy', decision: 'approve' },
    ],
    ['/mo.v1.NodeRegistry/Register', { nodeId: 'id1', nodeName: 'n1', address: 'a' }, { node: 'id1', nodeName: 'n1' }],
    ['/mo.v1.NodeRegistry/Heartbeat', { nodeId: 'id1' }, { node: 'id1' }],
    [
      '/mo.v1.NodeRegistry/UploadArtifact',
      { artifact: { pipelineId: 'p1', stepId: 's1', path: 'out/bin' }, data: Buffer.alloc(0) },
      { pipeline: 'p1', step: 's1', artifact: 'out/bin' },
    ],
    [
      '/mo.v1.NodeRegistry/DownloadArtifact',
      { pipelineId: 'p1', stepId: 's1', path: 'out/bin' },
      { pipeline: 'p1', step: 's1', artifact: 'out/bin' },
    ],
    [
      '/mo.v1.NodeRegistry/ReportArtifactReplicas',
      { mirror: '10.0.0.2:7600', artifacts: [] },
      { mirror: '10.0.0.2:7600' },
    ],
    ['/mo.v1.NodeAgent/StartWorkload', { spec: { id: 'w1', argv: ['x'] } }, { workload: 'w1' }],
    ['/mo.v1.NodeAgent/StartWorkloads', { specs: [{ id: 'a' }, { id: 'b' }, {}] }, { workloads: ['a', 'b', '?'] }],
    ['/mo.v1.NodeAgent/StopWorkload', { workloadId: 'w1' }, { workload: 'w1' }],
    ['/mo.v1.Tokens/CreateToken', { name: 'ci', access: 'ACCESS_LEVEL_READ', ttlMs: 0 }, { tokenName: 'ci' }],
    ['/mo.v1.Tokens/RevokeToken', { token: 'ci' }, { token: 'ci' }],
    ['/mo.v1.Scheduler/SubmitWorkload', { spec: { argv: ['x'] } }, {}],
    ['/mo.v1.Scheduler/StopScheduledWorkload', { workloadId: '' }, {}],
    ['/mo.v1.Scheduler/StopScheduledWorkload', { workloadId: 42 }, {}],
    ['/mo.v1.NodeAgent/StartWorkloads', { specs: 'not a list' }, {}],
    ['/mo.v1.NodeRegistry/UploadArtifact', { data: Buffer.alloc(1) }, {}],
    ['/mo.v1.Scheduler/ListWorkloads', { pageSize: 10 }, {}],
  ])('%s %j names %j', (path, message, expected) => {
    expect(req(path, message)).toEqual(expected);
  });

  it('takes the ids a create made from its response', () => {
    expect(res('/mo.v1.Scheduler/SubmitWorkload', { workload: { id: 'w9' }, existing: false })).toEqual({
      workload: 'w9',
    });
    expect(res('/mo.v1.Pipelines/SubmitPipeline', { pipeline: { id: 'p9' } })).toEqual({ pipeline: 'p9' });
    // A new token's id, never its secret.
    expect(res('/mo.v1.Tokens/CreateToken', { token: { id: 't1', name: 'ci' }, secret: 'mo_t1_s3cret' })).toEqual({
      token: 't1',
    });
  });

  it('names nothing for a message that is not an object', () => {
    expect(req('/mo.v1.Scheduler/StopScheduledWorkload', null)).toEqual({});
    expect(req('/mo.v1.Scheduler/StopScheduledWorkload', Buffer.from('x'))).toEqual({});
  });
});

describe('isRecorded', () => {
  it.each<[Parameters<typeof isRecorded>[0], string, boolean]>([
    ['change', 'OK', true],
    ['change', 'NOT_FOUND', true],
    ['change', 'CANCELLED', true],
    ['read', 'OK', false],
    ['read', 'NOT_FOUND', false],
    ['read', 'CANCELLED', false],
    ['report', 'OK', false],
    ['read', 'UNAUTHENTICATED', true],
    ['read', 'PERMISSION_DENIED', true],
    ['report', 'RESOURCE_EXHAUSTED', true],
    ['read', 'INVALID_ARGUMENT', true],
  ])('a %s ending %s: %s', (kind, code, recorded) => {
    expect(isRecorded(kind, code)).toBe(recorded);
  });
});
