// The etcd store's failure modes, one class each. All are MoErrors, so a client sees the right
// gRPC status: UNAVAILABLE for "not the leader any more" and "etcd cannot answer" (retry
// elsewhere or later), INVALID_ARGUMENT for a commit too large for one etcd transaction.
import * as grpc from '@grpc/grpc-js';
import { MoError } from '@mo/api';

/**
 * Thrown by a commit of a scheduler that is no longer the leader: etcd refused its fenced
 * transaction (the leader key's create revision is not its epoch any more), or its leadership was
 * already lost (lease expired, revoked, resigned). Nothing of the commit was written.
 */
export class FencedError extends MoError {
  /** Read by isDeposed (store.ts): an expected refusal once leadership is lost. */
  readonly deposed = true;
  constructor(
    readonly epoch: string,
    readonly reason: string,
  ) {
    super(grpc.status.UNAVAILABLE, `store: this scheduler is no longer the leader (epoch ${epoch}): ${reason}`);
  }
}

/**
 * Thrown when etcd did not answer within the request deadline: no quorum, or every member
 * unreachable. A transaction is atomic, so nothing of it is half-written; it may (rarely) have
 * landed whole if the answer alone was lost.
 */
export class EtcdUnavailableError extends MoError {
  constructor(what: string, endpoints: readonly string[], detail: string, options?: { cause?: unknown }) {
    super(
      grpc.status.UNAVAILABLE,
      `store: etcd has no quorum or is unreachable (${endpoints.join(', ')}): ${what}: ${detail}; retry when etcd is back`,
      options,
    );
  }
}

/** Thrown by a single commit whose ops cannot fit one etcd transaction (ops count or bytes). */
export class EtcdCommitTooLargeError extends MoError {
  constructor(detail: string) {
    super(grpc.status.INVALID_ARGUMENT, `store: a commit is too large for one etcd transaction: ${detail}`);
  }
}

/** Thrown by calls on an EtcdCluster (or a store of it) after close(). */
export class EtcdClosedError extends MoError {
  constructor(what: string) {
    super(grpc.status.UNAVAILABLE, `store: the etcd client is closed (${what})`);
  }
}
