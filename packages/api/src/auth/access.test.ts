// Who may call what: one table, one check (the shared rule of issue 13).
import { describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { MoError } from '../errors.js';
import { authorize, CLIENT_METHOD_ACCESS, mayCall, methodNeed } from './access.js';
import type { Identity } from './identity.js';

const scheduler: Identity = { kind: 'scheduler' };
const agent: Identity = { kind: 'agent', node: 'n1' };
const reader: Identity = { kind: 'client', name: 'r', access: 'read' };
const operator: Identity = { kind: 'client', name: 'o', access: 'operate' };
const admin: Identity = { kind: 'client', name: 'a', access: 'admin' };
const tokenOperator: Identity = { kind: 'token', name: 'ci', access: 'operate', tokenId: 't' };
const insecure: Identity = { kind: 'insecure' };

describe('mayCall', () => {
  it.each<[string, Identity[], Identity[]]>([
    ['/mo.v1.NodeAgent/StartWorkload', [scheduler, insecure], [agent, reader, admin, tokenOperator]],
    ['/mo.v1.NodeAgent/GetNodeStatus', [scheduler], [agent, admin]],
    ['/mo.v1.NodeRegistry/Register', [agent, insecure], [scheduler, admin, tokenOperator]],
    ['/mo.v1.NodeRegistry/Heartbeat', [agent], [scheduler, admin]],
    ['/mo.v1.NodeRegistry/UploadArtifact', [agent], [admin]],
    ['/mo.v1.NodeRegistry/DownloadArtifact', [agent, reader, tokenOperator], [scheduler]],
    ['/mo.v1.Scheduler/SubmitWorkload', [operator, admin, tokenOperator, insecure], [reader, agent, scheduler]],
    ['/mo.v1.Scheduler/StopScheduledWorkload', [operator, admin], [reader, agent]],
    ['/mo.v1.Scheduler/ListWorkloads', [reader, operator, admin, tokenOperator], [agent, scheduler]],
    ['/mo.v1.Scheduler/Watch', [reader], [agent]],
    ['/mo.v1.Scheduler/RemoveNode', [admin], [operator, tokenOperator, reader, agent]],
    ['/mo.v1.Scheduler/SomethingNew', [admin], [operator, reader]],
    ['/mo.v1.Pipelines/ApproveStep', [operator, admin], [reader]],
    ['/mo.v1.Pipelines/GetPipeline', [reader], [agent]],
    ['/grpc.health.v1.Health/Check', [scheduler, agent, reader, tokenOperator], []],
    ['/grpc.reflection.v1.ServerReflection/ServerReflectionInfo', [agent, reader], []],
    ['/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo', [scheduler], []],
    ['/mo.v1.Unknown/X', [insecure], [scheduler, agent, admin]],
    ['not-a-path', [insecure], [admin]],
  ])('%s: allowed %j, refused %j', (path, allowed, refused) => {
    for (const i of allowed) expect([path, i, mayCall(path, i)]).toEqual([path, i, true]);
    for (const i of refused) expect([path, i, mayCall(path, i)]).toEqual([path, i, false]);
  });

  it('lists every client method of the protos with an access', () => {
    expect(Object.keys(CLIENT_METHOD_ACCESS).every((m) => methodNeed(m)?.kind === 'access')).toBe(true);
  });
});

describe('authorize', () => {
  it.each<[string, Identity, RegExp]>([
    [
      '/mo.v1.Scheduler/SubmitWorkload',
      reader,
      /SubmitWorkload needs operate access .*; caller is client:r \(has read\)$/,
    ],
    ['/mo.v1.Scheduler/RemoveNode', tokenOperator, /needs admin access .*; caller is token:ci \(has operate\)$/],
    ['/mo.v1.NodeAgent/StartWorkload', admin, /needs the scheduler certificate; caller is client:a/],
    ['/mo.v1.NodeRegistry/Register', scheduler, /needs an agent certificate; caller is scheduler$/],
    ['/mo.v1.Nope/X', agent, /not served to agent:n1/],
  ])('%s by %j: PERMISSION_DENIED naming the role needed and the caller', (path, identity, message) => {
    let err: unknown;
    try {
      authorize(path, identity);
    } catch (e) {
      err = e;
    }
    expect((err as MoError).code).toBe(grpc.status.PERMISSION_DENIED);
    expect((err as MoError).message).toMatch(message);
  });

  it('passes the allowed', () => {
    expect(() => authorize('/mo.v1.Scheduler/SubmitWorkload', operator)).not.toThrow();
  });
});
