// Turning a call into an Identity, once per call, in the server plumbing (an interceptor every
// MoServer installs): a bearer token when the call carries one (resolved by the daemon's
// TokenResolver), else the verified client certificate, else UNAUTHENTICATED. Then the method's
// rule (access.ts): PERMISSION_DENIED naming the role needed and the caller. Handlers read the
// identity with identityOf(call) (node binding, audit, rate limits).
import * as grpc from '@grpc/grpc-js';
import type { PeerCertificate } from 'node:tls';
import { MoError, UnauthenticatedError, toServiceError } from '../errors.js';
import { authorize } from './access.js';
import { identityFromCertificate, type Identity } from './identity.js';

/**
 * Resolves a bearer token's secret to its identity (`kind: 'token'`), or undefined when no token has
 * that secret (unknown, revoked, expired). Written by the tokens code; must compare in constant time.
 */
export type TokenResolver = (token: string) => Identity | undefined;

export interface AuthOptions {
  /** The daemon runs with --insecure: every caller is `insecure`, nothing is checked. */
  insecure?: boolean;
  /** Bearer tokens accepted here (none: a call carrying one is refused). */
  tokens?: TokenResolver;
}

/** What a call brought: the verified peer certificate (if any) and its `authorization` metadata. */
export interface CallCredentials {
  peerCertificate?: PeerCertificate | undefined;
  authorization?: string | undefined;
}

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;

/** The caller's identity; throws UnauthenticatedError (never echoing a secret). */
export function authenticate(creds: CallCredentials, options: AuthOptions): Identity {
  if (options.insecure) return { kind: 'insecure' };
  if (creds.authorization !== undefined) {
    const m = BEARER.exec(creds.authorization);
    if (!m) throw new UnauthenticatedError('authorization metadata: expected "Bearer <token>"');
    if (!options.tokens) throw new UnauthenticatedError('bearer tokens are not accepted by this server');
    const identity = options.tokens(m[1]!);
    if (!identity) throw new UnauthenticatedError('bearer token not accepted (unknown, revoked or expired)');
    return identity;
  }
  if (creds.peerCertificate) return identityFromCertificate(creds.peerCertificate);
  throw new UnauthenticatedError(
    "no client certificate signed by this cluster's CA (none sent, expired, or from another CA) and no bearer token",
  );
}

/** Identities of calls in flight, keyed by the call's metadata object (what handlers see as call.metadata). */
const identities = new WeakMap<grpc.Metadata, Identity>();

/**
 * The identity the server plumbing established for this call. Throws UNAUTHENTICATED if there is
 * none (a handler served without the auth interceptor): never a default identity.
 */
export function identityOf(call: { readonly metadata: grpc.Metadata }): Identity {
  const identity = identities.get(call.metadata);
  if (!identity) throw new UnauthenticatedError('no identity established for this call');
  return identity;
}

/**
 * Server interceptor: authenticates each call when its metadata arrives and applies the method's
 * rule; a refused call ends there with its status, and its handler never runs. The
 * `authorization` metadata is removed before handlers see it (a secret has no business further in).
 */
export function authInterceptor(options: AuthOptions): grpc.ServerInterceptor {
  return (method, call) => {
    let refused = false;
    const intercepted: grpc.ServerInterceptingCall = new grpc.ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, nextMetadata) {
            try {
              const peer = call.getAuthContext()?.sslPeerCertificate;
              const auth = metadata.get('authorization')[0];
              const identity = authenticate(
                { peerCertificate: peer, authorization: auth === undefined ? undefined : String(auth) },
                options,
              );
              authorize(method.path, identity);
              metadata.remove('authorization');
              identities.set(metadata, identity);
              nextMetadata(metadata);
            } catch (err) {
              refused = true;
              const status = toServiceError(err instanceof MoError ? err : new UnauthenticatedError(String(err)));
              intercepted.sendStatus({
                code: status.code ?? grpc.status.UNAUTHENTICATED,
                details: status.details ?? 'unauthenticated',
                metadata: new grpc.Metadata(),
              });
            }
          },
          onReceiveMessage(message, nextMessage) {
            if (!refused) nextMessage(message);
          },
          onReceiveHalfClose(nextHalfClose) {
            if (!refused) nextHalfClose();
          },
        });
      },
    });
    return intercepted;
  };
}
