// Self-fencing: an agent cut off from the scheduler for longer than a workload's lost_after stops
// that workload itself. The scheduler gives such a workload up (and may start a replacement) only
// once its node has been down for lost_after, i.e. --down-after + lost_after after it last heard
// the agent; the agent stops it lost_after + a missed answer or two after it last heard the
// scheduler, which is earlier: so two copies of a workload never run side by side for long, even
// when the two sides cannot talk. (A scheduler that is down longer than lost_after also makes its
// agents stop such workloads: they cannot tell an outage from a partition.)
import { after, formatDuration, type Logger, type Timer } from '@mo/api';
import { TERMINAL_STATES, type WorkloadRecord } from '../workloads/record.js';

/** What the agent knows of its last contact with the scheduler (persisted across restarts). */
export interface ContactState {
  /** Wall-clock ms of the last answer from the scheduler (Register or a heartbeat answer). */
  lastContactMs: number;
  /** The heartbeat interval and down-after the scheduler last asked for. */
  heartbeatIntervalMs: number;
  downAfterMs: number;
  /**
   * The timing of a node with work, as the scheduler last told it (absent: never told, an older
   * scheduler). The agent takes it up by itself when it starts work (contact.ts startedWork).
   */
  busy?: BusyTiming;
}

export interface BusyTiming {
  heartbeatIntervalMs: number;
  downAfterMs: number;
}

/**
 * How long past the last answer silence still counts as in contact: two heartbeats' answers may be
 * missed, and never more than half the scheduler's down-after, so the agent always stops its copy
 * before the scheduler could give it up (down-after + lost_after after its last heartbeat).
 */
export function contactGraceMs(c: ContactState): number {
  return Math.max(0, Math.min(2 * c.heartbeatIntervalMs, Math.floor(c.downAfterMs / 2)));
}

export type FenceCandidate = Pick<WorkloadRecord, 'state' | 'stopRequested' | 'fenced'> & {
  spec: Pick<WorkloadRecord['spec'], 'id' | 'lostAfterMs'>;
};

/** The workloads to stop now, and when the next one would be due (Infinity: none). */
export function dueForFence(
  workloads: Iterable<FenceCandidate>,
  contact: ContactState,
  nowMs: number,
): { due: Array<{ id: string; cutOffMs: number; lostAfterMs: number }>; nextDueMs: number } {
  const silentSince = contact.lastContactMs + contactGraceMs(contact);
  const due: Array<{ id: string; cutOffMs: number; lostAfterMs: number }> = [];
  let nextDueMs = Infinity;
  for (const w of workloads) {
    const lostAfterMs = w.spec.lostAfterMs;
    if (lostAfterMs === undefined || TERMINAL_STATES.has(w.state) || w.stopRequested || w.fenced) continue;
    const at = silentSince + lostAfterMs;
    // Strictly after: an answer right at the boundary still counts as in time.
    if (nowMs > at) due.push({ id: w.spec.id, cutOffMs: nowMs - contact.lastContactMs, lostAfterMs });
    else nextDueMs = Math.min(nextDueMs, at + 1);
  }
  return { due, nextDueMs };
}

export interface SelfFenceOptions {
  workloads: { list(): WorkloadRecord[]; fence(id: string, reason: string): Promise<void> };
  contact: () => ContactState;
  logger: Logger;
  /** How often to look while out of contact; default 500 ms. */
  checkEveryMs?: number;
}

/**
 * Applies dueForFence on a timer. In contact nothing can be due before the contact's grace ends,
 * so the timer is set for then (an answer since moves the end later: it is set again), not every
 * checkEveryMs: an idle agent in contact wakes for it about once a second or two, not twice.
 */
export class SelfFence {
  private timer: Timer | undefined;
  private started = false;

  constructor(private readonly o: SelfFenceOptions) {}

  /** Stops what is due now; returns how many it stopped. */
  check(nowMs = Date.now()): number {
    const contact = this.o.contact();
    // In contact: nothing can be due (the smallest lost_after is 0, counted from the grace's end).
    if (nowMs <= contact.lastContactMs + contactGraceMs(contact)) return 0;
    const { due } = dueForFence(this.o.workloads.list(), contact, nowMs);
    for (const d of due) {
      const reason =
        `stopped by its agent: cut off from the scheduler for ${formatDuration(d.cutOffMs)}, ` +
        `past its lost_after of ${formatDuration(d.lostAfterMs)}`;
      this.o.workloads.fence(d.id, reason).catch((err: unknown) => {
        this.o.logger.warn('could not stop a workload cut off from the scheduler', { id: d.id, err });
      });
    }
    return due.length;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule(Date.now());
  }

  close(): void {
    this.started = false;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** ms from `nowMs` to the next look: the end of the contact's grace, or checkEveryMs out of contact. */
  nextCheckInMs(nowMs: number): number {
    const contact = this.o.contact();
    const inContactUntil = contact.lastContactMs + contactGraceMs(contact);
    return nowMs <= inContactUntil ? inContactUntil + 1 - nowMs : (this.o.checkEveryMs ?? 500);
  }

  private schedule(nowMs: number): void {
    this.timer = after(this.nextCheckInMs(nowMs), () => {
      if (!this.started) return;
      this.check();
      this.schedule(Date.now());
    });
  }
}
