// What a failed StartWorkload says about the node. The circuit breaker must count only node faults:
// a node that cannot be reached or fails inside is avoided for a while, but a node that refuses
// one workload (bad argv, an image it cannot pull, a full port range) is working, and re-placing
// that workload in a loop, blaming each node in turn, avoided every healthy node (issue 11).
// A node fault is not proof that the start did not land: a call whose deadline passed while a
// loaded agent worked on it ran all the same, and placing it again ran the workload twice.
import * as grpc from '@grpc/grpc-js';

/**
 * - `refused`: the node answered and declined this workload: the allocation ends `failed` with the
 *   node's reason (its restart policy and backoff apply); the node's breaker is not touched.
 * - `already_started`: an earlier start reached it (a re-dispatch): ask for its state instead.
 * - `node_fault`: the call never reached the workload (no connection, or the node refused the call
 *   itself: no such method, credentials): counts towards the node's breaker, and the start is
 *   retried elsewhere without using a restart.
 * - `unconfirmed`: timed out, cut mid-call, crashed inside, or no gRPC status at all: a node fault
 *   too, but the start may have landed: the node is asked before the workload is placed again.
 */
export type StartErrorKind = 'refused' | 'already_started' | 'node_fault' | 'unconfirmed';

const REFUSALS: ReadonlySet<number> = new Set([
  grpc.status.INVALID_ARGUMENT, // the spec does not run here (no such program, image not pullable)
  grpc.status.FAILED_PRECONDITION, // the node lacks what the spec needs (no engine, no artifact path)
  grpc.status.RESOURCE_EXHAUSTED, // e.g. its docker port range is full (held by other programs)
  grpc.status.OUT_OF_RANGE,
  grpc.status.NOT_FOUND,
  grpc.status.PERMISSION_DENIED, // e.g. a user this node does not allow
]);

/** Answers the node gives before any handler runs: the call was refused as a whole. */
const CALL_REFUSED: ReadonlySet<number> = new Set([grpc.status.UNIMPLEMENTED, grpc.status.UNAUTHENTICATED]);

/** The clients' words for a call that never left: no connection could be made (wire and grpc-js). */
const NOT_SENT = /No connection established/;

/** Classifies a failed start by its gRPC status code (undefined: not a gRPC error) and message. */
export function startErrorKind(code: number | undefined, message = ''): StartErrorKind {
  if (code === grpc.status.ALREADY_EXISTS) return 'already_started';
  if (code !== undefined && REFUSALS.has(code)) return 'refused';
  if (code !== undefined && CALL_REFUSED.has(code)) return 'node_fault';
  if (code === grpc.status.UNAVAILABLE && NOT_SENT.test(message)) return 'node_fault';
  return 'unconfirmed';
}
