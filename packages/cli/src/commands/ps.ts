// `mo ps [--all] [--state S]… [--node N] [--label k=v]… [--name N] [--group G]`: ListWorkloads with the
// scheduler's own filters, page after page, as a table (or {"workloads": [...]} with --json).
import type { ListWorkloadsRequest, WorkloadState } from '@mo/api';
import type { Command } from 'commander';
import { addGlobalOptions, type CliContext, type GlobalOptions } from '../context.js';
import { UsageError } from '../errors.js';
import { collect, parseLabels } from '../flags.js';
import { write, writeJson } from '../io.js';
import { LIVE_STATES } from '../refs/match.js';

export interface PsFlags {
  all?: boolean;
  state?: string[];
  node?: string;
  label?: string[];
  name?: string;
  group?: string;
}

/** An array's group id: a ULID, as workload ids. */
const GROUP_RE = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** The states `--state` takes, in lifecycle order. */
export const STATE_WORDS = [
  'pending',
  'starting',
  'running',
  'unknown',
  'succeeded',
  'failed',
  'stopped',
  'lost',
] as const;

/** `--state running,pending --state lost` → wire names, each once; an unknown word names the flag. */
export function parseStates(values: readonly string[]): WorkloadState[] {
  const out = new Set<WorkloadState>();
  for (const value of values) {
    for (const word of value.split(',')) {
      const w = word.trim().toLowerCase();
      if (!(STATE_WORDS as readonly string[]).includes(w)) {
        throw new UsageError(`expected ${STATE_WORDS.join(', ')}; got ${JSON.stringify(word)}`, '--state');
      }
      out.add(`WORKLOAD_STATE_${w.toUpperCase()}` as WorkloadState);
    }
  }
  return [...out];
}

/**
 * The ListWorkloads request (`nodeId` already looked up). Live workloads only, unless --all or
 * --state says which (--state wins over --all).
 */
export function buildPsRequest(flags: PsFlags, nodeId?: string): ListWorkloadsRequest {
  const states = flags.state?.length ? parseStates(flags.state) : flags.all ? [] : [...LIVE_STATES];
  if (flags.name === '') throw new UsageError('is empty', '--name');
  if (flags.group !== undefined && !GROUP_RE.test(flags.group))
    throw new UsageError(
      `expected a group id as \`mo start --count\` prints it; got ${JSON.stringify(flags.group)}`,
      '--group',
    );
  const labels = parseLabels(flags.label ?? []);
  return {
    ...(states.length > 0 ? { states } : {}),
    ...(nodeId ? { nodeId } : {}),
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    ...(flags.group !== undefined ? { groupId: flags.group } : {}),
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
    omitEvents: true,
  };
}

export function registerPs(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('ps')
    .summary('list workloads (live ones; --all: ended ones too)')
    .description(
      'Workloads, newest first: id (the shortest prefix, 12+ characters, that tells the listed ones apart; ' +
        'any command takes it), name, state (with the exit of an ended one), node, age and command (a pending ' +
        "one's reason instead). Live workloads (pending, starting, running, unknown) unless --all or --state. " +
        'Filters are applied by the scheduler and combine (all must match). --json: {"workloads": [...]}, ' +
        'the ScheduledWorkload objects without their events.',
    )
    .option('-a, --all', 'ended workloads too (succeeded, failed, stopped, lost)')
    .option('--state <states>', `only these states (repeatable, or a comma list): ${STATE_WORDS.join(', ')}`, collect)
    .option('--node <node>', 'only workloads placed on this node (name or id)')
    .option('--label <k=v>', 'only workloads with this label (repeatable: all must match)', collect)
    .option('--name <name>', 'only workloads with this name')
    .option('--group <id>', 'only the members of this array (the group id `mo start --count` prints)');
  addGlobalOptions(cmd).action(async (flags: PsFlags, self: Command) => runPs(ctx, ctx.resolve(self), flags));
}

/** `mo ps` (the fast path's too): ListWorkloads pages over the wire client, then the table. */
export async function runPs(ctx: CliContext, globals: GlobalOptions, flags: PsFlags): Promise<void> {
  buildPsRequest(flags); // bad flags are reported before anything is dialled
  const { workloads } = await ctx.withSchedulerWire(globals, async (client) => {
    let nodeId: string | undefined;
    if (flags.node !== undefined) {
      const { nodes } = await client.listAllNodes();
      const node = nodes.find((n) => n.name === flags.node) ?? nodes.find((n) => n.id === flags.node);
      if (!node)
        throw new UsageError(`no node named (or with id) ${JSON.stringify(flags.node)}: see mo nodes`, '--node');
      nodeId = node.id;
    }
    return client.listAllWorkloads(buildPsRequest(flags, nodeId));
  });
  if (globals.json) return writeJson(ctx.io, { workloads });
  const { renderPsTable } = await import('../output/ps.js');
  await write(ctx.io.stdout, renderPsTable(workloads, Date.now()));
}
