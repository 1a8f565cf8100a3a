// The CLI's failure modes and its exit codes. Turning an error into a message is failure.ts's job:
// it needs @mo/api's error classes, and this module must stay cheap to load (every command does).

/** Exit codes are part of the CLI's contract: scripts branch on them. */
export const ExitCode = {
  /** The operation succeeded. */
  Ok: 0,
  /** The operation failed: the scheduler or agent refused it, the workload does not exist, or a daemon run by `mo` failed. */
  Failed: 1,
  /** The command line is wrong: unknown flag, bad flag value, missing argument. */
  Usage: 2,
  /** The scheduler (or, with --agent, the agent) could not be reached (connection refused, deadline passed). */
  Unreachable: 3,
  /** `mo start --wait`: the workload ended without reaching what was waited for (failed, lost, stopped). */
  WorkloadFailed: 4,
  /** `mo start --wait --wait-timeout D`: D passed first; the workload is left as it is. */
  WaitTimeout: 5,
  /** The scheduler answered, but the node the request needs (logs, a stop) is down or unreachable. */
  NodeUnreachable: 6,
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

/** Thrown when a workload reference (id, id prefix or name) matches no workload. Exit 1, NOT_FOUND. */
export class WorkloadNotFoundError extends Error {
  constructor(
    readonly ref: string,
    message: string,
  ) {
    super(message);
    this.name = 'WorkloadNotFoundError';
  }
}

/** A workload an ambiguous reference could mean, as the error lists it. */
export interface RefCandidate {
  readonly id: string;
  readonly name: string;
  readonly state: string;
  readonly node: string;
}

/**
 * Thrown when a workload reference matches several workloads (a name several live ones carry, or
 * a prefix of several ids). Exit 2, like any command line that needs fixing: give an id.
 */
export class AmbiguousWorkloadError extends Error {
  constructor(
    readonly ref: string,
    message: string,
    readonly candidates: readonly RefCandidate[],
  ) {
    super(message);
    this.name = 'AmbiguousWorkloadError';
  }
}

/**
 * Thrown when a command that acts on several workloads (`mo stop A B C`) failed for some of them.
 * Each failure was already reported (a line, or the command's JSON document): only the summary is
 * left. The exit code and status name are the first failure's.
 */
export class SomeFailedError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly code: string,
  ) {
    super(message);
    this.name = 'SomeFailedError';
  }
}
