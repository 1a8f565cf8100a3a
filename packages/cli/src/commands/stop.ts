// `mo stop ID [--grace DURATION]`: StopScheduledWorkload (or StopWorkload on one agent with
// --agent); waits for the end and prints the final state.
import type { Command } from 'commander';
import { addGlobalOptions, type CliContext } from '../context.js';
import { parseDuration } from '../flags.js';
import { write, writeJson } from '../io.js';

export function registerStop(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('stop')
    .summary('stop a workload (SIGTERM, grace, SIGKILL)')
    .description(
      'Stop a workload: SIGTERM to its process group on its node, then SIGKILL after the grace period. ' +
        'A pending workload is just cancelled. Returns once it has ended.',
    )
    .argument('<id>', 'workload id')
    .option('--grace <duration>', "override the workload's grace period (10s, 500ms)");
  addGlobalOptions(cmd).action(async (id: string, flags: { grace?: string }, self: Command) => {
    const globals = ctx.resolve(self);
    const graceMs = flags.grace === undefined ? 0 : parseDuration(flags.grace, '--grace');
    if (globals.target.kind === 'agent') {
      const { renderStopped } = await import('../output/status.js');
      const w = await ctx.withAgent(globals, (client) => client.stopWorkload(id, graceMs));
      await (globals.json ? writeJson(ctx.io, w) : write(ctx.io.stdout, renderStopped(w)));
      return;
    }
    const { renderWorkloadLine } = await import('../output/cluster.js');
    const w = await ctx.withScheduler(globals, (client) => client.stopWorkload(id, graceMs));
    await (globals.json ? writeJson(ctx.io, w) : write(ctx.io.stdout, renderWorkloadLine(w)));
  });
}
