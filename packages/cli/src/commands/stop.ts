// `mo stop ID [--grace DURATION]`: StopWorkload; waits for the end and prints the final state.
import type { Command } from 'commander';
import { addGlobalOptions, type CliContext } from '../context.js';
import { parseDuration } from '../flags.js';
import { write, writeJson } from '../io.js';
import { renderStopped } from '../output/status.js';

export function registerStop(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('stop')
    .summary('stop a workload (SIGTERM, grace, SIGKILL)')
    .description('Stop a workload: SIGTERM to its process group, then SIGKILL after the grace period.')
    .argument('<id>', 'workload id')
    .option('--grace <duration>', "override the workload's grace period (10s, 500ms)");
  addGlobalOptions(cmd).action(async (id: string, flags: { grace?: string }, self: Command) => {
    const globals = ctx.resolve(self);
    const graceMs = flags.grace === undefined ? 0 : parseDuration(flags.grace, '--grace');
    const w = await ctx.withAgent(globals, (client) => client.stopWorkload(id, graceMs));
    await (globals.json ? writeJson(ctx.io, w) : write(ctx.io.stdout, renderStopped(w)));
  });
}
