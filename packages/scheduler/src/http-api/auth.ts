// Who calls the HTTP API, decided as for gRPC: a bearer token (`Authorization: Bearer …`), else the
// client certificate the TLS handshake verified (else `insecure` on a plaintext daemon), then the
// access table and the rates per identity for the gRPC method the route mirrors (@mo/api
// admitRequest: one table, one limiter shared with the gRPC guard). Refusals are told to the same
// onRefused (metrics, debug log) as gRPC's.
import * as grpc from '@grpc/grpc-js';
import {
  admitRequest,
  AUTHORIZATION_KEY,
  identityFromCertificate,
  MoError,
  UnauthenticatedError,
  type CallGuardOptions,
  type Identity,
} from '@mo/api';
import type http from 'node:http';
import type { TLSSocket } from 'node:tls';

export interface HttpAuthOptions {
  /** A plaintext daemon (--insecure): every caller is `insecure`, as on its gRPC port. */
  insecure: boolean;
  /** The gRPC guard's token check, rates and refusal hook (tokens/guard.ts schedulerGuard). */
  guard: Pick<CallGuardOptions, 'checkToken' | 'rates' | 'onRefused'>;
}

/** Thrown when a caller is refused for its rate; the reply's Retry-After comes from it. */
export class RefusedForRate extends MoError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(grpc.status.RESOURCE_EXHAUSTED, message);
  }
}

/** "ip:port" of the caller, as grpc-js's getPeer says it (rate keys of insecure callers, audit). */
export function peerOf(req: http.IncomingMessage): string {
  const { remoteAddress = '', remotePort = 0 } = req.socket ?? {};
  return remoteAddress.includes(':') ? `[${remoteAddress}]:${remotePort}` : `${remoteAddress}:${remotePort}`;
}

export class HttpAuth {
  /** Per TLS connection: its certificate is read once (as the gRPC server does per session). */
  private readonly perSocket = new WeakMap<object, Identity | UnauthenticatedError | null>();

  constructor(private readonly o: HttpAuthOptions) {}

  /** The caller as the transport knows it; throws UnauthenticatedError for a certificate with no mo role. */
  transportIdentity(req: http.IncomingMessage): Identity | undefined {
    if (this.o.insecure) return { kind: 'insecure' };
    const socket = req.socket as TLSSocket;
    let known = this.perSocket.get(socket);
    if (known === undefined) {
      const peer = socket.authorized ? socket.getPeerCertificate() : undefined;
      if (!peer || Object.keys(peer).length === 0) known = null;
      else {
        try {
          known = identityFromCertificate(peer);
        } catch (err) {
          if (!(err instanceof UnauthenticatedError)) throw err;
          known = err;
        }
      }
      this.perSocket.set(socket, known);
    }
    if (known instanceof UnauthenticatedError) throw known;
    return known ?? undefined;
  }

  /**
   * Admits a request to the route mirroring gRPC method `rpc` ("/mo.v1.Scheduler/ListWorkloads"),
   * or throws what gRPC would answer: UNAUTHENTICATED, PERMISSION_DENIED, RESOURCE_EXHAUSTED.
   * `refused` receives the identity a refused caller proved, if any (for the audit line).
   */
  admit(req: http.IncomingMessage, rpc: string, refused?: (identity: Identity | undefined) => void): Identity {
    const peer = peerOf(req);
    const refuse = (code: grpc.status, message: string, identity?: Identity, retryAfterMs?: number): never => {
      this.o.guard.onRefused?.({
        path: rpc,
        code: code as grpc.status.UNAUTHENTICATED,
        message,
        peer,
        ...(identity ? { identity } : {}),
      });
      refused?.(identity);
      if (retryAfterMs !== undefined) throw new RefusedForRate(message, retryAfterMs);
      throw new MoError(code, message);
    };
    let transport: Identity | undefined;
    try {
      transport = this.transportIdentity(req);
    } catch (err) {
      if (!(err instanceof UnauthenticatedError)) throw err;
      return refuse(grpc.status.UNAUTHENTICATED, err.message);
    }
    const metadata = new grpc.Metadata();
    const authorization = req.headers.authorization;
    if (authorization !== undefined) metadata.set(AUTHORIZATION_KEY, authorization);
    const decision = admitRequest(this.o.guard, rpc, metadata, transport, peer, Date.now());
    if ('identity' in decision) return decision.identity;
    const { code, message, identity, retryAfterMs } = decision.refusal;
    return refuse(code, message, identity, retryAfterMs);
  }
}
