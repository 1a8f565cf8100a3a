// Server plumbing every mo daemon shares: limits, standard health + reflection, bind and close.
import * as grpc from '@grpc/grpc-js';
import type { ReflectionService } from '@grpc/reflection';
import type { HealthImplementation } from 'grpc-health-check';
import { createRequire } from 'node:module';
import { statusName, toServiceError } from './errors.js';
import { moPackageDefinition } from './proto.js';

/** Largest request a daemon accepts; bigger ones fail with RESOURCE_EXHAUSTED before any handler. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export interface MoServerOptions {
  /** Fully qualified service names served, reported SERVING by the health service. */
  services: string[];
  maxMessageBytes?: number;
}

export interface MoServer {
  readonly server: grpc.Server;
  readonly health: HealthImplementation;
  /** Binds `host:port` (port 0 picks one) and returns the bound port. */
  listen(address: string): Promise<number>;
  /** Graceful shutdown with a hard deadline; idempotent. */
  close(deadlineMs?: number): Promise<void>;
}

// Health and reflection parse their own .proto files when loaded: only daemons need them, so they
// are required here on first use and a client (the mo CLI) never pays for them.
const require = createRequire(import.meta.url);
function serverExtras(): {
  HealthImplementation: typeof HealthImplementation;
  ReflectionService: typeof ReflectionService;
} {
  const health = require('grpc-health-check') as typeof import('grpc-health-check');
  const reflection = require('@grpc/reflection') as typeof import('@grpc/reflection');
  return { HealthImplementation: health.HealthImplementation, ReflectionService: reflection.ReflectionService };
}

export function createMoServer(options: MoServerOptions): MoServer {
  const { HealthImplementation, ReflectionService } = serverExtras();
  const max = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  const server = new grpc.Server({
    'grpc.max_receive_message_length': max,
    'grpc.max_send_message_length': max,
    // channelz bookkeeping (per-call counters and traces) costs CPU on every call; mo has its own metrics.
    'grpc.enable_channelz': 0,
  });
  const status: Record<string, 'SERVING'> = { '': 'SERVING' };
  for (const s of options.services) status[s] = 'SERVING';
  const health = new HealthImplementation(status);
  health.addToServer(server);
  new ReflectionService(moPackageDefinition()).addToServer(server);

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
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, deadlineMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
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
