// `mo node rm NODE`: RemoveNode — forgets a down node (by name or id). Refused while it is up
// (FAILED_PRECONDITION: its agent would only register again); its unknown workloads are lost at
// once and handled by their restart policies, ended ones stay readable.
import type { Command } from 'commander';
import { addGlobalOptions, type CliContext } from '../context.js';
import { write, writeJson } from '../io.js';
import { registerNodeDrain } from './node-drain.js';

export function registerNode(program: Command, ctx: CliContext): void {
  const node = program.command('node').summary('manage registered nodes (drain, eligibility, rm)');
  registerNodeDrain(node, ctx);
  const rm = node
    .command('rm')
    .summary('forget a down node')
    .description(
      'Forget a down node (by name or id): it leaves `mo nodes`, and its workloads still waiting for it ' +
        '(unknown) are lost now and restarted elsewhere per their restart policy. An up node is refused; ' +
        "stop its agent first. Down nodes are also forgotten by themselves after the scheduler's " +
        '--forget-down-after (24h).',
    )
    .argument('<node>', 'node name or id');
  addGlobalOptions(rm).action(async (nameOrId: string, _flags: object, self: Command) => {
    const globals = ctx.resolve(self);
    const res = await ctx.withScheduler(globals, (client) => client.removeNode(nameOrId));
    if (globals.json) return writeJson(ctx.io, res);
    const n = res.node;
    return write(ctx.io.stdout, `removed node ${n?.name ?? nameOrId} (${n?.id ?? '?'})\n`);
  });
}
