// Which scheduler a client calls next, given how a call failed (issue 18: several schedulers, one
// leader). Pure: the clients (base-client.ts, wire/index.ts) and the agent's reporter apply it.
//
// - A follower's refusal naming the leader (NotLeaderError) is a refusal before anything ran: any
//   call may be sent again, to the leader it names.
// - A refusal naming no leader (an election under way) is safe too: try the other addresses, and
//   once every one has been tried, wait briefly (100 ms, doubling, at most 1 s) and go round
//   again, within the call's deadline.
// - A connection failure (UNAVAILABLE without the trailer) may have cut a call that ran: only a
//   read or an idempotent call (a submission with an idempotency key) moves on to another address
//   within the call; any other call fails with the error, and the NEXT call starts elsewhere.
//   A refused connection (ECONNREFUSED: a dead leader's port) is the exception: nothing was sent,
//   so any call moves on (an approval, a stop after a failover).
// - Anything else is the server's answer: it fails as it is, and the client stays where it is.
import { MoError, NodeUnreachableError, NotLeaderError } from './errors.js';
import { METHOD_RULES, callClassOf } from './auth/access.js';
import { STATUS } from './status.js';

/** How a call failed, as far as choosing the next address goes. */
export type Failure =
  | { readonly kind: 'redirect'; readonly leader: string }
  | { readonly kind: 'electing' }
  /** `refused`: the connection itself was refused, so the call never left. */
  | { readonly kind: 'unreachable'; readonly refused?: true }
  | { readonly kind: 'answered' };

export function failureOf(err: unknown): Failure {
  if (err instanceof NotLeaderError)
    return err.leader ? { kind: 'redirect', leader: err.leader } : { kind: 'electing' };
  // A node behind the scheduler is down: the scheduler itself answered.
  if (err instanceof NodeUnreachableError) return { kind: 'answered' };
  if (err instanceof MoError && err.code === STATUS.UNAVAILABLE)
    return /\bECONNREFUSED\b/.test(err.message) ? { kind: 'unreachable', refused: true } : { kind: 'unreachable' };
  return { kind: 'answered' };
}

/**
 * Whether a call may be sent again after a connection failure (it may have run): reads, an
 * agent's registration (it is repeated on every reconnect anyway), and submissions that carry an
 * idempotency key (a retry never creates a second workload or pipeline).
 */
export function retrySafe(path: string, request: unknown): boolean {
  // A method this table does not know (or a client that could not say which): never retried.
  if (METHOD_RULES[path] === undefined) return false;
  const cls = callClassOf(path);
  if (cls === 'read' || cls === 'register') return true;
  const key = (request as { idempotencyKey?: unknown } | null | undefined)?.idempotencyKey;
  return (
    (path === '/mo.v1.Scheduler/SubmitWorkload' || path === '/mo.v1.Pipelines/SubmitPipeline') &&
    typeof key === 'string' &&
    key !== ''
  );
}

/** What one call has been through so far. */
export interface Round {
  /** Addresses tried since the call began, or since its last wait. */
  readonly tried: readonly string[];
  /** Redirects followed by this call (bounded: two followers naming each other cannot loop it). */
  readonly redirects: number;
  /** Waits taken by this call. */
  readonly waits: number;
  /** A follower said no leader is known yet, in this round: worth waiting for. */
  readonly electing: boolean;
}

export const FIRST_ROUND: Round = { tried: [], redirects: 0, waits: 0, electing: false };

/** First wait once every address refused for want of a leader; doubles up to MAX_ELECTION_WAIT_MS. */
export const FIRST_ELECTION_WAIT_MS = 100;
export const MAX_ELECTION_WAIT_MS = 1000;

export type Choice =
  /** Call again at `address` after `waitMs` (0: at once), with `round` as the call's state. */
  | { readonly kind: 'retry'; readonly address: string; readonly waitMs: number; readonly round: Round }
  /** Give the caller the error; the client's next call starts at `next`. */
  | { readonly kind: 'fail'; readonly next: string };

export interface FailedCall {
  /** Every address the client knows, in the order given (leaders learned are added at the end). */
  readonly addresses: readonly string[];
  /** Where the failed attempt went. */
  readonly at: string;
  readonly failure: Failure;
  /** retrySafe of the call. */
  readonly safe: boolean;
  readonly round: Round;
  /** Time left before the call's deadline. */
  readonly remainingMs: number;
}

/** The address after `at` in `addresses`, round the end (`at` itself when it is the only one). */
export function following(addresses: readonly string[], at: string): string {
  const i = addresses.indexOf(at);
  return addresses[(i + 1) % addresses.length] ?? at;
}

/** The decision after a failed attempt. */
export function chooseAfterFailure(c: FailedCall): Choice {
  const { addresses, at, failure, round } = c;
  if (failure.kind === 'answered' || c.remainingMs <= 0) return { kind: 'fail', next: at };
  const tried = round.tried.includes(at) ? round.tried : [...round.tried, at];
  if (failure.kind === 'redirect' && failure.leader !== at) {
    if (round.redirects >= addresses.length + 2) return { kind: 'fail', next: failure.leader };
    return {
      kind: 'retry',
      address: failure.leader,
      waitMs: 0,
      round: { ...round, tried, redirects: round.redirects + 1 },
    };
  }
  const next = following(addresses, at);
  if (failure.kind === 'unreachable' && !c.safe && !failure.refused) return { kind: 'fail', next };
  // 'electing', 'unreachable' for a safe call, or a server that refused naming itself.
  const electing = round.electing || failure.kind !== 'unreachable';
  const start = addresses.indexOf(at);
  for (let i = 1; i <= addresses.length; i++) {
    const a = addresses[(start + i) % addresses.length]!;
    if (!tried.includes(a)) return { kind: 'retry', address: a, waitMs: 0, round: { ...round, tried, electing } };
  }
  if (!electing) return { kind: 'fail', next };
  const waitMs = Math.min(MAX_ELECTION_WAIT_MS, FIRST_ELECTION_WAIT_MS * 2 ** round.waits);
  if (waitMs >= c.remainingMs) return { kind: 'fail', next };
  return {
    kind: 'retry',
    address: next,
    waitMs,
    round: { tried: [], redirects: round.redirects, waits: round.waits + 1, electing: false },
  };
}

/**
 * The scheduler addresses a client is given: `"a:1,b:2"` or `["a:1", "b:2"]` (each entry may
 * itself be a list). An empty entry is an error naming `field`.
 */
export function addressList(address: string | readonly string[], field = 'address'): string[] {
  const joined = typeof address === 'string' ? address : address.join(',');
  const parts = joined.split(',').map((s) => s.trim());
  if (parts.some((p) => p === '')) throw new Error(`${field}: expected host:port[,host:port...], got "${joined}"`);
  return [...new Set(parts)];
}

/**
 * Leaders learned from redirects, kept beyond the addresses a client was given. A follower names
 * one address per refusal; a hostile or confused one could name a new one each time, and each
 * learned address costs a channel. Past this many, the oldest learned one is forgotten.
 */
export const MAX_LEARNED_ADDRESSES = 8;

/**
 * Adds `address` to `known` (whose first `given` entries are the configured addresses) unless it
 * is there; returns a learned address that had to go to keep at most MAX_LEARNED_ADDRESSES (never
 * a given one, never `keep`: the one in use).
 */
export function learnAddress(
  known: string[],
  given: number,
  address: string,
  keep: string,
  max = MAX_LEARNED_ADDRESSES,
): string | undefined {
  if (known.includes(address)) return undefined;
  known.push(address);
  if (known.length - given <= max) return undefined;
  for (let i = given; i < known.length - 1; i++) {
    if (known[i] !== keep) return known.splice(i, 1)[0];
  }
  return undefined;
}
