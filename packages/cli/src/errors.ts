// The CLI's failure modes and the one place that turns any error into an exit code and a message.
import { InvalidArgumentError, MoError, UnavailableError, statusName } from '@mo/api';
import { CommanderError } from 'commander';

/** Exit codes are part of the CLI's contract: scripts branch on them. */
export const ExitCode = {
  /** The operation succeeded. */
  Ok: 0,
  /** The operation failed: the scheduler or agent refused it, the workload does not exist, or a daemon run by `mo` failed. */
  Failed: 1,
  /** The command line is wrong: unknown flag, bad flag value, missing argument. */
  Usage: 2,
  /** The scheduler (or agent) could not be reached (connection refused, deadline passed). */
  Unreachable: 3,
  /** `mo start --wait`: the workload ended without reaching what was waited for (failed, lost, stopped). */
  WorkloadFailed: 4,
  /** `mo start --wait --wait-timeout D`: D passed first; the workload is left as it is. */
  WaitTimeout: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Thrown when the command line is wrong; the message starts with the flag it is about. */
export class UsageError extends Error {
  readonly flag: string | undefined;
  constructor(message: string, flag?: string) {
    super(flag === undefined ? message : `${flag}: ${message}`);
    this.name = 'UsageError';
    this.flag = flag;
  }
}

/** The daemons `mo` can run in-process (`mo agent`, `mo scheduler`) or talk to. */
export type Daemon = 'agent' | 'scheduler';

/**
 * Thrown when a daemon run by `mo agent` / `mo scheduler` cannot be loaded or fails (a port in use,
 * a bad flag), or when `mo dev` loses one. Reported like the daemon's own failures, not as CLI bugs:
 * no stack trace.
 */
export class DaemonFailedError extends Error {
  constructor(
    readonly daemon: Daemon | string,
    message: string,
    cause?: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : cause === undefined ? '' : String(cause);
    super(`${daemon}: ${[message, why].filter(Boolean).join(': ')}`, { cause });
    this.name = 'DaemonFailedError';
  }
}

/**
 * Thrown by `mo start --wait` when the workload ended without reaching the awaited state, or the
 * wait timed out. The workload itself was already printed (JSON or a line): only the message is left.
 */
export class WaitFailedError extends Error {
  constructor(
    message: string,
    readonly exitCode: typeof ExitCode.WorkloadFailed | typeof ExitCode.WaitTimeout,
  ) {
    super(message);
    this.name = 'WaitFailedError';
  }
}

/** What a failure looks like to the user. */
export interface Failure {
  readonly exitCode: ExitCode;
  /** A gRPC status name, so JSON consumers see the same codes as API clients. */
  readonly code: string;
  readonly message: string;
  /** Set only for unexpected errors (bugs), where a trace helps; expected ones never show one. */
  readonly stack?: string;
  /** The command already wrote its JSON document: do not add an error document to stdout. */
  readonly outputWritten?: boolean;
}

/** Classifies an error thrown anywhere in a command; `daemon` is whom the command talked to. */
export function describeFailure(err: unknown, daemon: Daemon = 'scheduler'): Failure {
  if (err instanceof UsageError) {
    return { exitCode: ExitCode.Usage, code: 'INVALID_ARGUMENT', message: err.message };
  }
  if (err instanceof CommanderError) {
    // Commander prefixes its messages with "error: "; ours already start with "mo: ".
    return { exitCode: ExitCode.Usage, code: 'INVALID_ARGUMENT', message: err.message.replace(/^error: /, '') };
  }
  if (err instanceof UnavailableError) {
    // The client's message already starts with "<address>: "; say it once, in words.
    const detail = err.message.startsWith(`${err.address}: `) ? err.message.slice(err.address.length + 2) : err.message;
    return {
      exitCode: ExitCode.Unreachable,
      code: statusName(err.code),
      message: `cannot reach ${daemon} at ${err.address}: ${tidyConnectError(detail)}`,
    };
  }
  if (err instanceof DaemonFailedError) {
    const code = err.cause instanceof MoError ? statusName(err.cause.code) : 'UNKNOWN';
    // The daemon's parser rejecting a flag is a usage error of this command line too.
    const exitCode = err.cause instanceof InvalidArgumentError ? ExitCode.Usage : ExitCode.Failed;
    return { exitCode, code, message: err.message };
  }
  if (err instanceof WaitFailedError) {
    const code = err.exitCode === ExitCode.WaitTimeout ? 'DEADLINE_EXCEEDED' : 'ABORTED';
    return { exitCode: err.exitCode, code, message: err.message, outputWritten: true };
  }
  if (err instanceof MoError) {
    return { exitCode: ExitCode.Failed, code: statusName(err.code), message: err.message };
  }
  const message = err instanceof Error ? err.message : String(err);
  const stack = err instanceof Error ? err.stack : undefined;
  return {
    exitCode: ExitCode.Failed,
    code: 'INTERNAL',
    message: `internal error: ${message}`,
    ...(stack && { stack }),
  };
}

/**
 * grpc-js says "No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1.
 * Resolution note: "; the socket error is the useful part. Anything else is left as it came.
 */
export function tidyConnectError(detail: string): string {
  const m = /^No connection established\. Last error: (?:Error: )?(.*?)\.?(?: Resolution note: ?(.*))?$/s.exec(detail);
  if (!m?.[1]) return detail;
  const note = m[2]?.trim();
  return note ? `${m[1]} (${note})` : m[1];
}
