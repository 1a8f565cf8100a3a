// `mo node drain NODE [--deadline 1h] [--force] [--cancel] [--detach]` and `mo node eligibility NODE
// --enable|--disable`: DrainNode and SetNodeEligibility. Without --detach, `drain` follows the drain
// until nothing is left on the node: a line when what is left changes, and one per workload that
// moves off it (from the Watch stream, with a poll of the node every second in case the stream is
// quiet or cut). Ctrl-C stops following only: the drain is the scheduler's and goes on.
import type { ClusterEvent__Output, Node__Output, SchedulerClient, ScheduledWorkload__Output } from '@mo/api';
import { sleep } from '@mo/api/timers';
import type { Command } from 'commander';
import { addGlobalOptions, type CliContext } from '../context.js';
import { ExitCode, UsageError, WaitFailedError } from '../errors.js';
import { parseDuration } from '../flags.js';
import { write, writeJson } from '../io.js';
import { drainText } from '../output/cluster.js';

const POLL_MS = 1000;

interface DrainFlags {
  deadline?: string;
  force?: boolean;
  cancel?: boolean;
  detach?: boolean;
}

export function registerNodeDrain(node: Command, ctx: CliContext): void {
  const drain = node
    .command('drain')
    .summary('move everything off a node; it takes no new work')
    .description(
      'Drain a node (by name or id): it takes no new work at once. A service job moves its instances ' +
        'elsewhere update.max_parallel at a time, each replacement healthy before the old one stops; ' +
        'batch work and plain workloads run until the deadline, then are stopped and placed elsewhere ' +
        '(a job as it decides, a workload re-placed). The node stays ineligible once drained: ' +
        '`mo node eligibility NODE --enable` gives it work again. Without --detach, follows the drain ' +
        'until it is done; Ctrl-C stops following, not the drain.',
    )
    .argument('<node>', 'node name or id')
    .option('--deadline <duration>', 'how long work may run on there before it is stopped (default 1h)')
    .option('--force', 'stop everything on the node now')
    .option('--cancel', 'end the drain: nothing more moves, and the node is eligible again')
    .option('--detach', 'start the drain and return at once');
  addGlobalOptions(drain).action(async (nameOrId: string, flags: DrainFlags, self: Command) => {
    const globals = ctx.resolve(self);
    const deadlineMs = flags.deadline === undefined ? 0 : parseDuration(flags.deadline, '--deadline');
    if (flags.deadline !== undefined && deadlineMs <= 0) throw new UsageError('must be greater than 0', '--deadline');
    if (flags.cancel && (flags.force || flags.deadline !== undefined)) {
      throw new UsageError('cannot be combined with --force or --deadline', '--cancel');
    }
    await ctx.withScheduler(globals, async (client) => {
      const res = await client.drainNode({
        node: nameOrId,
        deadlineMs,
        force: flags.force === true,
        cancel: flags.cancel === true,
      });
      const n = res.node!;
      if (flags.cancel) {
        return globals.json
          ? writeJson(ctx.io, res)
          : write(ctx.io.stdout, `node ${n.name}: drain cancelled, eligible\n`);
      }
      if (flags.detach) {
        return globals.json
          ? writeJson(ctx.io, res)
          : write(ctx.io.stdout, `node ${n.name}: ${drainText(n, Date.now())}\n`);
      }
      // Ctrl-C stops following, not the drain (the scheduler's, stored with the node).
      const interrupt = new AbortController();
      const stop = () => interrupt.abort();
      process.once('SIGINT', stop);
      let done: Node__Output | undefined;
      try {
        const out = globals.json ? () => Promise.resolve() : (s: string) => write(ctx.io.stdout, s);
        done = await followDrain(client, n, out, interrupt.signal);
      } finally {
        process.removeListener('SIGINT', stop);
      }
      if (!done) {
        return write(
          ctx.io.stderr,
          `stopped following; the drain of ${n.name} goes on (mo nodes shows it, mo node drain ${n.name} --cancel ends it)\n`,
        );
      }
      if (globals.json) return writeJson(ctx.io, { node: done });
    });
  });

  const elig = node
    .command('eligibility')
    .summary('let a node take new work, or not')
    .description(
      'Mark a node eligible for new work (--enable) or not (--disable); what runs there keeps running. ' +
        'A draining node cannot be enabled: cancel its drain (mo node drain NODE --cancel).',
    )
    .argument('<node>', 'node name or id')
    .option('--enable', 'the node takes new work')
    .option('--disable', 'the node takes no new work');
  addGlobalOptions(elig).action(
    async (nameOrId: string, flags: { enable?: boolean; disable?: boolean }, self: Command) => {
      const globals = ctx.resolve(self);
      if (flags.enable === flags.disable) throw new UsageError('give one of --enable or --disable', '--enable');
      const res = await ctx.withScheduler(globals, (client) =>
        client.setNodeEligibility(nameOrId, flags.enable === true),
      );
      if (globals.json) return writeJson(ctx.io, res);
      const n = res.node!;
      return write(ctx.io.stdout, `node ${n.name}: ${n.eligible ? 'eligible' : 'ineligible'}\n`);
    },
  );
}

/** The node by id, from the listing (ListNodes; there is no GetNode over gRPC). */
async function nodeNow(client: SchedulerClient, id: string): Promise<Node__Output | undefined> {
  return (await client.listAllNodes()).nodes.find((n) => n.id === id);
}

/**
 * Follows the drain of `start` until it is drained. Prints what is left when it changes and each
 * workload that leaves the node. Rejects when the drain was cancelled or the node forgotten;
 * resolves undefined once `signal` aborts (Ctrl-C).
 */
export async function followDrain(
  client: SchedulerClient,
  start: Node__Output,
  out: (line: string) => Promise<void>,
  signal?: AbortSignal,
): Promise<Node__Output | undefined> {
  const abort = new AbortController();
  const interrupted = () => abort.abort();
  signal?.addEventListener('abort', interrupted);
  const onNode = new Set<string>();
  for (const w of (await client.listAllWorkloads({ nodeId: start.id, omitEvents: true })).workloads) {
    if (isPlaced(w)) onNode.add(w.id);
  }
  let wake: () => void = () => {};
  const events = (async () => {
    try {
      for await (const e of client.watch({}, abort.signal)) {
        await noteEvent(e, start, onNode, out);
        wake();
      }
    } catch {
      // The stream failed or was cut: the poll below goes on alone.
    }
  })();
  let shown = '';
  try {
    while (!abort.signal.aborted) {
      const n = await nodeNow(client, start.id);
      if (!n)
        throw new WaitFailedError(
          `node ${start.name} is gone (removed): the drain ended with it`,
          ExitCode.WorkloadFailed,
        );
      if (!n.drain || n.drain.state === 'NODE_DRAIN_STATE_UNSPECIFIED') {
        throw new WaitFailedError(`node ${n.name}: the drain was cancelled`, ExitCode.WorkloadFailed);
      }
      const line = `node ${n.name}: ${drainText(n, Date.now())}\n`;
      if (line !== shown) {
        shown = line;
        await out(line);
      }
      if (n.drain.state === 'NODE_DRAIN_STATE_DRAINED') return n;
      await Promise.race([new Promise<void>((r) => (wake = r)), sleep(POLL_MS, abort.signal).catch(() => {})]);
    }
    return undefined;
  } finally {
    signal?.removeEventListener('abort', interrupted);
    abort.abort();
    await events;
  }
}

const PLACED = new Set(['WORKLOAD_STATE_STARTING', 'WORKLOAD_STATE_RUNNING', 'WORKLOAD_STATE_UNKNOWN']);
const isPlaced = (w: ScheduledWorkload__Output): boolean => PLACED.has(w.state);

/** A workload event: one that was on the node and no longer is there gets a line. */
async function noteEvent(
  e: ClusterEvent__Output,
  node: Node__Output,
  onNode: Set<string>,
  out: (line: string) => Promise<void>,
): Promise<void> {
  const w = e.workload;
  if (!w) return;
  const there = w.nodeId === node.id && isPlaced(w);
  if (there) {
    onNode.add(w.id);
    return;
  }
  if (!onNode.delete(w.id)) return;
  const state = w.state.replace('WORKLOAD_STATE_', '').toLowerCase();
  const where = isPlaced(w) ? ` on ${w.nodeName}` : '';
  const name = w.spec?.name ? ` (${w.spec.name})` : '';
  await out(`  moved ${w.id}${name}: ${state}${where}${w.reason ? ` — ${w.reason}` : ''}\n`);
}
