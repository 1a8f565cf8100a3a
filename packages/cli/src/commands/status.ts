// `mo status [ID]`: the cluster overview (GetClusterStatus: nodes, counts, queue, recent
// workloads) or one workload with its events (GetScheduledWorkload). With --agent: that agent's
// node status (GetNodeStatus) or one of its workloads, as in the first release.
//
// This is the command people run most: renderers are imported only once the reply is in, and
// nothing here loads a daemon.
import type { Command } from 'commander';
import { addGlobalOptions, type CliContext, type GlobalOptions } from '../context.js';
import { parseCount } from '../flags.js';
import { write, writeJson } from '../io.js';
import { resolveWorkload } from '../refs/resolve.js';

export const MAX_RECENT = 1000;

export function registerStatus(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('status')
    .summary('the cluster at a glance, or one workload')
    .description(
      'Without an id: the scheduler, its nodes (reserved and measured CPU and memory, running workloads), ' +
        'workload counts by state, the queue and the most recent workloads. With an id: that workload, ' +
        'where it runs, its allocation, attempts, exit and events.',
    )
    .argument(
      '[id]',
      'workload id, unique id prefix (6+ characters) or name of a live workload (--agent: the exact id)',
    )
    .option('--recent <n>', 'how many recent workloads to list (default 10)');
  addGlobalOptions(cmd).action(async (id: string | undefined, flags: { recent?: string }, self: Command) => {
    const globals = ctx.resolve(self);
    const recent = flags.recent === undefined ? undefined : parseCount(flags.recent, '--recent', MAX_RECENT);
    const now = () => Date.now();
    if (globals.target.kind === 'agent') {
      const out = await import('../output/status.js');
      if (id === undefined) {
        const node = await ctx.withAgent(globals, (client) => client.getFullNodeStatus());
        await (globals.json ? writeJson(ctx.io, node) : write(ctx.io.stdout, out.renderNodeStatus(node, now())));
      } else {
        const w = await ctx.withAgent(globals, (client) => client.getWorkload(id));
        await (globals.json ? writeJson(ctx.io, w) : write(ctx.io.stdout, out.renderWorkload(w, now())));
      }
      return;
    }
    return schedulerStatus(ctx, globals, id, recent);
  });
}

/** `mo status [ID]` against the scheduler (also run by the fast path, without commander). */
export async function schedulerStatus(
  ctx: CliContext,
  globals: GlobalOptions,
  id: string | undefined,
  recent: number | undefined,
): Promise<void> {
  const now = () => Date.now();
  if (id === undefined) {
    // recent 0 on the wire means "the default"; `--recent 0` means none, so ask for 1 and drop it.
    // The full status follows the pages: every node, and as many recent workloads as asked.
    const cs = await ctx.withSchedulerWire(globals, (client) =>
      client.getFullClusterStatus({ recentWorkloads: recent === 0 ? 1 : (recent ?? 0) }),
    );
    if (recent === 0) cs.recent = [];
    if (globals.json) return writeJson(ctx.io, cs);
    const { renderClusterStatus } = await import('../output/cluster.js');
    return write(ctx.io.stdout, renderClusterStatus(cs, now()));
  }
  const w = await ctx.withSchedulerWire(globals, (client) => resolveWorkload(client, id, { whole: true }));
  if (globals.json) return writeJson(ctx.io, w);
  const { renderScheduledWorkload } = await import('../output/cluster.js');
  return write(ctx.io.stdout, renderScheduledWorkload(w, now()));
}
