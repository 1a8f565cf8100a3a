// `mo wait REF… [--timeout D]`: follows the scheduler's Watch stream until every named workload has
// ended, printing each end as it comes (through a failover too); the exit code is the worst result.
import type { ScheduledWorkload__Output, SchedulerClient } from '@mo/api';
import type { Command } from 'commander';
import { addGlobalOptions, type CliContext } from '../context.js';
import { ExitCode, WaitFailedError } from '../errors.js';
import { write, writeJson } from '../io.js';
import { renderWorkloadLine, workloadEnded } from '../output/cluster.js';
import { planLookup } from '../refs/match.js';
import { resolveMany } from '../refs/resolve.js';
import { waitLimit } from './wait-limit.js';
import { WatchReopens } from './watch-reopen.js';

type WaitClient = Pick<SchedulerClient, 'watch' | 'getWorkload' | 'listWorkloads' | 'listAllWorkloads'>;

/**
 * The workloads `refs` name, each once. An exact id that is no workload's but an array's group id
 * (what `mo start --count` prints) stands for every member of the array: `mo wait GROUP`.
 */
export async function resolveWaited(client: WaitClient, refs: readonly string[]): Promise<ScheduledWorkload__Output[]> {
  const groups = refs.filter((r) => planLookup(r).kind === 'exact');
  const members = new Map<string, ScheduledWorkload__Output[]>();
  for (const ref of groups) {
    const found = await client.getWorkload(ref).then(
      () => undefined,
      async (err: unknown) => {
        if ((err as { code?: unknown }).code !== NOT_FOUND) throw err;
        const { workloads } = await client.listAllWorkloads({ groupId: ref, omitEvents: true });
        if (workloads.length === 0) throw err;
        return workloads.sort((a, b) => a.groupIndex - b.groupIndex);
      },
    );
    if (found) members.set(ref, found);
  }
  const single = await resolveMany(
    client,
    refs.filter((r) => !members.has(r)),
  );
  const seen = new Set<string>();
  return [...single, ...[...members.values()].flat()].filter((w) => !seen.has(w.id) && seen.add(w.id));
}

/** grpc's NOT_FOUND, as MoErrors and grpc-js errors carry it. */
const NOT_FOUND = 5;

/**
 * The worst result decides: 4 when any ended without succeeding (failed, stopped, lost: a known
 * failure outranks not knowing yet), else 5 when the timeout passed with some still going, else 0.
 */
export function waitExitCode(workloads: readonly Pick<ScheduledWorkload__Output, 'state'>[]): ExitCode {
  if (workloads.some((w) => workloadEnded(w) && w.state !== 'WORKLOAD_STATE_SUCCEEDED')) return ExitCode.WorkloadFailed;
  if (workloads.some((w) => !workloadEnded(w))) return ExitCode.WaitTimeout;
  return ExitCode.Ok;
}

/** Whether --timeout was given on the command line (default: wait as long as it takes). */
function timeoutGiven(cmd: Command): boolean {
  for (let c: Command | null = cmd; c; c = c.parent)
    if (c.opts<{ timeout?: string }>().timeout !== undefined) return true;
  return false;
}

/**
 * Follows every workload `refs` name until all have ended, or `signal` aborts. The watch opens
 * first and the references are resolved after its caught-up marker, so an end can fall neither
 * before the watch (the lookup sees it) nor between (the stream has it). A stream that breaks (a
 * failover: the new leader's events are numbered anew, so it is not resumed) is opened again and
 * each workload still going is read again after its caught-up marker (watch-reopen.ts). `onEnd`
 * sees each end once.
 */
export async function waitForEnds(
  client: WaitClient,
  refs: readonly string[],
  signal: AbortSignal,
  onEnd: (w: ScheduledWorkload__Output) => Promise<void>,
): Promise<ScheduledWorkload__Output[]> {
  const latest = new Map<string, ScheduledWorkload__Output>();
  let open: Set<string> | undefined;
  const see = async (w: ScheduledWorkload__Output) => {
    latest.set(w.id, w);
    if (!workloadEnded(w)) return;
    open?.delete(w.id);
    await onEnd(w);
  };
  const reopens = new WatchReopens();
  while (!signal.aborted && (open === undefined || open.size > 0)) {
    const stop = new AbortController();
    const abort = () => stop.abort();
    signal.addEventListener('abort', abort, { once: true });
    reopens.opened();
    const events = client.watch({}, stop.signal);
    let failure: unknown;
    try {
      let e = await events.next();
      for (; !e.done && !e.value.caughtUp; e = await events.next());
      if (!e.done) {
        if (open === undefined) {
          const found = await resolveWaited(client, refs);
          open = new Set(found.filter((w) => !workloadEnded(w)).map((w) => w.id));
          for (const w of found) await see(w);
        } else {
          // What ended while no stream was open.
          for (const id of [...open]) await see(await client.getWorkload(id));
        }
        while (open.size > 0 && !signal.aborted) {
          const next = await events.next();
          if (next.done) break;
          const w = next.value.workload;
          if (w && open.has(w.id)) await see(w);
        }
      }
    } catch (err) {
      failure = err;
    } finally {
      signal.removeEventListener('abort', abort);
      stop.abort();
      await events.return(undefined);
    }
    if (open !== undefined && open.size === 0) break;
    await reopens.after(failure, signal);
  }
  // The time ran out before the watch caught up and the waited workloads were looked up (a slow
  // scheduler, a short --timeout): look now, so the answer says where each stands. An empty answer
  // read as "all succeeded" (exit 0).
  if (open === undefined) for (const w of await resolveWaited(client, refs)) latest.set(w.id, w);
  return [...latest.values()];
}

export function registerWait(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('wait')
    .summary('wait until workloads end')
    .description(
      'Wait until every named workload (id, unique id prefix of 6+ characters, or name of a live workload; ' +
        'a group id from `mo start --count` stands for every member of the array) has ended, printing a line for each as it ends. --timeout D bounds the whole wait (default: no ' +
        'limit; each call to the scheduler keeps its 10 s deadline).\n\n' +
        'Exit code, the worst result: 0 all succeeded; 4 any failed, was stopped or lost; 5 --timeout passed ' +
        'with some still going (and none failed). --json: one document at the end, {"workloads": [...]} in ' +
        'the order given, each as last seen, and "waiting": the ids that had not ended.',
    )
    .argument('<id...>', 'workload ids, id prefixes, names or array group ids');
  addGlobalOptions(cmd).action(async (refs: string[], _flags: object, self: Command) => {
    const globals = ctx.resolve(self);
    const limitMs = timeoutGiven(self) ? globals.timeoutMs : undefined;
    const limit = waitLimit(limitMs);
    try {
      const workloads = await ctx.withScheduler(globals, (client) =>
        waitForEnds(client, refs, limit.signal, (w) =>
          globals.json ? Promise.resolve() : write(ctx.io.stdout, renderWorkloadLine(w)),
        ),
      );
      const waiting = workloads.filter((w) => !workloadEnded(w));
      if (globals.json) await writeJson(ctx.io, { workloads, waiting: waiting.map((w) => w.id) });
      const code = waitExitCode(workloads);
      if (code === ExitCode.Ok) return;
      const failed = workloads.filter((w) => workloadEnded(w) && w.state !== 'WORKLOAD_STATE_SUCCEEDED');
      if (code === ExitCode.WorkloadFailed) {
        throw new WaitFailedError(`${failed.length} of ${workloads.length} did not succeed: ${idList(failed)}`, code);
      }
      if (!limit.timedOut()) throw new Error(`the watch ended with ${idList(waiting)} still going`);
      throw new WaitFailedError(`gave up after ${limitMs} ms; still going: ${idList(waiting)}`, ExitCode.WaitTimeout);
    } finally {
      limit.cancel();
    }
  });
}

/** `A, B, C` (the first ten, then how many more). */
function idList(ws: readonly { id: string }[]): string {
  const shown = ws.slice(0, 10).map((w) => w.id);
  return ws.length > shown.length ? `${shown.join(', ')} and ${ws.length - shown.length} more` : shown.join(', ');
}
