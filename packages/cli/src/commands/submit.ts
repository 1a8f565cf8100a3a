// The scheduler half of `mo start`: submit, print where the workload went, and with --wait follow
// it on the Watch stream (workload_id + initial_state, so no transition falls between submit and
// watch) until it runs or ends.
import type { ClusterEvent__Output, ScheduledWorkload__Output, SubmitWorkloadRequest } from '@mo/api';
import type { WireSchedulerClient } from '@mo/api/wire';
import type { CliContext, GlobalOptions } from '../context.js';
import { ExitCode, WaitFailedError } from '../errors.js';
import { write, writeJson } from '../io.js';
import { renderWorkloadLine, workloadEnded } from '../output/cluster.js';
import { checksText } from '../output/health.js';
import type { WaitFor } from './start.js';
import { waitLimit } from './wait-limit.js';
import { WatchReopens } from './watch-reopen.js';

/** What a watched workload's state means for the wait: done, failed, or keep waiting. */
export type Verdict = 'ok' | 'failed' | undefined;

/**
 * `running`: a workload that runs, or already ran and succeeded, is what was asked for. `exit`:
 * only success counts. Any other end is a failure. Restarts need no care here: the scheduler
 * moves a workload it will restart back to pending, never through an ended state.
 */
export function judge(w: JudgedWorkload, until: WaitFor): Verdict {
  if (w.state === 'WORKLOAD_STATE_SUCCEEDED') return 'ok';
  if (workloadEnded(w)) return 'failed';
  if (until === 'running' && w.state === 'WORKLOAD_STATE_RUNNING') {
    // With checks, running is not serving: only healthy is. Unhealthy is not final either (it may
    // recover, or restart_after ends it and it is judged then); the timeout bounds the wait.
    return !hasChecks(w) || w.health === 'HEALTH_HEALTHY' ? 'ok' : undefined;
  }
  return undefined;
}

/** What judge reads of a workload (tests build these from literals). */
export interface JudgedWorkload {
  readonly state: ScheduledWorkload__Output['state'];
  readonly health?: ScheduledWorkload__Output['health'];
  readonly checks?: readonly unknown[];
  readonly spec?: { readonly checks?: readonly unknown[] } | null;
}

/**
 * Whether the workload has health checks: declared in its spec, or reported by its agent (before
 * the first report a running workload's health is unspecified: that is not "no checks").
 */
export function hasChecks(w: JudgedWorkload): boolean {
  return (
    (w.spec?.checks?.length ?? 0) > 0 ||
    (w.checks?.length ?? 0) > 0 ||
    (w.health !== undefined && w.health !== 'HEALTH_UNSPECIFIED')
  );
}

/** `; checks: ready unhealthy (HTTP 503; 3 failures in a row)` when the workload has checks. */
function checksNote(w: ScheduledWorkload__Output): string {
  const text = checksText(w.checks);
  return text ? `; checks: ${text}` : hasChecks(w) ? '; no check result reported yet' : '';
}

/**
 * Follows one workload until `judge` decides. `onUpdate` sees each new state (for progress lines).
 * A stream that breaks (a failover, a cut-off) is opened again with a new snapshot
 * (watch-reopen.ts). Rejects with WaitFailedError(WaitTimeout) when `timeoutMs` passes first.
 */
export async function waitForWorkload(
  client: Pick<WireSchedulerClient, 'watch'>,
  first: ScheduledWorkload__Output,
  until: WaitFor,
  timeoutMs: number | undefined,
  onUpdate: (w: ScheduledWorkload__Output) => void = () => {},
): Promise<{ workload: ScheduledWorkload__Output; verdict: 'ok' | 'failed' }> {
  let latest = first;
  const initial = judge(first, until);
  if (initial) return { workload: first, verdict: initial };
  const limit = waitLimit(timeoutMs);
  const reopens = new WatchReopens();
  try {
    while (!limit.signal.aborted) {
      let failure: unknown;
      reopens.opened();
      try {
        const events: AsyncIterable<ClusterEvent__Output> = client.watch(
          { workloadId: first.id, initialState: true },
          limit.signal,
        );
        for await (const ev of events) {
          const w = ev.workload;
          if (!w || w.id !== first.id) continue;
          const verdict = judge(w, until);
          if (verdict) return { workload: w, verdict };
          if (w.state !== latest.state || w.reason !== latest.reason || w.health !== latest.health) onUpdate(w);
          latest = w;
        }
      } catch (err) {
        failure = err;
      }
      await reopens.after(failure, limit.signal);
    }
  } catch (err) {
    if (!limit.timedOut()) throw err;
  } finally {
    limit.cancel();
  }
  const waited = until === 'exit' ? 'its end' : hasChecks(latest) ? 'it to be healthy' : 'it to run';
  throw new WaitFailedError(
    `gave up waiting for ${waited} after ${timeoutMs} ms; ${first.id} is ${renderWorkloadLine(latest)
      .slice(first.id.length + 1)
      .trim()}${checksNote(latest)}`,
    ExitCode.WaitTimeout,
  );
}

export async function submitAndWait(
  ctx: CliContext,
  globals: GlobalOptions,
  client: Pick<WireSchedulerClient, 'submitWorkload' | 'watch'>,
  req: SubmitWorkloadRequest,
  wait: { until: WaitFor; timeoutMs: number | undefined } | undefined,
): Promise<void> {
  const res = await client.submitWorkload(req);
  const submitted = res.workload;
  if (!submitted) throw new Error('the scheduler answered SubmitWorkload without a workload');
  const note = res.existing ? ' (already submitted with this idempotency key)' : '';
  if (!wait) {
    await (globals.json ? writeJson(ctx.io, res) : write(ctx.io.stdout, withNote(renderWorkloadLine(submitted), note)));
    return;
  }
  // Progress goes to stderr, so stdout holds only the outcome (one line, or one JSON document).
  const progress = (w: ScheduledWorkload__Output) => {
    if (!globals.json) ctx.io.stderr.write(`waiting: ${renderWorkloadLine(w)}`);
  };
  if (!judge(submitted, wait.until)) progress(submitted);
  const { workload, verdict } = await waitForWorkload(client, submitted, wait.until, wait.timeoutMs, progress);
  await (globals.json
    ? writeJson(ctx.io, { ...res, workload })
    : write(ctx.io.stdout, withNote(renderWorkloadLine(workload), note)));
  if (verdict === 'failed') {
    const wanted = wait.until === 'exit' ? 'succeed' : hasChecks(workload) ? 'become healthy' : 'run';
    throw new WaitFailedError(
      `${workload.id} did not ${wanted}: ${renderWorkloadLine(workload)
        .slice(workload.id.length + 1)
        .trim()}${checksNote(workload)}`,
      ExitCode.WorkloadFailed,
    );
  }
}

function withNote(line: string, note: string): string {
  return note ? `${line.trimEnd()}${note}\n` : line;
}
