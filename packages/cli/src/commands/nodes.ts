// `mo nodes`: ListNodes — every registered node (all pages), its state, address, reserved and
// measured resources, running workloads and last heartbeat.
import type { Command } from 'commander';
import { addGlobalOptions, type CliContext, type GlobalOptions } from '../context.js';
import { write, writeJson } from '../io.js';

export function registerNodes(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('nodes')
    .summary('the nodes registered with the scheduler')
    .description(
      'Every node: state (up, down; ineligible or avoided after failed starts), the address the scheduler ' +
        'dials, CPU and memory reserved by placed workloads against capacity, measured use, running ' +
        'workloads and the age of the last heartbeat.',
    );
  addGlobalOptions(cmd).action(async (_flags: object, self: Command) => {
    return listNodes(ctx, ctx.resolve(self));
  });
}

/** `mo nodes` (also run by the fast path, without commander). */
export async function listNodes(ctx: CliContext, globals: GlobalOptions): Promise<void> {
  const res = await ctx.withSchedulerWire(globals, (client) => client.listAllNodes());
  if (globals.json) return writeJson(ctx.io, res);
  const { renderNodeTable } = await import('../output/cluster.js');
  return write(ctx.io.stdout, renderNodeTable(res.nodes, Date.now()));
}
