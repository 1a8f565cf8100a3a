// `mo run --wait`: follow a job until the deployment `mo run` started has ended. The decision is a
// pure function of the job as GetJob returns it (judgeJob); the loop asks GetJob again after each
// job event on the Watch stream (job filter), and at least every POLL_MS in case the stream is
// quiet, cut or refused (an older scheduler): the job's record, not the events, is what is judged.
import type { ClusterEvent__Output, Job__Output } from '@mo/api';
import { sleep } from '@mo/api/timers';
import { ExitCode, WaitFailedError } from '../errors.js';
import { deploymentText } from '../output/job.js';
import { waitLimit } from './wait-limit.js';

/** What waiting on a job needs (JobClient and SchedulerClient both have one half). */
export interface JobWaitClient {
  get(name: string): Promise<Job__Output>;
  watch?(req: { job: string }, signal?: AbortSignal): AsyncIterable<ClusterEvent__Output>;
}

/** Default of `mo run --wait-timeout`: a rolling update of a few instances with the default
 * min_healthy_time (10 s each) and healthy_deadline (5 m) fits, and nobody waits forever. */
export const DEFAULT_JOB_WAIT_MS = 10 * 60_000;
/** How often the job is asked for when no event came. */
export const POLL_MS = 1000;

export type JobVerdict = { verdict: 'ok' } | { verdict: 'failed'; reason: string } | undefined;

/**
 * Whether the deployment of `version` (the one `mo run` made current) has ended, and how:
 *  - its record says succeeded: ok, once a service also has `count` healthy instances (a scale
 *    keeps the record of its version, already succeeded, while the new instances start) and a
 *    batch job has all `desired` done;
 *  - failed or cancelled: failed, with the record's reason;
 *  - the job moved on to another version (auto_revert after a failure, or someone's revert or
 *    run): failed, saying so; stopped: failed;
 *  - otherwise (running, not yet recorded): undefined, keep waiting.
 */
export function judgeJob(job: Job__Output, version: number): JobVerdict {
  if (job.stopped) return { verdict: 'failed', reason: `job ${job.name} was stopped` };
  const d = job.deployment;
  if (job.version !== version) {
    const why = d && d.version !== version && d.reason ? `: ${d.reason}` : '';
    return {
      verdict: 'failed',
      reason: `job ${job.name} is at version ${job.version} now, not ${version}${why}`,
    };
  }
  if (!d || d.version !== version) return undefined;
  if (d.state === 'failed' || d.state === 'cancelled') {
    return {
      verdict: 'failed',
      reason: `deployment of version ${version} ${d.state}${d.reason ? `: ${d.reason}` : ''}`,
    };
  }
  if (d.state !== 'succeeded') return undefined;
  if (job.type === 'batch') return d.succeeded >= d.desired ? { verdict: 'ok' } : undefined;
  return job.healthy >= job.count ? { verdict: 'ok' } : undefined;
}

/** A line of progress: the deployment's counts, printed when they change. */
export function progressLine(job: Job__Output): string {
  const d = job.deployment;
  const counts = `${job.running} running, ${job.healthy} healthy, ${job.pending} pending`;
  return `waiting: job ${job.name} ${d ? `deployment ${deploymentText(d, job.type)}; ` : ''}${counts}\n`;
}

/**
 * Asks for the job until judgeJob decides. Rejects with WaitFailedError(WorkloadFailed) when the
 * deployment failed and WaitFailedError(WaitTimeout) when `timeoutMs` passed first; resolves with
 * the job as last seen otherwise.
 */
export async function waitForJob(
  client: JobWaitClient,
  name: string,
  version: number,
  timeoutMs: number,
  onProgress: (job: Job__Output) => void = () => {},
): Promise<Job__Output> {
  const limit = waitLimit(timeoutMs);
  const wake = wakeOnEvents(client, name, limit.signal);
  let last: Job__Output | undefined;
  let shown = '';
  try {
    while (!limit.signal.aborted) {
      const job = await client.get(name);
      last = job;
      const line = progressLine(job);
      if (line !== shown) {
        shown = line;
        onProgress(job);
      }
      const v = judgeJob(job, version);
      if (v?.verdict === 'ok') return job;
      if (v?.verdict === 'failed') throw new WaitFailedError(v.reason, ExitCode.WorkloadFailed);
      await Promise.race([wake.next(), sleep(POLL_MS, limit.signal)]);
    }
  } catch (err) {
    if (!limit.timedOut()) throw err;
  } finally {
    limit.cancel();
    wake.close();
  }
  const where = last
    ? `; ${progressLine(last)
        .replace(/^waiting: /, '')
        .trim()}`
    : '';
  throw new WaitFailedError(
    `gave up waiting for job ${name} version ${version} after ${timeoutMs} ms${where}`,
    ExitCode.WaitTimeout,
  );
}

/**
 * A promise per job event on the Watch stream (filtered to the job). The stream is opened at the
 * first wait, not before (a client's stream left unread when the client closes fails with no one
 * to hear it), and closed by `close`. A stream that fails or ends leaves only the polling: `next`
 * then never resolves, and the sleep wakes the loop.
 */
function wakeOnEvents(
  client: JobWaitClient,
  name: string,
  signal: AbortSignal,
): { next(): Promise<void>; close(): void } {
  const never = new Promise<void>(() => {});
  let events: AsyncIterator<ClusterEvent__Output> | undefined;
  let pending: Promise<void> | undefined;
  let closed = !client.watch;
  return {
    next() {
      if (closed) return never;
      events ??= client.watch!({ job: name }, signal)[Symbol.asyncIterator]();
      pending ??= events.next().then(
        (r) => {
          pending = undefined;
          if (r.done) closed = true;
        },
        () => {
          pending = undefined;
          closed = true;
        },
      );
      return pending;
    },
    close() {
      closed = true;
      // A pending read ends with the aborted signal; an idle stream is ended here.
      if (events && !pending) void events.return?.(undefined)?.catch(() => {});
    },
  };
}
