// The contract between several schedulers and their callers (issue 18). One scheduler leads; the
// others are followers. A follower refuses what only the leader may do with UNAVAILABLE, a message
// that starts with NOT_LEADER, and the leader's gRPC address in the `mo-leader` trailer (empty when
// no leader is known yet): a NotLeaderError (errors.ts) on the client side. A client given several
// scheduler addresses follows that redirect, or tries the next address. HTTP callers get 503 with
// the same message and the `mo-leader` / `mo-leader-http` headers.
import * as grpc from '@grpc/grpc-js';
import { LEADER_KEY, NOT_LEADER, NotLeaderError } from './errors.js';
import { STATUS } from './status.js';

export { LEADER_KEY, NOT_LEADER, NotLeaderError } from './errors.js';

/** HTTP header naming the leader's HTTP address (API and dashboard). */
export const LEADER_HTTP_KEY = 'mo-leader-http';

/** Where the current leader can be reached (what it writes under the election key). */
export interface LeaderAddress {
  /** host:port of its gRPC API (clients and agents). */
  grpc: string;
  /** host:port of its HTTP listener (API, dashboard, /metrics). */
  http: string;
}

/** The ServiceError a follower's handlers answer with (status, message and trailer). */
export function notLeaderStatus(leader: string | undefined): Partial<grpc.ServiceError> {
  // Here, not in errors.ts: that one stays free of grpc-js at run time (the CLI's fast path).
  const e = new NotLeaderError(leader);
  const metadata = new grpc.Metadata();
  metadata.set(LEADER_KEY, leader ?? '');
  return { code: e.code, details: e.message, message: e.message, metadata };
}

/**
 * Whether an error is a follower's refusal, and whom it names: undefined = not a redirect; `''`
 * = a redirect with no leader known yet; otherwise the leader's gRPC address.
 */
export function redirectOf(err: unknown): string | undefined {
  if (err instanceof NotLeaderError) return err.leader ?? '';
  if (!(err instanceof Error) || (err as { code?: unknown }).code !== STATUS.UNAVAILABLE) return undefined;
  const md = (err as { metadata?: unknown }).metadata;
  if (md instanceof grpc.Metadata) {
    const v = md.get(LEADER_KEY)[0];
    if (v !== undefined) return String(v);
  }
  return err.message.includes(NOT_LEADER) ? '' : undefined;
}

/** Splits `a,b,c` (the --scheduler flag) into addresses; an empty entry is an error naming `field`. */
export function splitAddresses(list: string, field: string): string[] {
  const parts = list.split(',').map((s) => s.trim());
  if (parts.some((p) => p === '')) throw new Error(`${field}: expected host:port[,host:port...], got "${list}"`);
  return [...new Set(parts)];
}
