// The grpc-timeout request header: "TimeoutValue TimeoutUnit", where TimeoutValue is at most 8
// digits (PROTOCOL-HTTP2.md). The unit is chosen so the value fits, as grpc-js does for its own
// calls: milliseconds up to 27.7 h, then seconds, minutes, hours. Rounded up, never down, so the
// server never gives up before the client does.

const MAX_VALUE = 99_999_999;

/**
 * The longest deadline mo puts on the wire (24.8 days, a whole number of seconds): a grpc-js
 * server turns grpc-timeout into int32 milliseconds (`value * unit | 0`, server-interceptors.ts),
 * so a longer one wraps negative there and the call expires at once; Node's timers stop at the
 * same 2^31 - 1 ms. A unary call that may take longer is as good as one without a deadline.
 */
export const MAX_DEADLINE_MS = 2_147_483_000;
const UNITS: ReadonlyArray<readonly [unit: string, ms: number]> = [
  ['m', 1],
  ['S', 1000],
  ['M', 60_000],
  ['H', 3_600_000],
];

/** The grpc-timeout header value for a deadline `ms` from now (at least 1 ms; Infinity → the maximum). */
export function grpcTimeoutHeader(ms: number): string {
  if (Number.isNaN(ms)) throw new RangeError('grpc-timeout: the timeout is NaN');
  const wanted = Math.max(1, Math.ceil(ms));
  for (const [unit, size] of UNITS) {
    const value = Math.ceil(wanted / size);
    if (value <= MAX_VALUE) return `${value}${unit}`;
  }
  return `${MAX_VALUE}H`; // ~11,400 years: as good as no deadline
}
