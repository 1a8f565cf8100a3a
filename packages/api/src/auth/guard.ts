// Authentication and access for every call a server takes, before any handler runs: the caller's
// identity (a bearer token, else what the transport knows), then the access table (access.ts).
// A refused call ends UNAUTHENTICATED or PERMISSION_DENIED and its handler never starts; an
// admitted one carries its identity, which handlers read with identityOf(call).
import * as grpc from '@grpc/grpc-js';
import { PermissionDeniedError, UnauthenticatedError } from '../errors.js';
import { authorize } from './access.js';
import type { Identity } from './identity-types.js';
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
    'no credentials: send a client certificate or a bearer token (mo --token, or MO_TOKEN)',
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
  readonly code: grpc.status.UNAUTHENTICATED | grpc.status.PERMISSION_DENIED;
  readonly message: string;
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
}

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

/** The server interceptor that applies admitCall to every call (server.ts installs it first). */
export function callGuard(options: CallGuardOptions): grpc.ServerInterceptor {
  return (method, call) => {
    let refused = false;
    const intercepted: grpc.ServerInterceptingCall = new grpc.ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata: grpc.Metadata, nextMetadata: (m: grpc.Metadata) => void) {
            const decision = admitCall(method.path, metadata, options.transportIdentity(call), options.checkToken);
            if ('identity' in decision) {
              identities.set(metadata, decision.identity);
              return nextMetadata(metadata);
            }
            // The handler never starts: without the metadata passed on it does not read the request.
            refused = true;
            const { code, message, identity } = decision.refusal;
            options.onRefused?.({
              path: method.path,
              code,
              message,
              peer: call.getPeer(),
              ...(identity ? { identity } : {}),
            });
            intercepted.sendStatus({ code, details: message, metadata: new grpc.Metadata() });
          },
          onReceiveMessage(message: unknown, nextMessage: (m: unknown) => void) {
            if (!refused) nextMessage(message);
          },
          onReceiveHalfClose(nextHalfClose: () => void) {
            if (!refused) nextHalfClose();
          },
        });
      },
    });
    return intercepted;
  };
}
