// The CLI's failure modes and the one place that turns any error into an exit code and a message.
import { InvalidArgumentError, MoError, UnavailableError, statusName } from '@mo/api';
import { CommanderError } from 'commander';

/** Exit codes are part of the CLI's contract: scripts branch on them. */
export const ExitCode = {
  /** The operation succeeded. */
  Ok: 0,
  /** The operation failed: the agent refused it, or the workload does not exist. */
  Failed: 1,
  /** The command line is wrong: unknown flag, bad flag value, missing argument. */
  Usage: 2,
  /** The agent could not be reached (connection refused, deadline passed). */
  Unreachable: 3,
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

/**
 * Thrown when the agent daemon run by `mo agent` cannot be loaded or fails (a port in use, a bad
 * flag). Its failures are reported like the agent's own, not as CLI bugs: no stack trace.
 */
export class AgentFailedError extends Error {
  constructor(message: string, cause?: unknown) {
    const why = cause instanceof Error ? cause.message : cause === undefined ? '' : String(cause);
    super(`agent: ${[message, why].filter(Boolean).join(': ')}`, { cause });
    this.name = 'AgentFailedError';
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
}

/** Classifies an error thrown anywhere in a command. */
export function describeFailure(err: unknown): Failure {
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
      message: `cannot reach agent at ${err.address}: ${tidyConnectError(detail)}`,
    };
  }
  if (err instanceof AgentFailedError) {
    const code = err.cause instanceof MoError ? statusName(err.cause.code) : 'UNKNOWN';
    // The agent's parser rejecting a flag is a usage error of this command line too.
    const exitCode = err.cause instanceof InvalidArgumentError ? ExitCode.Usage : ExitCode.Failed;
    return { exitCode, code, message: err.message };
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
