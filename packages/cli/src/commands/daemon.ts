// `mo agent [agent flags…]`: runs the node agent daemon in this process. The agent is loaded only
// here, so every other command starts without paying for the daemon's imports.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { AgentFailedError } from '../errors.js';

/** What the CLI needs from @mo/agent; `main` is optional so a build without it fails by name. */
interface AgentModule {
  main?: (argv: string[]) => Promise<void>;
}

/**
 * The arguments after `agent`, exactly as typed. Commander drops a `--` that comes right after
 * the command name; the agent's own parser may care about it, so it is put back from the raw argv.
 */
export function agentArgs(rawArgs: readonly string[], parsed: readonly string[]): string[] {
  const at = rawArgs.length - parsed.length - 1;
  if (at >= 1 && rawArgs[at] === '--' && rawArgs[at - 1] === 'agent') return ['--', ...parsed];
  return [...parsed];
}

async function loadAgent(): Promise<Required<AgentModule>> {
  let mod: AgentModule;
  try {
    mod = await import('@mo/agent');
  } catch (err) {
    throw new AgentFailedError('cannot load @mo/agent (is it built? pnpm build)', err);
  }
  const main = mod.main;
  if (typeof main !== 'function') throw new AgentFailedError('@mo/agent does not export main(argv)');
  return { main };
}

export function registerAgent(program: Command, ctx: CliContext): void {
  program
    .command('agent')
    .summary('run the node agent daemon (its flags: mo agent --help)')
    .argument('[args...]', "the agent's own flags")
    // Everything after `agent` belongs to the agent's parser, --help included.
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .passThroughOptions()
    .action(async (args: string[], _flags: object, self: Command) => {
      ctx.resolve(self); // only `mo --json agent ...` is ours; record it for error reports
      const { main } = await loadAgent();
      try {
        await main(agentArgs(ctx.argv, args));
      } catch (err) {
        throw new AgentFailedError('', err);
      }
    });
}
