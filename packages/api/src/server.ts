// Server plumbing every mo daemon shares: limits, standard health + reflection, bind and close.
import { after } from './timers.js';
import * as grpc from '@grpc/grpc-js';
import type { ReflectionService } from '@grpc/reflection';
import { createRequire } from 'node:module';
import { statusName, toServiceError } from './errors.js';
import { MAX_MESSAGE_BYTES, serverOptions } from './grpc-options.js';
import { HealthService } from './health.js';
import { rejectMalformedRequests } from './malformed.js';
import { moPackageDefinition } from './proto.js';

export { MAX_MESSAGE_BYTES } from './grpc-options.js';

export interface MoServerOptions {
  /** Fully qualified service names served, reported SERVING by the health service. */
  services: string[];
  maxMessageBytes?: number;
}

export interface MoServer {
  readonly server: grpc.Server;
  readonly health: HealthService;
  /** Binds `host:port` (port 0 picks one) and returns the bound port. */
  listen(address: string): Promise<number>;
  /** Graceful shutdown with a hard deadline; idempotent. */
  close(deadlineMs?: number): Promise<void>;
}

// Resolved from @mo/api's own package (self-reference), not from this file: a daemon may run from a
// bundle in another package's dist/, and these lazily loaded dependencies are @mo/api's.
const require = createRequire(import.meta.resolve('@mo/api'));

/**
 * Server reflection (v1 and v1alpha), loaded on its first call: @grpc/reflection needs protobufjs,
 * proto-loader and every file descriptor (~5 MiB of a daemon's RSS), and only tools like grpcurl
 * ever ask. The services are registered up front with serializers and a handler that load the
 * real ones (captured from @grpc/reflection's own addToServer) when a call arrives.
 */
function addLazyReflection(server: grpc.Server, services: string[]): void {
  let real: Map<string, { def: grpc.MethodDefinition<object, object>; impl: grpc.UntypedHandleCall }> | undefined;
  const load = (path: string) => {
    if (!real) {
      const loaded = new Map<string, { def: grpc.MethodDefinition<object, object>; impl: grpc.UntypedHandleCall }>();
      const capture = {
        addService(def: grpc.ServiceDefinition, impl: grpc.UntypedServiceImplementation) {
          for (const [name, m] of Object.entries(def)) loaded.set(m.path, { def: m, impl: impl[name]! });
        },
      };
      const { ReflectionService: Reflection } = require('@grpc/reflection') as {
        ReflectionService: typeof ReflectionService;
      };
      // Only what this server serves: the package definition holds every mo service.
      new Reflection(moPackageDefinition(), { services }).addToServer(capture as unknown as grpc.Server);
      real = loaded;
    }
    const found = real.get(path);
    if (!found) throw new Error(`@grpc/reflection does not serve ${path}`);
    return found;
  };
  for (const version of ['v1', 'v1alpha']) {
    const path = `/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`;
    const method: grpc.MethodDefinition<object, object> = {
      path,
      requestStream: true,
      responseStream: true,
      requestSerialize: (v) => load(path).def.requestSerialize(v),
      requestDeserialize: (b) => load(path).def.requestDeserialize(b),
      responseSerialize: (v) => load(path).def.responseSerialize(v),
      responseDeserialize: (b) => load(path).def.responseDeserialize(b),
      originalName: 'serverReflectionInfo',
    };
    server.addService(
      { ServerReflectionInfo: method },
      {
        ServerReflectionInfo: (call: grpc.ServerDuplexStream<object, object>) =>
          (load(path).impl as grpc.handleBidiStreamingCall<object, object>)(call),
      },
    );
  }
}

export function createMoServer(options: MoServerOptions): MoServer {
  const max = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  // Limits and keepalive: grpc-options.ts.
  // Requests that are not protobuf: INVALID_ARGUMENT (malformed.ts).
  const server = new grpc.Server({ ...serverOptions(max), interceptors: [rejectMalformedRequests] });
  const status: Record<string, 'SERVING'> = { '': 'SERVING' };
  for (const s of options.services) status[s] = 'SERVING';
  const health = new HealthService(status);
  health.addToServer(server);
  addLazyReflection(server, options.services);

  let closing: Promise<void> | undefined;
  return {
    server,
    health,
    listen(address) {
      return new Promise((resolve, reject) => {
        server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, port) =>
          err ? reject(new Error(`cannot listen on ${address}: ${err.message}`)) : resolve(port),
        );
      });
    },
    close(deadlineMs = 5000) {
      closing ??= new Promise<void>((resolve) => {
        for (const s of Object.keys(status)) health.setStatus(s, 'NOT_SERVING');
        health.endWatches();
        const timer = after(
          deadlineMs,
          () => {
            server.forceShutdown();
            resolve();
          },
          { ref: true },
        );
        server.tryShutdown(() => {
          timer.cancel();
          resolve();
        });
      });
      return closing;
    },
  };
}

/** Wraps an async unary handler: resolves to the response, maps thrown errors to gRPC status. */
export function unaryHandler<Req, Res>(
  fn: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res> | Res,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request, call))
      .then(
        (res) => callback(null, res),
        (err: unknown) => callback(toServiceError(err)),
      );
  };
}

/**
 * unaryHandler that also reports each call's method and final status name (for a daemon's
 * `*_grpc_requests_total` counter): `const counted = countedUnary(onRequest)`, then
 * `counted('Method', async (req) => ...)`.
 */
export function countedUnary(onRequest: ((method: string, code: string) => void) | undefined) {
  return <Req, Res>(method: string, fn: (req: Req) => Promise<Res> | Res): grpc.handleUnaryCall<Req, Res> =>
    unaryHandler<Req, Res>(async (req) => {
      try {
        const res = await fn(req);
        onRequest?.(method, 'OK');
        return res;
      } catch (err) {
        onRequest?.(method, statusName(toServiceError(err).code ?? grpc.status.UNKNOWN));
        throw err;
      }
    });
}
