// Token buckets: how mo bounds rates (registrations per source address, heartbeat messages and
// changes per stream). Pure: the caller passes the time, so tests need no clock and a daemon can
// use one `Date.now()` per request. A bucket holds at most `burst` tokens and refills at `rate`
// per second; a request of cost n passes when n tokens are there, and then takes them.

export interface RateLimit {
  /** Tokens added per second (> 0). */
  ratePerSecond: number;
  /** Most tokens held at once: the largest burst allowed after a quiet spell (≥ 1). */
  burst: number;
}

/** Throws unless `limit` is a usable rate; `what` names the setting in the message. */
export function checkRateLimit(limit: RateLimit, what: string): RateLimit {
  if (!(Number.isFinite(limit.ratePerSecond) && limit.ratePerSecond > 0)) {
    throw new Error(`${what}: rate must be a positive number per second, got ${String(limit.ratePerSecond)}`);
  }
  if (!(Number.isFinite(limit.burst) && limit.burst >= 1)) {
    throw new Error(`${what}: burst must be at least 1, got ${String(limit.burst)}`);
  }
  return limit;
}

export class TokenBucket {
  private tokens: number;
  private atMs: number;

  constructor(
    readonly limit: RateLimit,
    nowMs: number,
  ) {
    checkRateLimit(limit, 'token bucket');
    this.tokens = limit.burst;
    this.atMs = nowMs;
  }

  /** Tokens available at `nowMs` (fractional). */
  available(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens;
  }

  /** Takes `cost` tokens if they are there; false (and nothing taken) otherwise. */
  take(nowMs: number, cost = 1): boolean {
    this.refill(nowMs);
    if (cost > this.tokens) return false;
    this.tokens -= cost;
    return true;
  }

  /** Milliseconds until `cost` tokens are there (0 if now); Infinity if cost exceeds the burst. */
  waitMs(nowMs: number, cost = 1): number {
    this.refill(nowMs);
    if (cost > this.limit.burst) return Infinity;
    if (cost <= this.tokens) return 0;
    return Math.ceil(((cost - this.tokens) / this.limit.ratePerSecond) * 1000);
  }

  /** True when the bucket is full again (a keyed limiter may forget it). */
  full(nowMs: number): boolean {
    return this.available(nowMs) >= this.limit.burst;
  }

  private refill(nowMs: number): void {
    // A clock that steps back adds nothing (and takes nothing).
    const elapsed = Math.max(0, nowMs - this.atMs);
    this.tokens = Math.min(this.limit.burst, this.tokens + (elapsed / 1000) * this.limit.ratePerSecond);
    this.atMs = Math.max(this.atMs, nowMs);
  }
}

/**
 * One bucket per key (e.g. a peer IP), with a bounded number of keys: when the table is full,
 * buckets that refilled completely are forgotten (they carry no information), and if none has,
 * the request is refused: a flood from many addresses cannot grow memory without bound.
 */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    readonly limit: RateLimit,
    private readonly maxKeys = 10_000,
  ) {
    checkRateLimit(limit, 'rate limiter');
  }

  /** Takes one token of `key`'s bucket; false when that key is over its rate (or the table is full). */
  take(key: string, nowMs: number, cost = 1): boolean {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.sweep(nowMs);
      if (this.buckets.size >= this.maxKeys) return false;
      bucket = new TokenBucket(this.limit, nowMs);
      this.buckets.set(key, bucket);
    }
    return bucket.take(nowMs, cost);
  }

  /**
   * Milliseconds until `key` could take `cost` tokens (0 if now). A key without a bucket is full;
   * one refused because the table is full gets a second (the sweep's next chance).
   */
  waitMs(key: string, nowMs: number, cost = 1): number {
    const bucket = this.buckets.get(key);
    if (bucket) return bucket.waitMs(nowMs, cost);
    return this.buckets.size >= this.maxKeys ? 1000 : 0;
  }

  /** Keys tracked now (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  /** Forgets buckets that are full again. */
  sweep(nowMs: number): void {
    for (const [key, bucket] of this.buckets) if (bucket.full(nowMs)) this.buckets.delete(key);
  }
}
