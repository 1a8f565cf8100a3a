// Server plumbing every mo daemon shares: limits, standard health + reflection, bind and close.
import { after } from './timers.js';
import * as grpc from '@grpc/grpc-js';
import { guardIdentify } from './audit/identify.js';
import { noteActivity } from './daemon/loop-delay.js';
import { auditInterceptor, type AuditOptions } from './audit/interceptor.js';
import { statusName, toServiceError, UnauthenticatedError } from './errors.js';
import { MAX_MESSAGE_BYTES, serverOptions } from './grpc-options.js';
import { HealthService } from './health.js';
import { rejectRefusedRequests } from './malformed.js';
import { addReflection } from './reflection/service.js';
import { callGuard, type CallGuardOptions } from './auth/guard.js';
import { identityFromCertificate, type Identity } from './auth/identity.js';
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
  /** The audit log (audit/): a line per change and per refused call. */
  audit?: AuditOptions;
  /**
   * The daemon's certificates: every connection is TLS, and each call's caller is identified by
   * its certificate (or a bearer token, when `guard.checkToken` takes them). Exactly one of `tls`
   * and `insecure` must be given.
   */
  tls?: ReloadableTls;
  /** Refuse a peer without a certificate of the CA at the handshake (agents); default true. */
  requireClientCertificate?: boolean;
  /** Plaintext, every caller `insecure` (a daemon's --insecure). */
  insecure?: boolean;
  /**
   * Who may call what (auth/guard.ts): every call is authenticated and checked against the access
   * table (auth/access.ts) before its handler runs. The transport's identity is filled in here
   * (the certificate, or `insecure`); this adds bearer tokens, rates and what is told of refusals.
   */
  guard?: Omit<CallGuardOptions, 'transportIdentity'>;
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
  const insecure: Identity = { kind: 'insecure' };
  // The caller as TLS established it: the verified client certificate's role (a certificate of the
  // CA without a mo role is refused by the guard: UNAUTHENTICATED naming what it had).
  // grpc-js (patched) keeps one auth context per HTTP/2 session, so the identity is read from the
  // certificate once per connection, not per call (a refusal is rethrown from the cache too).
  const perCertificate = new WeakMap<object, Identity | UnauthenticatedError>();
  const transportIdentity = (call: grpc.ServerInterceptingCallInterface): Identity | undefined => {
    if (options.insecure) return insecure;
    const peer = call.getAuthContext()?.sslPeerCertificate;
    if (!peer || Object.keys(peer).length === 0) return undefined;
    let known = perCertificate.get(peer);
    if (known === undefined) {
      try {
        known = identityFromCertificate(peer);
      } catch (err) {
        if (!(err instanceof UnauthenticatedError)) throw err;
        known = err;
      }
      perCertificate.set(peer, known);
    }
    if (known instanceof UnauthenticatedError) throw known;
    return known;
  };
  // Limits and keepalive: grpc-options.ts.
  // Requests that are not protobuf: INVALID_ARGUMENT (malformed.ts).
  // Interceptors wrap in order, the last outermost: the guard decides on the metadata, before any
  // request bytes are read. The audit interceptor goes first: it sees each call's metadata and
  // request before the others and its final status after them, so the guard's and the malformed-
  // request check's refusals too.
  const guard = { ...options.guard, transportIdentity };
  // Audit lines name callers as the guard admitted (or refused) them.
  const audit = options.audit && { ...options.audit, identify: options.audit.identify ?? guardIdentify(guard) };
  // Each call's start also arms the event-loop delay sampler (daemon/loop-delay.ts): done in the
  // outermost interceptor's function, not as one more interceptor (a layer every message crosses).
  const guardCall = callGuard(guard);
  const interceptors: grpc.ServerInterceptor[] = [
    ...(audit ? [auditInterceptor(audit)] : []),
    rejectRefusedRequests,
    (method, call) => {
      noteActivity();
      return guardCall(method, call);
    },
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
