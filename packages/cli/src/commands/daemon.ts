// `mo agent [flags…]` and `mo scheduler [flags…]`: run a daemon in this process. Each daemon's
// package is loaded only here, so client commands start without paying for its imports.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { DaemonFailedError } from '../errors.js';

/** What the CLI needs from a daemon package; `main` is optional so a build without it fails by name. */
interface DaemonModule {
  main?: (argv: string[]) => Promise<void>;
}

interface DaemonCommand {
  readonly name: 'agent' | 'scheduler';
  readonly summary: string;
  readonly load: () => Promise<DaemonModule>;
}

// Literal specifiers, so bundlers and `tsc -b` see the dependency.
const DAEMONS: readonly DaemonCommand[] = [
  {
    name: 'agent',
    summary: 'run the node agent daemon (its flags: mo agent --help)',
    load: () => import('@mo/agent'),
  },
  {
    name: 'scheduler',
    summary: 'run the scheduler daemon (its flags: mo scheduler --help)',
    load: () => import('@mo/scheduler'),
  },
];

/**
 * The arguments after the command name, exactly as typed. Commander drops a `--` that comes right
 * after it; the daemon's own parser may care about it, so it is put back from the raw argv.
 */
export function daemonArgs(name: string, rawArgs: readonly string[], parsed: readonly string[]): string[] {
  const at = rawArgs.length - parsed.length - 1;
  if (at >= 1 && rawArgs[at] === '--' && rawArgs[at - 1] === name) return ['--', ...parsed];
  return [...parsed];
}

async function loadMain(d: DaemonCommand): Promise<NonNullable<DaemonModule['main']>> {
  let mod: DaemonModule;
  try {
    mod = await d.load();
  } catch (err) {
    throw new DaemonFailedError(d.name, `cannot load @mo/${d.name} (is it built? pnpm build)`, err);
  }
  if (typeof mod.main !== 'function') throw new DaemonFailedError(d.name, `@mo/${d.name} does not export main(argv)`);
  return mod.main;
}

export function registerDaemons(program: Command, ctx: CliContext): void {
  for (const d of DAEMONS) {
    program
      .command(d.name)
      .summary(d.summary)
      .argument('[args...]', `the ${d.name}'s own flags`)
      // Everything after the command name belongs to the daemon's parser, --help included.
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .passThroughOptions()
      .action(async (args: string[], _flags: object, self: Command) => {
        ctx.resolve(self); // only `mo --json agent ...` is ours; record it for error reports
        const main = await loadMain(d);
        try {
          await main(daemonArgs(d.name, ctx.argv, args));
        } catch (err) {
          throw new DaemonFailedError(d.name, '', err);
        }
      });
  }
}
