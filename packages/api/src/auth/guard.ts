// Authentication and access for every call a server takes, before any handler runs: the caller's
// identity (a bearer token, else what the transport knows), then the access table (access.ts).
// A refused call ends UNAUTHENTICATED or PERMISSION_DENIED and its handler never starts; an
// admitted one carries its identity, which handlers read with identityOf(call). Then the rates
// per identity (call-rates.ts): past them RESOURCE_EXHAUSTED with a `retry-after-ms` trailer,
// and again the handler never starts (nothing is stored for a refused call).
import * as grpc from '@grpc/grpc-js';
import { PermissionDeniedError, UnauthenticatedError } from '../errors.js';
import type { CallRateLimiter } from '../call-rates.js';
import { authorize, callClassOf } from './access.js';
import { describeIdentity, type Identity } from './identity.js';
import { AUTHORIZATION_KEY, bearerToken, type TokenCheck } from './tokens.js';

/** Checks a bearer token (in memory, no I/O): the scheduler's token table. */
export type TokenChecker = (token: string) => TokenCheck;

/**
 * The caller of one call, from its metadata and what the transport established. A bearer token,
 * when sent, is the identity (a person's or a script's, more precise than the certificate of the
 * machine it runs on) and must be valid: a bad token is never ignored in favour of the transport,
 * so a caller never gets more than it asked for. Without a token, the transport's identity
 * (`insecure` on a daemon started with --insecure). Throws UnauthenticatedError.
 */
export function authenticate(
  metadata: grpc.Metadata,
  transport: Identity | undefined,
  checkToken: TokenChecker | undefined,
): Identity {
  const bearer = bearerToken(metadata.get(AUTHORIZATION_KEY));
  if (bearer && 'error' in bearer) throw new UnauthenticatedError(bearer.error);
  if (bearer) {
    if (!checkToken) throw new UnauthenticatedError('this daemon takes no bearer tokens');
    const check = checkToken(bearer.token);
    if ('refused' in check) throw new UnauthenticatedError(`bearer token refused: ${check.refused}`);
    return check.identity;
  }
  if (transport) return transport;
  throw new UnauthenticatedError(
    "no client certificate signed by this cluster's CA (none sent, expired, or from another CA) and no bearer token (mo --token, or MO_TOKEN)",
  );
}

const identities = new WeakMap<grpc.Metadata, Identity>();

/** The identity the guard admitted a call with (undefined on a server without a guard). */
export function identityOf(call: { readonly metadata: grpc.Metadata }): Identity | undefined {
  return identities.get(call.metadata);
}

export interface CallRefusal {
  /** The method's path, "/mo.v1.Scheduler/SubmitWorkload". */
  readonly path: string;
  readonly code:
    grpc.status.UNAUTHENTICATED | grpc.status.PERMISSION_DENIED | grpc.status.RESOURCE_EXHAUSTED | grpc.status.INTERNAL;
  readonly message: string;
  /** INTERNAL: what failed inside the guard (a token store that threw); the daemon's to log. */
  readonly fault?: unknown;
  /** Known when the caller was identified but lacked access. */
  readonly identity?: Identity;
  /** The caller's address (grpc-js's getPeer: "ip:port"). */
  readonly peer: string;
}

export interface CallGuardOptions {
  /** The caller as the transport knows it: `{ kind: 'insecure' }` on a plaintext daemon. */
  transportIdentity: (call: grpc.ServerInterceptingCallInterface) => Identity | undefined;
  /** Bearer tokens (absent: a call that sends one is refused). */
  checkToken?: TokenChecker;
  /** Told of every refused call (metrics, logs, audit). */
  onRefused?: (refusal: CallRefusal) => void;
  /** Rates per identity and class of call; absent: none. */
  rates?: CallRateLimiter;
}

/**
 * The key an identity's rates are kept under: its description, except on a daemon without
 * identities (--insecure), where callers are told apart only by their address.
 */
export function rateKeyOf(identity: Identity, peer: string): string {
  if (identity.kind !== 'insecure') return describeIdentity(identity);
  return `insecure@${peer.slice(0, peer.lastIndexOf(':') > 0 ? peer.lastIndexOf(':') : peer.length)}`;
}

/** What a caller is told when the guard itself failed (the daemon logs the cause). */
export const GUARD_FAULT_MESSAGE = 'internal error: the call could not be checked (the daemon logged why)';

/** The trailer that says when a call refused for its rate may be tried again. */
export const RETRY_AFTER_KEY = 'retry-after-ms';

/** The decision for one call: its identity, or the refusal. Pure apart from `options`' functions. */
export function admitCall(
  path: string,
  metadata: grpc.Metadata,
  transport: Identity | undefined,
  checkToken: TokenChecker | undefined,
): { identity: Identity } | { refusal: { code: CallRefusal['code']; message: string; identity?: Identity } } {
  let identity: Identity;
  try {
    identity = authenticate(metadata, transport, checkToken);
  } catch (err) {
    if (!(err instanceof UnauthenticatedError)) throw err;
    return { refusal: { code: grpc.status.UNAUTHENTICATED, message: err.message } };
  }
  const verdict = authorize(identity, path);
  if (!verdict.ok) {
    const denied = new PermissionDeniedError(verdict.message);
    return { refusal: { code: grpc.status.PERMISSION_DENIED, message: denied.message, identity } };
  }
  return { identity };
}

/** A call admitted by admitRequest, or refused (with when to retry, for a rate). */
export type Admission =
  | { identity: Identity; rateKey: string }
  | { refusal: { code: CallRefusal['code']; message: string; identity?: Identity; retryAfterMs?: number } };

/**
 * The whole decision on one call, for any transport (gRPC's callGuard, the scheduler's HTTP API):
 * who calls (admitCall), then its rate per identity and class of call. `peer` is "ip:port".
 * Heartbeats are counted per message by the caller (the returned rateKey).
 */
export function admitRequest(
  options: Pick<CallGuardOptions, 'checkToken' | 'rates'>,
  path: string,
  metadata: grpc.Metadata,
  transport: Identity | undefined,
  peer: string,
  nowMs: number,
): Admission {
  const decision = admitCall(path, metadata, transport, options.checkToken);
  if (!('identity' in decision)) return decision;
  const cls = callClassOf(path);
  // Without identities, nodes are told apart by nothing better than their address, which
  // the per-address registration and per-stream heartbeat bounds already cover.
  const limited = decision.identity.kind !== 'insecure' || cls === 'mutating';
  const rateKey = limited ? rateKeyOf(decision.identity, peer) : '';
  const overRate = cls === 'heartbeat' || !limited ? undefined : options.rates?.check(rateKey, cls, nowMs);
  if (overRate) {
    const { message, retryAfterMs } = overRate;
    return {
      refusal: { code: grpc.status.RESOURCE_EXHAUSTED, message, identity: decision.identity, retryAfterMs },
    };
  }
  return { identity: decision.identity, rateKey };
}

/** The server interceptor that applies admitRequest to every call (server.ts installs it first). */
export function callGuard(options: CallGuardOptions): grpc.ServerInterceptor {
  return (method, call) => {
    let refused = false;
    let rateKey = '';
    const cls = callClassOf(method.path);
    const refuse = (
      code: CallRefusal['code'],
      message: string,
      identity?: Identity,
      retryAfterMs?: number,
      fault?: unknown,
    ) => {
      if (refused) return;
      refused = true;
      try {
        options.onRefused?.({
          path: method.path,
          code,
          message,
          peer: call.getPeer(),
          ...(identity ? { identity } : {}),
          ...(fault !== undefined ? { fault } : {}),
        });
      } catch {
        // Its report (metrics, a log line) failing must not leave the caller without an answer.
      }
      const trailer = new grpc.Metadata();
      if (retryAfterMs !== undefined) trailer.set(RETRY_AFTER_KEY, String(retryAfterMs));
      intercepted.sendStatus({ code, details: message, metadata: trailer });
    };
    // These callbacks run in grpc-js's stream events, where a throw is an uncaught exception that
    // ends the daemon: a fault here (a token store that threw) fails this call alone.
    const guarded =
      <A extends unknown[]>(fn: (...args: A) => void) =>
      (...args: A): void => {
        try {
          fn(...args);
        } catch (err) {
          refuse(grpc.status.INTERNAL, GUARD_FAULT_MESSAGE, undefined, undefined, err);
        }
      };
    const intercepted: grpc.ServerInterceptingCall = new grpc.ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata: guarded((metadata: grpc.Metadata, nextMetadata: (m: grpc.Metadata) => void) => {
            let transport: Identity | undefined;
            try {
              transport = options.transportIdentity(call);
            } catch (err) {
              // A certificate of the CA that names no mo role (or two).
              if (!(err instanceof UnauthenticatedError)) throw err;
              return refuse(grpc.status.UNAUTHENTICATED, err.message);
            }
            const decision = admitRequest(options, method.path, metadata, transport, call.getPeer(), Date.now());
            if (!('identity' in decision)) {
              // The handler never starts: without the metadata passed on it does not read the request.
              const { code, message, identity, retryAfterMs } = decision.refusal;
              return refuse(code, message, identity, retryAfterMs);
            }
            rateKey = decision.rateKey;
            identities.set(metadata, decision.identity);
            nextMetadata(metadata);
          }),
          onReceiveMessage: guarded((message: unknown, nextMessage: (m: unknown) => void) => {
            if (refused) return;
            // Heartbeats count per message, over all of a node's streams.
            const overRate =
              cls === 'heartbeat' && rateKey ? options.rates?.check(rateKey, cls, Date.now()) : undefined;
            if (overRate)
              return refuse(grpc.status.RESOURCE_EXHAUSTED, overRate.message, undefined, overRate.retryAfterMs);
            nextMessage(message);
          }),
          onReceiveHalfClose(nextHalfClose: () => void) {
            if (!refused) nextHalfClose();
          },
        });
      },
    });
    return intercepted;
  };
}
