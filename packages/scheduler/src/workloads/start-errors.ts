// What a failed StartWorkload says about the node. The circuit breaker must count only node faults:
// a node that cannot be reached or fails inside is avoided for a while, but a node that refuses
// one workload (bad argv, an image it cannot pull, a full port range) is working, and re-placing
// that workload in a loop, blaming each node in turn, avoided every healthy node (issue 11).
import * as grpc from '@grpc/grpc-js';

/**
 * - `refused`: the node answered and declined this workload: the allocation ends `failed` with the
 *   node's reason (its restart policy and backoff apply); the node's breaker is not touched.
 * - `already_started`: an earlier start reached it (a re-dispatch): ask for its state instead.
 * - `node_fault`: unreachable, timed out, crashed inside, or no gRPC status at all: counts towards
 *   the node's breaker and the start is retried elsewhere without using a restart.
 */
export type StartErrorKind = 'refused' | 'already_started' | 'node_fault';

const REFUSALS: ReadonlySet<number> = new Set([
  grpc.status.INVALID_ARGUMENT, // the spec does not run here (no such program, image not pullable)
  grpc.status.FAILED_PRECONDITION, // the node lacks what the spec needs (no engine, no artifact path)
  grpc.status.RESOURCE_EXHAUSTED, // e.g. its docker port range is full (held by other programs)
  grpc.status.OUT_OF_RANGE,
  grpc.status.NOT_FOUND,
  grpc.status.PERMISSION_DENIED, // e.g. a user this node does not allow
]);

/** Classifies the gRPC status code of a failed start (undefined: not a gRPC error). */
export function startErrorKind(code: number | undefined): StartErrorKind {
  if (code === grpc.status.ALREADY_EXISTS) return 'already_started';
  if (code !== undefined && REFUSALS.has(code)) return 'refused';
  return 'node_fault';
}
