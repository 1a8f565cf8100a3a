// The one place that turns any error into an exit code and a message. Loaded only when a command
// failed (main.ts, and the fast path's bundle): it pulls in commander, which `mo status` does not
// otherwise load. @mo/api/errors, not @mo/api: a failure does not load grpc-js either.
import {
  InvalidArgumentError,
  MoError,
  NodeUnreachableError,
  UnavailableError,
  statusName,
  tidyConnectError,
} from '@mo/api/errors';
import { CommanderError } from 'commander';
import {
  AmbiguousWorkloadError,
  DaemonFailedError,
  ExitCode,
  UsageError,
  WaitFailedError,
  SomeFailedError,
  WorkloadNotFoundError,
  type Daemon,
  type RefCandidate,
} from './errors.js';

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
  /** What an ambiguous workload reference could mean (also in the JSON error document). */
  readonly candidates?: readonly RefCandidate[];
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
  if (err instanceof NodeUnreachableError) {
    // The scheduler answered: blaming it (exit 3) would send the operator to the wrong host.
    return { exitCode: ExitCode.NodeUnreachable, code: statusName(err.code), message: err.message };
  }
  if (err instanceof UnavailableError) {
    // The client's message already starts with "<address>: "; say it once, in words.
    const detail = err.message.startsWith(`${err.address}: `) ? err.message.slice(err.address.length + 2) : err.message;
    return {
      exitCode: ExitCode.Unreachable,
      code: statusName(err.code),
      message: `cannot reach ${daemon} at ${err.address}: ${tidyConnectError(detail)}${tlsHint(detail, daemon)}`,
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
  if (err instanceof SomeFailedError) {
    return { exitCode: err.exitCode, code: err.code, message: err.message, outputWritten: true };
  }
  if (err instanceof WorkloadNotFoundError) {
    return { exitCode: ExitCode.Failed, code: 'NOT_FOUND', message: err.message };
  }
  if (err instanceof AmbiguousWorkloadError) {
    return { exitCode: ExitCode.Usage, code: 'INVALID_ARGUMENT', message: err.message, candidates: err.candidates };
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

export { tidyConnectError };

/**
 * What a TLS failure in a connect error means, in mo's terms (Node and OpenSSL name the symptom).
 * Empty when the error is not one.
 */
export function tlsHint(detail: string, daemon: Daemon | string = 'scheduler'): string {
  if (/self[- ]signed certificate in certificate chain|unable to verify|unable to get (local )?issuer/i.test(detail)) {
    return `: the ${daemon}'s certificate is not signed by the CA in --ca-cert (MO_CA_CERT): another cluster's CA?`;
  }
  if (/certificate has expired/i.test(detail)) return `: the ${daemon}'s certificate has expired`;
  if (/certificate is not yet valid/i.test(detail)) return `: the ${daemon}'s certificate is not valid yet (clock?)`;
  if (/presented a certificate for/.test(detail)) return ': the server at that address has another role';
  if (
    /alert (bad certificate|certificate unknown|unknown ca|certificate expired|handshake failure|certificate required)|peer did not return a certificate/i.test(
      detail,
    )
  ) {
    return (
      `: the ${daemon} refused this client's certificate (--client-cert, MO_CLIENT_CERT): ` +
      `none given, expired, or not signed by its CA`
    );
  }
  return '';
}
