// The fast path for the commands people run most, `mo status [ID]` and `mo nodes`: the same
// code as the full command line (commands/status.ts, nodes.ts, report.ts), reached without
// loading commander and every other command. bin/mo.cjs tries it first; anything it does not
// recognise exactly (another command, --agent, --help, an unknown flag, a stray argument) falls
// through to the full command line, which handles and reports it as always.
import { CliContext, type RawGlobals } from './context.js';
import { ExitCode } from './errors.js';
import type { CliIo } from './io.js';
import { colourWanted, configureColour, isTTY } from './output/colour.js';

interface FastCommand {
  command: 'status' | 'nodes';
  raw: RawGlobals;
  id?: string;
  recent?: string;
}

/** Parses `mo [globals] (status [ID] [--recent N] | nodes) [globals]`, or undefined. */
export function parseFast(userArgs: readonly string[], env: NodeJS.ProcessEnv): FastCommand | undefined {
  const raw: RawGlobals = {};
  let command: FastCommand['command'] | undefined;
  let id: string | undefined;
  let recent: string | undefined;
  for (let i = 0; i < userArgs.length; i++) {
    const arg = userArgs[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string | undefined => (eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : userArgs[++i]);
    if (name === '--json' && eq < 0) raw.json = true;
    else if (name === '--scheduler') raw.scheduler = value();
    else if (name === '--timeout') raw.timeout = value();
    else if (name === '--ca-cert') raw.caCert = value();
    else if (name === '--client-cert') raw.clientCert = value();
    else if (name === '--client-key') raw.clientKey = value();
    else if (name === '--token') raw.token = value();
    else if (name === '--insecure' && eq < 0) raw.insecure = true;
    else if (name === '--recent' && command === 'status') recent = value();
    else if (arg.startsWith('-')) return undefined;
    else if (!command && (arg === 'status' || arg === 'nodes')) command = arg;
    else if (command === 'status' && id === undefined) id = arg;
    else return undefined;
    // A flag without its value is the full parser's to report.
    const values = [raw.scheduler, raw.timeout, raw.caCert, raw.clientCert, raw.clientKey, raw.token, recent];
    if (values.some((v) => v !== undefined && v.startsWith('-'))) return undefined;
    if (i >= userArgs.length) return undefined;
  }
  if (
    !command ||
    [raw.scheduler, raw.timeout, raw.caCert, raw.clientCert, raw.clientKey, raw.token, recent].includes('')
  )
    return undefined;
  // Direct-to-agent mode (MO_AGENT_ADDR alone) is the full command line's.
  if (!raw.scheduler && env.MO_AGENT_ADDR && !env.MO_SCHEDULER_ADDR) return undefined;
  return { command, raw, ...(id !== undefined ? { id } : {}), ...(recent !== undefined ? { recent } : {}) };
}

/** Runs the command if the fast path takes it; undefined means "use the full command line". */
export async function fastPath(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<ExitCode | undefined> {
  const parsed = parseFast(argv.slice(2), env);
  if (!parsed) return undefined;
  const ctx = new CliContext(io, env);
  ctx.argv = argv;
  ctx.command = parsed.command;
  configureColour(colourWanted(isTTY(io.stdout), env));
  try {
    const globals = ctx.resolveRaw(parsed.raw);
    if (parsed.command === 'nodes') {
      const { listNodes } = await import('./commands/nodes.js');
      await listNodes(ctx, globals);
    } else {
      const [{ schedulerStatus, MAX_RECENT }, { parseCount }] = await Promise.all([
        import('./commands/status.js'),
        import('./flags.js'),
      ]);
      const recent = parsed.recent === undefined ? undefined : parseCount(parsed.recent, '--recent', MAX_RECENT);
      await schedulerStatus(ctx, globals, parsed.id, recent);
    }
    return ExitCode.Ok;
  } catch (err) {
    const { reportFailure } = await import('./report.js');
    return reportFailure(err, ctx, argv);
  }
}
