// gRPC status codes (the numbers are fixed by the gRPC protocol), without loading grpc-js: the
// CLI's fast path (`mo status` over @mo/api/wire) and the TLS file checks raise MoErrors too, and
// loading grpc-js costs them tens of milliseconds. A test checks these equal grpc-js's.
export const STATUS = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

const NAMES: readonly string[] = Object.keys(STATUS);

/** "INVALID_ARGUMENT" for 3. */
export function statusNameOf(code: number): string | undefined {
  return NAMES[code];
}
