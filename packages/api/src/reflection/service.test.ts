// The reflection service on a real server over a real socket, with a raw-bytes client: answers
// in order on one stream (v1 and v1alpha), a late reader still gets every answer, and a request
// that is not a ServerReflectionRequest ends the stream with INVALID_ARGUMENT.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { PROTO_ROOT } from '../proto.js';
import { createMoServer, type MoServer } from '../server.js';
import { MAX_REFLECTION_REQUEST_BYTES } from './service.js';
import { testChannelCredentials, testServerOptions } from '@mo/testkit';

const root = new protobuf.Root().loadSync(join(PROTO_ROOT, 'grpc/reflection/v1/reflection.proto'), {
  keepCase: true,
});
const Request = root.lookupType('grpc.reflection.v1.ServerReflectionRequest');
const Response = root.lookupType('grpc.reflection.v1.ServerReflectionResponse');
const encode = (obj: object) => Buffer.from(Request.encode(Request.fromObject(obj)).finish());
type Answer = {
  original_request?: { file_by_filename?: string };
  list_services_response?: { service: { name: string }[] };
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  error_response?: { error_code: number; error_message: string };
};
const decode = (b: Buffer) => Response.toObject(Response.decode(b), { bytes: Buffer }) as Answer;

const identity = (b: Buffer) => b;
function openStream(address: string, version: 'v1' | 'v1alpha') {
  const Client = grpc.makeGenericClientConstructor(
    {
      ServerReflectionInfo: {
        path: `/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`,
        requestStream: true,
        responseStream: true,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    },
    'ServerReflection',
  );
  const client = new Client(address, testChannelCredentials()) as unknown as grpc.Client & {
    ServerReflectionInfo(): grpc.ClientDuplexStream<Buffer, Buffer>;
  };
  return { client, call: client.ServerReflectionInfo() };
}

/** Writes `requests`, half-closes, and collects every answer and the final status. */
async function exchange(address: string, requests: Buffer[], version: 'v1' | 'v1alpha' = 'v1') {
  const { client, call } = openStream(address, version);
  const answers: Answer[] = [];
  const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
  call.on('data', (b: Buffer) => answers.push(decode(b)));
  call.on('error', () => undefined); // the status says it
  for (const r of requests) call.write(r);
  call.end();
  const s = await status;
  client.close();
  return { answers, status: s };
}

let server: MoServer;
let address: string;

beforeAll(async () => {
  server = createMoServer({ services: ['mo.v1.NodeAgent'], ...testServerOptions() });
  address = `127.0.0.1:${await server.listen('127.0.0.1:0')}`;
});

afterAll(async () => {
  await server.close();
});

describe('server reflection over a real socket', () => {
  it.each(['v1', 'v1alpha'] as const)('answers each request of a %s stream in order', async (version) => {
    const { answers, status } = await exchange(
      address,
      [
        encode({ list_services: '*' }),
        encode({ file_by_filename: 'mo/v1/node.proto' }),
        encode({ file_containing_symbol: 'mo.v1.Scheduler' }),
      ],
      version,
    );
    expect(status.code).toBe(grpc.status.OK);
    expect(answers).toHaveLength(3);
    expect(answers[0]!.list_services_response!.service.map((s) => s.name)[0]).toBe('mo.v1.NodeAgent');
    expect(answers[1]!.file_descriptor_response!.file_descriptor_proto).toHaveLength(1);
    expect(answers[2]!.error_response).toEqual({
      error_code: grpc.status.NOT_FOUND,
      error_message: 'symbol "mo.v1.Scheduler" not found',
    });
  });

  it('gives a reader that starts late every answer, in order', async () => {
    const { client, call } = openStream(address, 'v1');
    const n = 2000; // about 10 MB of answers: far past what the server holds before it waits
    const names = ['mo/v1/agent.proto', 'mo/v1/node.proto', 'mo/v1/workload.proto'];
    for (let i = 0; i < n; i++) call.write(encode({ file_by_filename: names[i % 3] }));
    call.end();
    call.pause();
    await new Promise((r) => setImmediate(r));
    const seen: string[] = [];
    const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    call.on('data', (b: Buffer) => seen.push(decode(b).original_request!.file_by_filename!));
    call.resume();
    expect((await status).code).toBe(grpc.status.OK);
    expect(seen).toEqual(Array.from({ length: n }, (_, i) => names[i % 3]));
    client.close();
  });

  it.each([
    ['malformed bytes', Buffer.from([0x1a, 0x05, 0x61]), 'ServerReflectionRequest: malformed protobuf'],
    ['no question', encode({ host: 'h' }), 'ServerReflectionRequest.message_request: none of its fields is set'],
    [
      'a request over the size limit',
      encode({ file_containing_symbol: 'x'.repeat(MAX_REFLECTION_REQUEST_BYTES) }),
      `at most ${MAX_REFLECTION_REQUEST_BYTES}`,
    ],
  ])('ends the stream with INVALID_ARGUMENT on %s, after answering what came before', async (_, bad, message) => {
    const { answers, status } = await exchange(address, [
      encode({ list_services: '' }),
      bad,
      encode({ list_services: '' }),
    ]);
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(status.details).toContain(message);
    expect(answers).toHaveLength(1);
  });
});
