// Reports a failed command: the message on stderr (and a JSON error document on stdout with
// --json), and the exit code. Shared by the full command line (main.ts) and the fast path.
import type { CliContext } from './context.js';
import { ExitCode } from './errors.js';

export async function reportFailure(err: unknown, ctx: CliContext, argv: readonly string[]): Promise<ExitCode> {
  const { describeFailure } = await import('./failure.js');
  const failure = describeFailure(err, ctx.globals?.target.kind ?? 'scheduler');
  // --json is known once a command's options were parsed; a parse error comes before that.
  const json = ctx.json ?? jsonRequested(argv.slice(2));
  const { candidates } = failure;
  if (json && !failure.outputWritten) {
    const error = { code: failure.code, message: failure.message, ...(candidates ? { candidates } : {}) };
    ctx.io.stdout.write(`${JSON.stringify({ error })}\n`);
  }
  ctx.io.stderr.write(`mo: ${failure.message}\n`);
  // An ambiguous reference lists its candidates in the message; the help would not say more.
  if (failure.exitCode === ExitCode.Usage && !json && !candidates) {
    ctx.io.stderr.write(`(see "mo ${ctx.command ? `${ctx.command} ` : ''}--help")\n`);
  }
  if (failure.stack) ctx.io.stderr.write(`${failure.stack}\n`);
  return failure.exitCode;
}

function jsonRequested(userArgs: readonly string[]): boolean {
  const end = userArgs.indexOf('--');
  return (end === -1 ? userArgs : userArgs.slice(0, end)).includes('--json');
}
