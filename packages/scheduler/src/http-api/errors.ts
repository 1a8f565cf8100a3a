// Errors of the HTTP API: the gRPC status a call ended with (MoError's code, the same message and
// field names as gRPC gives) as a JSON body `{"code": "INVALID_ARGUMENT", "message": "…"}`, with
// the HTTP status Google's API design guide maps each code to (google/rpc/code.proto).
import * as grpc from '@grpc/grpc-js';
import { MoError, statusName, toServiceError } from '@mo/api';
import { acceptsGzip } from '@mo/dashboard';
import type http from 'node:http';
import { constants, gzipSync } from 'node:zlib';

/** gRPC status -> HTTP status, as google/rpc/code.proto documents the mapping. */
export const HTTP_STATUS: Readonly<Record<string, number>> = {
  OK: 200,
  CANCELLED: 499,
  UNKNOWN: 500,
  INVALID_ARGUMENT: 400,
  DEADLINE_EXCEEDED: 504,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  FAILED_PRECONDITION: 400,
  ABORTED: 409,
  OUT_OF_RANGE: 400,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DATA_LOSS: 500,
  UNAUTHENTICATED: 401,
};

/**
 * Thrown for what only HTTP can get wrong (a body past the limit: 413, a method a route does not
 * take: 405): a gRPC code for the body, and the HTTP status that says it better.
 */
export class HttpError extends MoError {
  constructor(
    readonly httpStatus: number,
    code: grpc.status,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(code, message);
  }
}

export interface ErrorReply {
  status: number;
  headers: Record<string, string>;
  body: { code: string; message: string };
}

/** What any error thrown by a call becomes on the wire (unknown errors: 500 INTERNAL, as gRPC says). */
export function errorReply(err: unknown): ErrorReply {
  const se = toServiceError(err);
  const code = statusName(se.code ?? grpc.status.UNKNOWN);
  const status = err instanceof HttpError ? err.httpStatus : (HTTP_STATUS[code] ?? 500);
  const headers: Record<string, string> = err instanceof HttpError ? { ...err.headers } : {};
  const retryAfterMs = (err as { retryAfterMs?: unknown }).retryAfterMs;
  if (typeof retryAfterMs === 'number') headers['Retry-After'] = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
  return { status, headers, body: { code, message: se.details ?? se.message ?? code } };
}

/** Sends a JSON reply (nothing once headers are out: a stream's error goes in the stream). */
/** Bodies above this are gzipped for a client that accepts it (a 100-node status: ~105 KB → ~10). */
const GZIP_ABOVE_BYTES = 2048;

export function sendJson(res: http.ServerResponse, status: number, json: string, headers: Record<string, string> = {}) {
  if (res.headersSent) return;
  let body: string | Buffer = `${json}\n`;
  const extra: Record<string, string> = {};
  if (body.length > GZIP_ABOVE_BYTES && res.req && acceptsGzip(res.req)) {
    // The fastest level: JSON still shrinks ~8×, and the scheduler's CPU is what schedules.
    body = gzipSync(body, { level: constants.Z_BEST_SPEED });
    Object.assign(extra, { 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' });
  }
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    ...extra,
    ...headers,
  });
  res.end(body);
}

export function sendError(res: http.ServerResponse, err: unknown): ErrorReply {
  const reply = errorReply(err);
  sendJson(res, reply.status, JSON.stringify(reply.body), reply.headers);
  return reply;
}
