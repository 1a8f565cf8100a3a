// Rates per identity: each caller (a certificate's role and name, or a token's name) gets its own
// token bucket per class of call, so one client or node cannot flood a daemon with changes while
// others wait. Reads are not limited here (their cost is bounded by paging and stream caps).
// Pure: the server plumbing asks with the caller's key, the call's class and the time.
import * as grpc from '@grpc/grpc-js';
import { MoError } from './errors.js';
import { KeyedRateLimiter, checkRateLimit, type RateLimit } from './rate-limit.js';

/** What a call does, as far as rates go. */
export type CallClass = 'mutating' | 'register' | 'heartbeat' | 'read';

export interface CallRateLimits {
  /** Calls that change something (submit, stop, pipelines, tokens, node removal); null = unlimited. */
  mutating: RateLimit | null;
  /** Registrations (and inventory pages) per node identity; null = unlimited. */
  register: RateLimit | null;
  /** Heartbeat messages per node identity, over all its streams; null = unlimited. */
  heartbeat: RateLimit | null;
}

/**
 * Defaults: far above what a person or a normal script does (a shell loop submitting jobs runs at
 * tens per second), low enough that one identity cannot take the scheduler's whole capacity
 * (~2,000+ submissions/s). Heartbeats: the per-stream bound (HEARTBEAT_STREAM_LIMITS), per node.
 */
export const DEFAULT_CALL_RATE_LIMITS: CallRateLimits = {
  mutating: { ratePerSecond: 100, burst: 500 },
  register: { ratePerSecond: 1, burst: 10 },
  heartbeat: { ratePerSecond: 200, burst: 400 },
};

/** Thrown when an identity is over its rate; `retryAfterMs` says when one call would pass. */
export class RateLimitedError extends MoError {
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number) {
    super(grpc.status.RESOURCE_EXHAUSTED, message);
    this.retryAfterMs = retryAfterMs;
  }
}

export class CallRateLimiter {
  private readonly limiters = new Map<CallClass, KeyedRateLimiter>();

  constructor(
    readonly limits: CallRateLimits = DEFAULT_CALL_RATE_LIMITS,
    maxIdentities = 10_000,
  ) {
    for (const cls of ['mutating', 'register', 'heartbeat'] as const) {
      const limit = limits[cls];
      if (limit) this.limiters.set(cls, new KeyedRateLimiter(checkRateLimit(limit, `${cls} rate`), maxIdentities));
    }
  }

  /** Takes one call of `cls` for `identity`; the refusal (RESOURCE_EXHAUSTED, when to retry) if over. */
  check(identity: string, cls: CallClass, nowMs: number): RateLimitedError | undefined {
    const limiter = this.limiters.get(cls);
    if (!limiter || limiter.take(identity, nowMs)) return undefined;
    const { ratePerSecond, burst } = limiter.limit;
    const retryAfterMs = limiter.waitMs(identity, nowMs);
    return new RateLimitedError(
      `${identity.slice(0, 128)}: more than ${ratePerSecond} ${cls} calls/s (burst ${burst}); retry in ${retryAfterMs} ms`,
      retryAfterMs,
    );
  }
}

/**
 * Parses `CLASS=RATE[/BURST],...` (classes mutating, register, heartbeat; `off` or 0 = unlimited;
 * the burst defaults to 5 × the rate) over the defaults. `what` names the flag in errors.
 */
export function parseCallRateLimits(text: string, what: string, base = DEFAULT_CALL_RATE_LIMITS): CallRateLimits {
  const out: CallRateLimits = { ...base };
  for (const part of text
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const m = /^(mutating|register|heartbeat)=(off|\d+(?:\.\d+)?)(?:\/(\d+))?$/.exec(part);
    if (!m)
      throw new Error(
        `${what}: expected CLASS=RATE[/BURST] with CLASS mutating|register|heartbeat, got "${part.slice(0, 64)}"`,
      );
    const cls = m[1] as keyof CallRateLimits;
    const rate = m[2] === 'off' ? 0 : Number(m[2]);
    out[cls] =
      rate === 0
        ? null
        : checkRateLimit(
            { ratePerSecond: rate, burst: m[3] ? Number(m[3]) : Math.max(1, Math.ceil(5 * rate)) },
            `${what} ${cls}`,
          );
  }
  return out;
}
