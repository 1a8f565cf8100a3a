// A fault inside the call guard (a token store that throws: a full disk, a locked database) must
// fail that call, not the daemon: the interceptor runs in grpc-js's stream callbacks, where a throw
// is an uncaught exception. Real server, real sockets.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { AgentClient } from '../client.js';
import { MoError } from '../errors.js';
import type { NodeAgentHandlers } from '../generated/mo/v1/NodeAgent.js';
import { moProto } from '../proto.js';
import { createMoServer, type MoServer } from '../server.js';
import { agentCertificate, testAgentClientOptions, testServerOptions } from '@mo/testkit';

let server: MoServer;
let address: string;

beforeAll(async () => {
  server = createMoServer({
    services: ['mo.v1.NodeAgent'],
    ...testServerOptions(await agentCertificate('test-node')),
    guard: {
      checkToken: () => {
        throw new Error('disk I/O error');
      },
    },
  });
  const unimplemented = (_call: unknown, cb: grpc.sendUnaryData<never>) => cb({ code: grpc.status.UNIMPLEMENTED });
  const handlers: NodeAgentHandlers = {
    StartWorkload: unimplemented,
    StartWorkloads: unimplemented,
    GetWorkload: unimplemented,
    StopWorkload: unimplemented,
    GetNodeStatus: (_call, cb) => cb(null, { workloads: [] }),
    StreamLogs: (call) => call.end(),
  };
  server.server.addService(moProto().mo.v1.NodeAgent.service, handlers);
  address = `127.0.0.1:${await server.listen('127.0.0.1:0')}`;
});

afterAll(async () => {
  await server.close(100);
});

describe('a fault in the call guard', () => {
  it('fails the call with INTERNAL, and the server goes on serving', async () => {
    const withToken = new AgentClient(address, testAgentClientOptions('test-node', { token: 'mo_abc.def' }));
    const err = await withToken.getNodeStatus().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MoError);
    expect((err as MoError).code).toBe(grpc.status.INTERNAL);
    expect((err as MoError).message).toMatch(/internal error/);
    withToken.close();
    // The same server answers the next caller (a certificate, no token).
    const plain = new AgentClient(address, testAgentClientOptions('test-node'));
    await expect(plain.getNodeStatus()).resolves.toMatchObject({ workloads: [] });
    plain.close();
  });
});
