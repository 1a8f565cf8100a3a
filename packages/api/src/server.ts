// Server plumbing every mo daemon shares: limits, standard health + reflection, bind and close.
import { after } from './timers.js';
import * as grpc from '@grpc/grpc-js';
import { auditInterceptor, type AuditOptions } from './audit/interceptor.js';
import { statusName, toServiceError } from './errors.js';
import { MAX_MESSAGE_BYTES, serverOptions } from './grpc-options.js';
import { HealthService } from './health.js';
import { rejectRefusedRequests } from './malformed.js';
import { addReflection } from './reflection/service.js';
import { callGuard, type CallGuardOptions } from './auth/guard.js';

export { MAX_MESSAGE_BYTES } from './grpc-options.js';

export interface MoServerOptions {
  /**
   * Fully qualified service names served, reported SERVING by the health service and listed by
   * server reflection (with the health and reflection services themselves).
   */
  services: string[];
  maxMessageBytes?: number;
  /** The audit log (audit/): a line per change and per refused call. */
  audit?: AuditOptions;
  /**
   * Who may call what (auth/guard.ts): every call is authenticated and checked against the access
   * table before its handler runs. Absent: no checks (agents, until certificates identify callers).
   */
  guard?: CallGuardOptions;
}

export interface MoServer {
  readonly server: grpc.Server;
  readonly health: HealthService;
  /** Binds `host:port` (port 0 picks one) and returns the bound port. */
  listen(address: string): Promise<number>;
  /** Graceful shutdown with a hard deadline; idempotent. */
  close(deadlineMs?: number): Promise<void>;
}

export function createMoServer(options: MoServerOptions): MoServer {
  const max = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  // Limits and keepalive: grpc-options.ts.
  // Requests that are not protobuf: INVALID_ARGUMENT (malformed.ts).
  // Interceptors wrap in order, the last outermost: the guard decides on the metadata, before any
  // request bytes are read. The audit interceptor goes first: it sees each call's metadata and
  // request before the others and its final status after them, so the guard's and the malformed-
  // request check's refusals too.
  const interceptors = [
    ...(options.audit ? [auditInterceptor(options.audit)] : []),
    rejectRefusedRequests,
    ...(options.guard ? [callGuard(options.guard)] : []),
  ];
  const server = new grpc.Server({ ...serverOptions(max), interceptors });
  const status: Record<string, 'SERVING'> = { '': 'SERVING' };
  for (const s of options.services) status[s] = 'SERVING';
  const health = new HealthService(status);
  health.addToServer(server);
  addReflection(server, options.services);

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
      .then(() => {
        return fn(call.request, call);
      })
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
  return <Req, Res>(
    method: string,
    fn: (req: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res> | Res,
  ): grpc.handleUnaryCall<Req, Res> =>
    unaryHandler<Req, Res>(async (req, call) => {
      try {
        const res = await fn(req, call);
        onRequest?.(method, 'OK');
        return res;
      } catch (err) {
        onRequest?.(method, statusName(toServiceError(err).code ?? grpc.status.UNKNOWN));
        throw err;
      }
    });
}
