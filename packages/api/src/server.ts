// Server plumbing every mo daemon shares: limits, standard health + reflection, bind and close.
import { after } from './timers.js';
import * as grpc from '@grpc/grpc-js';
import { statusName, toServiceError } from './errors.js';
import { MAX_MESSAGE_BYTES, serverOptions } from './grpc-options.js';
import { HealthService } from './health.js';
import { rejectRefusedRequests } from './malformed.js';
import { addReflection } from './reflection/service.js';
import { authInterceptor, type TokenResolver } from './auth/authenticate.js';
import { serverCredentials } from './tls/grpc.js';
import type { ReloadableTls } from './tls/source.js';

export { MAX_MESSAGE_BYTES } from './grpc-options.js';

export interface MoServerOptions {
  /**
   * Fully qualified service names served, reported SERVING by the health service and listed by
   * server reflection (with the health and reflection services themselves).
   */
  services: string[];
  maxMessageBytes?: number;
  /**
   * The daemon's certificates: every connection is TLS, each call authenticated and checked against
   * its method's rule (auth/access.ts). Exactly one of `tls` and `insecure` must be given.
   */
  tls?: ReloadableTls;
  /** Refuse a peer without a certificate of the CA at the handshake (agents); default true. */
  requireClientCertificate?: boolean;
  /** Bearer tokens this server accepts (the scheduler's client API). */
  tokens?: TokenResolver;
  /** Plaintext, every caller `insecure` (a daemon's --insecure). */
  insecure?: boolean;
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
  if (!options.tls === !options.insecure) throw new Error('createMoServer: give exactly one of tls and insecure');
  const credentials = options.tls
    ? serverCredentials(options.tls, options.requireClientCertificate ?? true)
    : grpc.ServerCredentials.createInsecure();
  // Limits and keepalive: grpc-options.ts. Each call authenticated and authorized first
  // (auth/authenticate.ts); requests that are not protobuf: INVALID_ARGUMENT (malformed.ts).
  const auth = authInterceptor({
    insecure: options.insecure === true,
    ...(options.tokens ? { tokens: options.tokens } : {}),
  });
  const server = new grpc.Server({ ...serverOptions(max), interceptors: [auth, rejectRefusedRequests] });
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
        server.bindAsync(address, credentials, (err, port) =>
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
