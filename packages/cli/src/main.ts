// The `mo` program: commander wiring of every command, and the one place where an error becomes
// a message on stderr (and JSON on stdout with --json) and an exit code.
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { registerCompletion } from './commands/completion.js';
import { registerDaemons } from './commands/daemon.js';
import { registerDev } from './commands/dev.js';
import { registerEvents } from './commands/events.js';
import { registerJobs } from './commands/job.js';
import { registerLogs } from './commands/logs.js';
import { registerNode } from './commands/node.js';
import { registerNodes } from './commands/nodes.js';
import { registerPipeline } from './commands/pipeline.js';
import { registerPs } from './commands/ps.js';
import { registerStart } from './commands/start.js';
import { registerStatus } from './commands/status.js';
import { registerStop } from './commands/stop.js';
import { registerToken } from './commands/token.js';
import { registerTls } from './commands/tls.js';
import { registerWait } from './commands/wait.js';
import { CliContext, addGlobalOptions } from './context.js';
import { ExitCode } from './errors.js';
import { processIo } from './io.js';
import { colourWanted, configureColour, isTTY } from './output/colour.js';
import { reportFailure } from './report.js';

function packageVersion(): string {
  const pkg: { version?: unknown } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

/** The commander tree. Commands write through `ctx.io`; parse errors are thrown, not printed. */
export function buildProgram(ctx: CliContext = new CliContext(processIo(), process.env)): Command {
  const program = new Command('mo')
    .description(
      'mo: run workloads on a cluster of nodes and see where they run.\n\n' +
        'Talks to the scheduler at --scheduler or $MO_SCHEDULER_ADDR (default 127.0.0.1:7600); `mo dev` starts ' +
        'one with agents on this machine. --agent ADDR talks to one agent directly instead.\n\n' +
        'A workload is named by its id, a unique id prefix (6+ characters, any case) or the name of a live ' +
        'workload (with --agent: its exact id).\n\n' +
        'Exit codes: 0 ok, 1 failed (or no such workload), 2 usage (or a workload reference that matches several), ' +
        '3 the scheduler (or, with --agent, the agent) unreachable, 4 a --wait-ed workload failed, ' +
        '5 --wait-timeout passed, 6 the scheduler answered but a node the request needs (logs, a stop) is down ' +
        'or unreachable.',
    )
    .version(packageVersion(), '-V, --version')
    // Global options go before the command name or after it (`mo --json status`, `mo status
    // --json`); positional parsing is what lets `mo start ls -l` and `mo agent --help` pass
    // their flags through instead of the program claiming them.
    .enablePositionalOptions()
    // Inherited by every command added below: errors come back to `execute` as exceptions.
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
      outputError: () => {},
    })
    .hook('preSubcommand', (_program, sub) => {
      ctx.command = sub.name();
    });
  addGlobalOptions(program);
  registerStart(program, ctx);
  registerStop(program, ctx);
  registerWait(program, ctx);
  registerPs(program, ctx);
  registerStatus(program, ctx);
  registerNodes(program, ctx);
  registerNode(program, ctx);
  registerLogs(program, ctx);
  registerEvents(program, ctx);
  registerPipeline(program, ctx);
  registerJobs(program, ctx);
  registerToken(program, ctx);
  registerDev(program, ctx);
  registerTls(program, ctx);
  registerDaemons(program, ctx);
  registerCompletion(program, ctx);
  return program;
}

/** Runs one command line (`argv` as in `process.argv`) and returns its exit code; never throws. */
export async function execute(argv: readonly string[], ctx: CliContext): Promise<ExitCode> {
  ctx.argv = argv;
  configureColour(colourWanted(isTTY(ctx.io.stdout), ctx.env));
  try {
    await buildProgram(ctx).parseAsync([...argv], { from: 'node' });
    return ExitCode.Ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end parsing by throwing; so does bare `mo`, after printing help to stderr.
      if (err.exitCode === 0) return ExitCode.Ok;
      if (err.code === 'commander.help') return ExitCode.Usage;
    }
    return reportFailure(err, ctx, argv);
  }
}

/** `--json` among our own flags, i.e. before any `--` (after it, words belong to the workload). */

/**
 * The `mo` executable's entry point: runs `argv` and sets the process's exit code, unless the
 * command set one itself (the agent's `main` reports its own bad flags and start failures so).
 */
export async function run(argv: readonly string[] = process.argv): Promise<number> {
  const code = await execute(argv, new CliContext(processIo(), process.env));
  if (code !== ExitCode.Ok || process.exitCode === undefined) process.exitCode = code;
  return Number(process.exitCode);
}
