// The wire rules over real gRPC. A real mo-agent process serves a StartWorkload that a stock
// encoder split in two (with an unknown group among it) and runs its argv, answers bytes that are
// not protobuf with INVALID_ARGUMENT (grpc-js alone says INTERNAL), health included, and keeps
// serving. A bare MoServer shows a malformed message in the middle of a stream ends that call with
// INVALID_ARGUMENT and its handler sees it cancelled.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import {
  agentCertificate,
  startAgentProcess,
  testChannelCredentials,
  testPki,
  testServerOptions,
  waitFor,
  type AgentProcess,
} from '@mo/testkit';
import protobuf from 'protobufjs';
import { truncateForError } from '../errors.js';
import { serviceDefinition } from '../proto.js';
import { createMoServer } from '../server.js';
import { decodeMessage, encodeMessage } from './codec.js';

const identity = (b: Buffer) => b;
const tag = (id: number, wire: number) => (id << 3) | wire;
const INVALID = grpc.status.INVALID_ARGUMENT;

function unary(client: grpc.Client, path: string, bytes: Buffer): Promise<{ res?: Buffer; err?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      path,
      identity,
      identity,
      bytes,
      new grpc.Metadata(),
      { deadline: Date.now() + 10_000 },
      (err, res) => resolve(err ? { err } : { res }),
    );
  });
}

describe('a mo-agent over real gRPC', () => {
  let agent: AgentProcess;
  let raw: grpc.Client;

  beforeAll(async () => {
    agent = await startAgentProcess();
    raw = new grpc.Client(agent.grpcAddress, testChannelCredentials(testPki().scheduler, { kind: 'agent' }));
  });

  afterAll(async () => {
    raw?.close();
    await agent?.kill('SIGTERM');
  });

  it('runs a StartWorkload whose spec comes in two occurrences, an unknown group between them', async () => {
    const id = `split-${process.pid}`;
    const first = encodeMessage('StartWorkloadRequest', { spec: { id, argv: ['true'] } });
    const group = Buffer.from(
      protobuf.Writer.create().uint32(tag(77, 3)).uint32(tag(1, 0)).uint32(5).uint32(tag(77, 4)).finish(),
    );
    const second = encodeMessage('StartWorkloadRequest', { spec: { name: 'merged' } });
    const { res, err } = await unary(raw, '/mo.v1.NodeAgent/StartWorkload', Buffer.concat([first, group, second]));
    expect(err).toBeUndefined();
    const started = decodeMessage<{ workload: { spec: { id: string; name: string; argv: string[] } } }>(
      'StartWorkloadResponse',
      res!,
    );
    expect(started.workload.spec).toMatchObject({ id, name: 'merged', argv: ['true'] });
    await waitFor(
      'the split workload to succeed',
      async () => (await agent.client.getWorkload(id)).state === 'WORKLOAD_STATE_SUCCEEDED',
    );
  });

  it.each([
    ['a truncated varint', '/mo.v1.NodeAgent/StartWorkload', Buffer.from([0x0a, 0x80])],
    ['a length past the end', '/mo.v1.NodeAgent/StartWorkload', Buffer.from([0x0a, 0x20, 0x1a, 0x01])],
    ['wire type 7', '/mo.v1.NodeAgent/GetWorkload', Buffer.from([tag(9, 7), 0])],
    ['field number 0', '/mo.v1.NodeAgent/GetNodeStatus', Buffer.from([0x00, 0x01])],
    ['a health check that is not protobuf', '/grpc.health.v1.Health/Check', Buffer.from([0x0a, 0x05, 0x61])],
  ])('answers %s with INVALID_ARGUMENT naming the method', async (_what, path, bytes) => {
    const { err } = await unary(raw, path, bytes);
    expect(err?.code).toBe(INVALID);
    expect(err?.details).toMatch(new RegExp(`^${path}: malformed protobuf: .+ at byte \\d+$`));
  });

  it('truncates the service name its health NOT_FOUND echoes', async () => {
    const { err } = await unary(
      raw,
      '/grpc.health.v1.Health/Check',
      encodeMessage('grpc.health.v1.HealthCheckRequest', { service: 'x'.repeat(100_000) }),
    );
    expect(err?.code).toBe(grpc.status.NOT_FOUND);
    expect(err!.details.length).toBeLessThan(200);
    expect(err!.details).toBe(`Health status unknown for service ${truncateForError('x'.repeat(100_000))}`);
  });

  it('keeps serving after all that', async () => {
    const status = await agent.client.getNodeStatus();
    expect(status.facts?.nodeName).toBeTruthy();
  });
});

describe('a malformed message in a stream', () => {
  it('ends that call with INVALID_ARGUMENT; the handler saw the good message and then the cancel', async () => {
    const server = createMoServer({ services: ['mo.v1.NodeRegistry'], ...testServerOptions() });
    const seen: string[] = [];
    server.server.addService(serviceDefinition('NodeRegistry'), {
      Heartbeat: (call: grpc.ServerDuplexStream<{ nodeId: string }, object>) => {
        call.on('data', (req: { nodeId: string }) => seen.push(`data ${req.nodeId}`));
        call.on('cancelled', () => seen.push('cancelled'));
      },
    });
    const client = new grpc.Client(
      `127.0.0.1:${await server.listen('127.0.0.1:0')}`,
      testChannelCredentials(await agentCertificate('n1')),
    );
    try {
      const stream = client.makeBidiStreamRequest('/mo.v1.NodeRegistry/Heartbeat', identity, identity);
      const ended = new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve));
      stream.write(encodeMessage('HeartbeatRequest', { nodeId: 'n1' }));
      await waitFor('the first heartbeat', () => seen.length > 0);
      stream.write(Buffer.from([0x0a, 0x09, 0x61])); // nodeId: 9 bytes announced, 1 there
      const err = await ended;
      expect(err.code).toBe(INVALID);
      expect(err.details).toMatch(/^\/mo\.v1\.NodeRegistry\/Heartbeat: malformed protobuf: length 9 runs past/);
      await waitFor('the handler to see the cancel', () => seen.includes('cancelled'));
      expect(seen).toEqual(['data n1', 'cancelled']);
    } finally {
      client.close();
      await server.close();
    }
  });
});
