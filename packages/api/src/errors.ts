// Domain errors shared by every mo daemon and client, and their one mapping to gRPC status codes.
import type * as grpc from '@grpc/grpc-js';
import { STATUS, statusNameOf } from './status.js';

/** Base class: every mo failure a caller may want to tell apart carries a gRPC status. */
export class MoError extends Error {
  readonly code: grpc.status;
  constructor(code: grpc.status, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Thrown when a request field is invalid; the message starts with the field path. */
export class InvalidArgumentError extends MoError {
  readonly field: string;
  constructor(field: string, problem: string) {
    super(STATUS.INVALID_ARGUMENT, `${field}: ${problem}`);
    this.field = field;
  }
}

/** Trailer (gRPC) and header (HTTP) naming the leader's gRPC address (leader.ts). */
export const LEADER_KEY = 'mo-leader';
/** Every follower refusal's message starts with this. */
export const NOT_LEADER = 'not the leader';

/**
 * A follower scheduler's refusal of what only the leader may do (leader.ts): UNAVAILABLE naming
 * the leader's gRPC address, or saying none is known yet.
 */
export class NotLeaderError extends MoError {
  /** The leader's gRPC address, or undefined while no leader is known. */
  readonly leader: string | undefined;
  constructor(leader: string | undefined, options?: { cause?: unknown }) {
    super(
      STATUS.UNAVAILABLE,
      leader ? `${NOT_LEADER}: the leader is ${leader}` : `${NOT_LEADER}: no leader is elected yet; retry shortly`,
      options,
    );
    this.leader = leader || undefined;
  }
}

/**
 * Thrown when a named object (workload, node, ...) does not exist. `id` is what the caller asked
 * for: the message carries it truncated (truncateForError); `why`, the server's own words, whole.
 */
export class NotFoundError extends MoError {
  readonly field: string;
  readonly id: string;
  constructor(field: string, kind: string, id: string, why?: string) {
    super(STATUS.NOT_FOUND, `${field}: no ${kind} "${truncateForError(id)}"${why ? ` (${why})` : ''}`);
    this.field = field;
    this.id = id;
  }
}

/** Thrown when creating something whose id is already taken. */
export class AlreadyExistsError extends MoError {
  constructor(message: string) {
    super(STATUS.ALREADY_EXISTS, message);
  }
}

/** Thrown when a bounded resource (ports, queue, disk) is exhausted. */
export class ResourceExhaustedError extends MoError {
  constructor(message: string) {
    super(STATUS.RESOURCE_EXHAUSTED, message);
  }
}

/** Thrown when the operation is valid but the target is not in a state that allows it. */
export class FailedPreconditionError extends MoError {
  constructor(message: string) {
    super(STATUS.FAILED_PRECONDITION, message);
  }
}

/**
 * Thrown when a caller brings no credentials, or ones this daemon cannot accept (no certificate of
 * the cluster's CA, a certificate with no mo role or two, an unknown token). Never carries a secret.
 */
export class UnauthenticatedError extends MoError {
  constructor(message: string) {
    super(STATUS.UNAUTHENTICATED, message);
  }
}

/** Thrown when an authenticated caller lacks the role a method needs; the message names both. */
export class PermissionDeniedError extends MoError {
  constructor(message: string) {
    super(STATUS.PERMISSION_DENIED, message);
  }
}

/** Thrown by clients when the daemon cannot be reached or the deadline passed. */
export class UnavailableError extends MoError {
  readonly address: string;
  constructor(address: string, message: string, options?: { cause?: unknown }) {
    super(STATUS.UNAVAILABLE, message, options);
    this.address = address;
  }
}

/**
 * Thrown by the scheduler when the node a call needs (the agent that runs or ran a workload) cannot
 * be reached, while the scheduler itself answered. Clients tell it from "the scheduler is
 * unreachable" by its message, which always starts `node NAME is unreachable` (gRPC statuses carry
 * no structured detail without more machinery; parseNodeUnreachable is the one reader).
 */
export class NodeUnreachableError extends UnavailableError {
  /** The node's name. */
  readonly node: string;
  constructor(node: string, address: string, why: string, options?: { cause?: unknown }) {
    super(address, `node ${node} is unreachable${address ? ` at ${address}` : ''}: ${tidyConnectError(why)}`, options);
    this.node = node;
  }
}

/** The node named by a NodeUnreachableError's message, or undefined when it is not one. */
export function parseNodeUnreachable(details: string): { node: string; address: string; why: string } | undefined {
  const m = /^node (\S+) is unreachable(?: at (\S+))?: (.*)$/s.exec(details);
  return m ? { node: m[1]!, address: m[2] ?? '', why: m[3]! } : undefined;
}

/**
 * The useful part of a grpc-js connect error. grpc-js says "No connection established. Last error:
 * Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: ..." (also "(Resolution note: ...)"):
 * the socket error is what a person needs; the resolver's note is grpc-js internals and is dropped.
 */
export function tidyConnectError(detail: string): string {
  const noNote = detail.replace(/\.?\s*\(?Resolution note:[^)]*\)?\s*$/s, '').trim();
  const m = /^No connection established\. Last error: (?:Error: )?(.*?)\.?$/s.exec(noNote);
  return m?.[1] ? m[1] : noNote;
}

/** Longest caller string echoed in an error message, by default. */
export const ERROR_ECHO_CHARS = 128;

/**
 * A caller's string as it may appear in an error message: at most `max` characters (UTF-16 units,
 * never splitting a surrogate pair), a cut one ending in `…(N chars)` so the reader sees it was cut.
 * Errors echo what the caller sent; without this, a 3 MB name made a 3 MB error (and log line).
 */
export function truncateForError(s: string, max = ERROR_ECHO_CHARS): string {
  const str = typeof s === 'string' ? s : String(s);
  if (str.length <= max) return str;
  const suffix = `…(${str.length} chars)`;
  // A maximum too small for the note keeps just the head.
  const note = max > suffix.length ? suffix : '';
  let keep = Math.max(0, max - note.length);
  // Do not leave half of a surrogate pair at the cut.
  if (keep > 0 && /[\uD800-\uDBFF]/.test(str.charAt(keep - 1))) keep--;
  return str.slice(0, keep) + note;
}

/** Server side: turn anything thrown by a handler into a ServiceError; unknown errors become INTERNAL. */
export function toServiceError(err: unknown): Partial<grpc.ServiceError> {
  if (err instanceof MoError) return { code: err.code, details: err.message, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: STATUS.INTERNAL, details: `internal error: ${message}`, message };
}

/** Client side: turn a grpc error into a MoError with the server's message. */
export function fromServiceError(err: unknown, address: string): MoError {
  if (err instanceof MoError) return err;
  const e = err as Partial<grpc.ServiceError>;
  const code = typeof e.code === 'number' ? e.code : STATUS.UNKNOWN;
  const details = e.details || (err instanceof Error ? err.message : String(err));
  if (code === STATUS.UNAVAILABLE) {
    // A follower scheduler: the caller may follow it to the leader (leader.ts).
    const leader = e.metadata?.get(LEADER_KEY)[0];
    if (leader !== undefined) return new NotLeaderError(String(leader), { cause: err });
    // The server answered: a node behind it is down, not the server (see NodeUnreachableError).
    const node = parseNodeUnreachable(details);
    if (node) return new NodeUnreachableError(node.node, node.address, node.why, { cause: err });
  }
  if (code === STATUS.UNAVAILABLE || code === STATUS.DEADLINE_EXCEEDED) {
    return new UnavailableError(address, `${address}: ${details}`, { cause: err });
  }
  return new MoError(code, details, { cause: err });
}

/** The name of a gRPC status code ("INVALID_ARGUMENT"), for CLI output and logs. */
export function statusName(code: grpc.status): string {
  return statusNameOf(code) ?? `CODE_${code}`;
}
