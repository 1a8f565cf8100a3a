// `mo logs -f` across restarts. The scheduler streams one allocation's logs and ends the stream
// when that allocation ends; a restart is a new allocation. So the CLI, not the scheduler, decides
// what comes next: it asks for the workload (GetWorkload) and either follows the new allocation,
// waits for one (a restart's backoff), or ends. Deciding is the pure `nextAllocation`; `followLogs`
// only applies it. Kept in the client: the stream stays one allocation's bytes (no marker in
// LogChunk, which the agent and pipeline logs share), and the switch is said on stderr.
import type { LogChunk__Output, ScheduledWorkload__Output, StreamWorkloadLogsRequest } from '@mo/api';
import { sleep } from '@mo/api/timers';

/** The fields of a workload that decide what a follow does next. */
export type FollowView = Pick<
  ScheduledWorkload__Output,
  'state' | 'allocationId' | 'attempt' | 'nodeName' | 'previousAllocations'
>;

export type FollowStep =
  /** Stream this allocation's logs (follow: until it ends). */
  | { kind: 'follow'; allocationId: string; attempt: number; nodeName: string }
  /** Not decided yet: the allocation may still run, or a restart is pending or starting. */
  | { kind: 'wait' }
  /** The workload ended and its last allocation was streamed: the follow is over. */
  | { kind: 'end' };

const ENDED = new Set([
  'WORKLOAD_STATE_SUCCEEDED',
  'WORKLOAD_STATE_FAILED',
  'WORKLOAD_STATE_STOPPED',
  'WORKLOAD_STATE_LOST',
]);

/**
 * What to do after streaming `followed` (undefined: nothing yet). A run that started and ended
 * between two looks is no longer current but is in previous_allocations: it is read before the
 * current one, so no run's output is skipped. A new current allocation is followed once its agent
 * has it (past `starting`; before, the agent may not know its id). The same allocation again is
 * not re-read: when its stream ended but the scheduler still shows it running, its end has not
 * reached the scheduler yet, so wait.
 */
export function nextAllocation(followed: string | undefined, w: FollowView): FollowStep {
  const state = String(w.state);
  const past = w.previousAllocations ?? [];
  const at = followed === undefined ? -1 : past.findIndex((a) => a.allocationId === followed);
  const missed = at >= 0 ? past[at + 1] : undefined;
  if (missed)
    return { kind: 'follow', allocationId: missed.allocationId, attempt: missed.attempt, nodeName: missed.nodeName };
  const fresh = w.allocationId !== '' && w.allocationId !== followed;
  if (fresh && state !== 'WORKLOAD_STATE_STARTING' && state !== 'WORKLOAD_STATE_PENDING') {
    return { kind: 'follow', allocationId: w.allocationId, attempt: w.attempt, nodeName: w.nodeName };
  }
  if (ENDED.has(state)) return { kind: 'end' };
  const last = past[past.length - 1];
  if (followed === undefined && last)
    return { kind: 'follow', allocationId: last.allocationId, attempt: last.attempt, nodeName: last.nodeName };
  return { kind: 'wait' };
}

/** The one stderr line that says a follow moved on to a restarted allocation. */
export function restartNotice(workloadId: string, step: Extract<FollowStep, { kind: 'follow' }>): string {
  return `mo: ${workloadId} restarted: following attempt ${step.attempt} (allocation ${step.allocationId} on ${step.nodeName})\n`;
}

export interface FollowClient {
  getWorkload(id: string): Promise<ScheduledWorkload__Output>;
  streamLogs(req: StreamWorkloadLogsRequest, signal?: AbortSignal): AsyncIterable<LogChunk__Output>;
}

/** Polling between checks while waiting for a restart: short first, then at most every second. */
const POLL_MS = [100, 200, 400, 800, 1000];

/**
 * Follows `req.workloadId` allocation by allocation until it ends or `signal` aborts. The first
 * allocation is read with the caller's tail; later ones whole (they are new output).
 */
export async function followLogs(
  client: FollowClient,
  req: StreamWorkloadLogsRequest,
  copy: (chunks: AsyncIterable<LogChunk__Output>) => Promise<void>,
  notice: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const id = req.workloadId ?? '';
  let followed: string | undefined;
  let polls = 0;
  while (!signal.aborted) {
    const step = nextAllocation(followed, await client.getWorkload(id));
    if (step.kind === 'end') {
      // Ended before anything was streamed: one plain read (its logs, or the scheduler's reason why none).
      if (followed === undefined) await copy(client.streamLogs(req, signal));
      return;
    }
    if (step.kind === 'wait') {
      if (followed === undefined && polls === 0)
        notice(`mo: ${id} has not started yet: waiting for it (Ctrl-C to stop)\n`);
      // ref: while waiting for a restart nothing else keeps the process alive.
      await sleep(POLL_MS[Math.min(polls++, POLL_MS.length - 1)]!, signal, { ref: true });
      continue;
    }
    polls = 0;
    if (followed !== undefined) notice(restartNotice(id, step));
    const first = followed === undefined;
    followed = step.allocationId;
    await copy(
      client.streamLogs(
        { ...req, allocationId: step.allocationId, follow: true, ...(first ? {} : { tailLines: 0 }) },
        signal,
      ),
    );
  }
}
