// `mo status [ID]`: the node with its workloads (GetNodeStatus), or one workload in detail (GetWorkload).
import type { Command } from 'commander';
import { addGlobalOptions, type CliContext } from '../context.js';
import { write, writeJson } from '../io.js';
import { renderNodeStatus, renderWorkload } from '../output/status.js';

export function registerStatus(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('status')
    .summary("the node's facts, metrics and workloads, or one workload")
    .description('Without an id: node facts, metrics and a table of workloads. With an id: that workload in detail.')
    .argument('[id]', 'workload id');
  addGlobalOptions(cmd).action(async (id: string | undefined, _flags: object, self: Command) => {
    const globals = ctx.resolve(self);
    if (id === undefined) {
      const node = await ctx.withAgent(globals, (client) => client.getNodeStatus());
      await (globals.json ? writeJson(ctx.io, node) : write(ctx.io.stdout, renderNodeStatus(node, Date.now())));
    } else {
      const w = await ctx.withAgent(globals, (client) => client.getWorkload(id));
      await (globals.json ? writeJson(ctx.io, w) : write(ctx.io.stdout, renderWorkload(w, Date.now())));
    }
  });
}
