// Every mo gRPC server answers the standard health service and server reflection, so stock tools
// (grpc_health_probe, grpcurl) work against it. Real server, real sockets.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { join } from 'node:path';
import { PROTO_ROOT } from './proto.js';
import { createMoServer, type MoServer } from './server.js';
import { testChannelCredentials, testServerOptions } from '@mo/testkit';

const reflectionProto = join(PROTO_ROOT, 'grpc/reflection/v1/reflection.proto');

type Ctor = new (address: string, creds: grpc.ChannelCredentials) => grpc.Client;
function clientCtor(file: string, path: string[]): Ctor {
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(file, { keepCase: true, enums: String }));
  return path.reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], pkg) as Ctor;
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

describe('standard services on a mo gRPC server', () => {
  it.each(['', 'mo.v1.NodeAgent'])('health reports SERVING for %j', async (service) => {
    const Health = clientCtor(healthProtoPath, ['grpc', 'health', 'v1', 'Health']);
    const client = new Health(address, testChannelCredentials()) as grpc.Client & {
      Check(req: { service: string }, cb: (err: grpc.ServiceError | null, res?: { status: string }) => void): void;
    };
    const res = await new Promise<{ status: string } | undefined>((resolve, reject) =>
      client.Check({ service }, (err, r) => (err ? reject(err) : resolve(r))),
    );
    expect(res?.status).toBe('SERVING');
    client.close();
  });

  it('health: unknown services are NOT_FOUND, List names every service, Watch follows changes', async () => {
    const Health = clientCtor(healthProtoPath, ['grpc', 'health', 'v1', 'Health']);
    const s = createMoServer({ services: ['mo.v1.NodeAgent'], ...testServerOptions() });
    const addr = `127.0.0.1:${await s.listen('127.0.0.1:0')}`;
    type Cb<T> = (err: grpc.ServiceError | null, res?: T) => void;
    const client = new Health(addr, testChannelCredentials()) as grpc.Client & {
      Check(req: { service: string }, cb: Cb<{ status: string }>): void;
      List(req: object, cb: Cb<{ statuses: Record<string, { status: string }> }>): void;
      Watch(req: { service: string }): grpc.ClientReadableStream<{ status: string }>;
    };
    try {
      const missing = await new Promise<grpc.ServiceError | null>((resolve) =>
        client.Check({ service: 'mo.v1.Nope' }, (err) => resolve(err)),
      );
      expect(missing?.code).toBe(grpc.status.NOT_FOUND);
      const list = await new Promise<{ statuses: Record<string, { status: string }> } | undefined>((resolve, reject) =>
        client.List({}, (err, r) => (err ? reject(err) : resolve(r))),
      );
      expect(list?.statuses).toEqual({ '': { status: 'SERVING' }, 'mo.v1.NodeAgent': { status: 'SERVING' } });

      const seen: string[] = [];
      const watch = client.Watch({ service: 'mo.v1.NodeAgent' });
      const unknown = client.Watch({ service: 'mo.v1.Nope' });
      const firstUnknown = new Promise<string>((resolve) =>
        unknown.once('data', (d: { status: string }) => resolve(d.status)),
      );
      const twoSeen = new Promise<void>((resolve) =>
        watch.on('data', (d: { status: string }) => {
          seen.push(d.status);
          if (seen.length === 1) s.health.setStatus('mo.v1.NodeAgent', 'NOT_SERVING');
          if (seen.length === 2) resolve();
        }),
      );
      watch.on('error', () => undefined); // cancelled below
      unknown.on('error', () => undefined);
      await twoSeen;
      expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
      expect(await firstUnknown).toBe('SERVICE_UNKNOWN');
      watch.cancel();
      unknown.cancel();
    } finally {
      client.close();
      await s.close();
    }
  });

  it('reflection lists the mo services and serves their descriptors', async () => {
    const Reflection = clientCtor(reflectionProto, ['grpc', 'reflection', 'v1', 'ServerReflection']);
    const client = new Reflection(address, testChannelCredentials()) as grpc.Client & {
      ServerReflectionInfo(): grpc.ClientDuplexStream<
        { list_services?: string; file_containing_symbol?: string },
        {
          list_services_response?: { service: { name: string }[] };
          file_descriptor_response?: { file_descriptor_proto: Buffer[] };
        }
      >;
    };
    const call = client.ServerReflectionInfo();
    const responses: unknown[] = [];
    const done = new Promise<void>((resolve, reject) => {
      call.on('data', (d) => {
        responses.push(d);
        if (responses.length === 2) call.end();
      });
      call.on('end', resolve);
      call.on('error', reject);
    });
    call.write({ list_services: '*' });
    call.write({ file_containing_symbol: 'mo.v1.NodeAgent' });
    await done;
    const names = (
      responses[0] as { list_services_response: { service: { name: string }[] } }
    ).list_services_response.service.map((s) => s.name);
    // What this server serves, not every mo service.
    expect(names).toEqual([
      'mo.v1.NodeAgent',
      'grpc.health.v1.Health',
      'grpc.reflection.v1.ServerReflection',
      'grpc.reflection.v1alpha.ServerReflection',
    ]);
    const files = (responses[1] as { file_descriptor_response: { file_descriptor_proto: Buffer[] } })
      .file_descriptor_response.file_descriptor_proto;
    expect(files.length).toBeGreaterThan(0);
    client.close();
  });

  it('ends Watch calls on close, after telling them NOT_SERVING, so shutdown does not wait on them', async () => {
    const Health = clientCtor(healthProtoPath, ['grpc', 'health', 'v1', 'Health']);
    const s = createMoServer({ services: ['mo.v1.NodeAgent'], ...testServerOptions() });
    const addr = `127.0.0.1:${await s.listen('127.0.0.1:0')}`;
    const client = new Health(addr, testChannelCredentials()) as grpc.Client & {
      Watch(req: { service: string }): grpc.ClientReadableStream<{ status: string }>;
    };
    const seen: string[] = [];
    const watch = client.Watch({ service: '' });
    const ended = new Promise<void>((resolve, reject) => {
      watch.on('end', resolve);
      watch.on('error', reject);
    });
    await new Promise<void>((resolve) =>
      watch.on('data', (d: { status: string }) => {
        seen.push(d.status);
        resolve();
      }),
    );
    // A graceful close waits for open calls: with a Watch left open this would take the whole
    // (deliberately long) deadline and the test would time out instead.
    await s.close(120_000);
    await ended;
    expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
    client.close();
  }, 30_000);

  it('closes idempotently', async () => {
    const s = createMoServer({ services: ['mo.v1.NodeAgent'], ...testServerOptions() });
    await s.listen('127.0.0.1:0');
    const first = s.close();
    expect(s.close()).toBe(first);
    await expect(first).resolves.toBeUndefined();
  });
});
