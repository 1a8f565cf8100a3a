// `mo events [-f] [--after N] [--workload ID | --pipeline ID | --pipelines | --jobs | --job NAME]
// [--json]`: the scheduler's Watch stream (pipeline and job events only when asked for, on the same
// sequence). Prints the retained events (after N, or all of them), then with -f follows live ones;
// a broken stream is resumed after the last seq printed (no gap, no duplicate), with a note on stderr.
import type { ClusterEvent__Output, MoError, WatchRequest } from '@mo/api';
import type { Command } from 'commander';
import { addGlobalOptions, type CliContext } from '../context.js';
import { parseCount } from '../flags.js';
import { UsageError } from '../errors.js';
import { write } from '../io.js';
import { resolveWorkloadId } from '../refs/resolve.js';

export interface EventsFlags {
  follow?: boolean;
  after?: string;
  workload?: string;
  pipeline?: string;
  pipelines?: boolean;
  jobs?: boolean;
  job?: string;
}

/** --after N replays the retained events after seq N; without it (or 0), every retained one. */
export function buildEventsRequest(flags: EventsFlags): WatchRequest {
  const after = flags.after === undefined ? 0 : parseCount(flags.after, '--after');
  const only = (
    [
      ['--pipeline', flags.pipeline],
      ['--workload', flags.workload],
      ['--job', flags.job],
    ] as const
  ).filter(([, v]) => v !== undefined);
  if (only.length > 1)
    throw new UsageError(`${only.map(([f]) => f).join(' and ')} cannot be combined (one stream follows one of them)`);
  if (flags.job === '') throw new UsageError('is empty', '--job');
  return {
    workloadId: flags.workload ?? '',
    pipelineId: flags.pipeline ?? '',
    includePipelines: flags.pipelines === true || flags.pipeline !== undefined,
    ...(flags.jobs === true || flags.job !== undefined ? { includeJobs: true } : {}),
    ...(flags.job !== undefined ? { job: flags.job } : {}),
    ...(after > 0 ? { afterSeq: after } : { replayRetained: true }),
  };
}

/** One line per event: seq, time, then the workload, node or pipeline as `mo status` words it. */
export async function renderEventLine(e: ClusterEvent__Output): Promise<string> {
  const at = new Date(e.atMs).toISOString();
  if (e.pipeline) {
    const p = e.pipeline;
    const name = p.pipeline?.name || p.pipelineId;
    const what = p.stepId ? `pipeline ${name} step ${p.stepId}` : `pipeline ${name}`;
    return `${e.seq} ${at} ${what} ${p.state}${p.reason && p.reason !== p.state ? `: ${p.reason}` : ''}\n`;
  }
  if (e.job) {
    const { jobEventText } = await import('../output/job.js');
    return `${e.seq} ${at} ${jobEventText(e.job)}\n`;
  }
  if (e.workload) {
    const { renderWorkloadLine } = await import('../output/cluster.js');
    const w = e.workload;
    // renderWorkloadLine leaves out the reason of a running workload; an event line needs it.
    const line = renderWorkloadLine(w).trimEnd();
    const reason = w.reason && !line.endsWith(w.reason) ? `: ${w.reason}` : '';
    return `${e.seq} ${at} workload ${line}${reason}\n`;
  }
  const n = e.node!;
  const state = n.state === 'NODE_STATE_UP' ? 'up' : 'down';
  // A drain (draining, what is left; drained) rides on the node's events.
  let drain = '';
  if (n.drain && n.drain.state !== 'NODE_DRAIN_STATE_UNSPECIFIED') {
    const { drainText } = await import('../output/cluster.js');
    drain = ` (${drainText(n, e.atMs)})`;
  }
  return `${e.seq} ${at} node ${n.name} ${state}${n.reason ? `: ${n.reason}` : ''}${drain}\n`;
}

export function registerEvents(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('events')
    .summary("the cluster's workload and node (and pipeline) events (the retained ones; -f: then live)")
    .description(
      'Prints the workload and node state changes the scheduler keeps (the last 10,000, at most 1 h old; ' +
        'with --pipelines, pipeline and step changes too, numbered on the same sequence), ' +
        'one line each (seq, time, what changed), or one JSON object per line with --json. With -f it ' +
        'keeps following; a broken stream is resumed after the last seq printed, so nothing is missed or ' +
        'printed twice. A scheduler restart loses the kept events: following then ends with an error.',
    )
    .option('-f, --follow', 'keep printing events as they happen (Ctrl-C ends)')
    .option('--after <seq>', 'only events after this sequence number (a previous run’s last)')
    .option('--workload <id>', "only this workload's events (an id, unique id prefix or live workload's name)")
    .option('--pipelines', 'pipeline and step events too')
    .option('--pipeline <id>', "only this pipeline's events")
    .option('--jobs', "job events too: a job's new version, its deployment's progress, its set of healthy instances")
    .option('--job <name>', "only this job's events");
  addGlobalOptions(cmd).action(async (flags: EventsFlags, self: Command) => {
    const globals = ctx.resolve(self);
    const req = buildEventsRequest(flags);
    await ctx.withScheduler(globals, async (client) => {
      if (req.workloadId) req.workloadId = await resolveWorkloadId(client, req.workloadId, '--workload');
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      const onReconnect = (err: MoError | undefined, afterSeq: number) => {
        const why = err ? err.message : 'the stream ended';
        ctx.io.stderr.write(`mo events: ${why}; resuming after seq ${afterSeq}\n`);
      };
      try {
        for await (const e of client.follow(req, { signal: abort.signal, onReconnect })) {
          if (e.caughtUp) {
            if (!flags.follow) break;
            continue;
          }
          await write(ctx.io.stdout, globals.json ? `${JSON.stringify(e)}\n` : await renderEventLine(e));
        }
      } finally {
        process.removeListener('SIGINT', stop);
        abort.abort();
      }
    });
  });
}
