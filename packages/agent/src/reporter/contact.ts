// The agent's contact with the scheduler, as the reporter keeps it: what an answer changes (the
// interval and down-after it asks for), when the heartbeat session is given up for silence, what a
// kept contact file says and how often it may be written. Pure: the time is passed in.
// self-fence.ts decides from the resulting ContactState.
import { contactGraceMs, type BusyTiming, type ContactState } from './self-fence.js';

/** Used until the scheduler names one (a Register response with 0). */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 5000;
/** A scheduler asking for less is clamped: a heartbeat per 100 ms per node is already a lot. */
export const MIN_HEARTBEAT_INTERVAL_MS = 100;
/** The scheduler's default, until it says otherwise. */
export const DEFAULT_DOWN_AFTER_MS = 5000;
/** The contact file is written at most this often. */
export const CONTACT_WRITE_EVERY_MS = 1000;
/** Heartbeat intervals without an answer after which the session is given up and made anew. */
export const UNANSWERED_INTERVALS = 3;

/** The heartbeat interval once the scheduler asked for `askedMs` (0: keep `currentMs`). */
export function heartbeatInterval(currentMs: number, askedMs: number): number {
  return askedMs > 0 ? Math.max(MIN_HEARTBEAT_INTERVAL_MS, askedMs) : currentMs;
}

/**
 * The scheduler answered at `nowMs` (down-after 0: keep the last one; a busy timing with 0s, as an
 * older scheduler sends: keep the last one): in contact now.
 */
export function answered(
  contact: ContactState,
  intervalMs: number,
  downAfterMs: number,
  nowMs: number,
  busy?: BusyTiming,
): ContactState {
  const keptBusy = validBusy(busy) ?? contact.busy;
  return {
    lastContactMs: nowMs,
    heartbeatIntervalMs: intervalMs,
    downAfterMs: downAfterMs > 0 ? downAfterMs : contact.downAfterMs,
    ...(keptBusy ? { busy: keptBusy } : {}),
  };
}

/**
 * A start arrived at `nowMs`: the node has work, and beats at the busy timing from now on without
 * asking first (the scheduler shrinks the node's deadline to the busy down-after once the start is
 * answered: NodeTable.startAnswered). The contact to hold from now: the busy interval and
 * down-after, and a fence that comes no later than either grace allows, the busy one counted from
 * this start (the scheduler's order is contact, and its new deadline counts from the start's
 * answer, later) and the old one from the last answer (the scheduler's deadline only shrinks, so
 * the old one still binds). Undefined, nothing changes: no busy timing known (an older scheduler:
 * the start's `starting` then goes at once and its answer brings the timing), or the node beats at
 * least that often already.
 */
export function startedWork(contact: ContactState, nowMs: number): ContactState | undefined {
  const busy = contact.busy;
  if (!busy) return undefined;
  const intervalMs = heartbeatInterval(contact.heartbeatIntervalMs, busy.heartbeatIntervalMs);
  if (intervalMs >= contact.heartbeatIntervalMs) return undefined;
  const next = { lastContactMs: 0, heartbeatIntervalMs: intervalMs, downAfterMs: busy.downAfterMs, busy };
  const grace = contactGraceMs(next);
  next.lastContactMs = Math.min(nowMs, contact.lastContactMs + contactGraceMs(contact) - grace);
  return next;
}

function validBusy(b: Partial<BusyTiming> | undefined): BusyTiming | undefined {
  if (!b || !(Number(b.heartbeatIntervalMs) > 0) || !(Number(b.downAfterMs) > 0)) return undefined;
  return { heartbeatIntervalMs: Number(b.heartbeatIntervalMs), downAfterMs: Number(b.downAfterMs) };
}

/**
 * When the interval's heartbeat is due: send it, or end the session because the scheduler has not
 * answered for more than UNANSWERED_INTERVALS intervals (a silent partition is noticed even where
 * TCP would not notice it).
 */
export function onHeartbeatDue(
  lastContactMs: number,
  intervalMs: number,
  nowMs: number,
): { kind: 'beat' } | { kind: 'end'; reason: string } {
  const silentMs = nowMs - lastContactMs;
  if (silentMs > UNANSWERED_INTERVALS * intervalMs) {
    return { kind: 'end', reason: `no answer from the scheduler for ${silentMs} ms` };
  }
  return { kind: 'beat' };
}

/**
 * The contact to start from: what a previous run kept (`kept`, the contact file's text, if it
 * could be read and makes sense), else never in contact, counting the silence from `nowMs`.
 */
export function initialContact(kept: string | undefined, nowMs: number): ContactState {
  return (
    parseContact(kept) ?? {
      lastContactMs: nowMs,
      heartbeatIntervalMs: DEFAULT_HEARTBEAT_INTERVAL_MS,
      downAfterMs: DEFAULT_DOWN_AFTER_MS,
    }
  );
}

function parseContact(text: string | undefined): ContactState | undefined {
  if (text === undefined) return undefined;
  try {
    const c = JSON.parse(text) as Partial<ContactState>;
    if (typeof c.lastContactMs !== 'number' || !(c.lastContactMs > 0)) return undefined;
    const busy = validBusy(c.busy);
    return {
      lastContactMs: c.lastContactMs,
      heartbeatIntervalMs: c.heartbeatIntervalMs! > 0 ? c.heartbeatIntervalMs! : DEFAULT_HEARTBEAT_INTERVAL_MS,
      downAfterMs: c.downAfterMs! > 0 ? c.downAfterMs! : DEFAULT_DOWN_AFTER_MS,
      ...(busy ? { busy } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * Ms until the contact file may be written again, the last write having started at `lastWriteMs`
 * (monotonic): at most once per CONTACT_WRITE_EVERY_MS, since every change of a start burst is
 * answered and disk work must stay off the start path. 0 or less: now.
 */
export function contactWriteDelay(lastWriteMs: number, nowMs: number): number {
  return lastWriteMs + CONTACT_WRITE_EVERY_MS - nowMs;
}

/**
 * Whether the contact file must be written at once, not at its pace: the answer shortened the
 * fence's grace (an idle node given work is told the busy interval, and the scheduler's deadline for
 * it shrinks at the same answer). A restarted agent that read the older, longer grace would stop
 * its workloads later than the scheduler may replace them.
 */
export function graceShortened(before: ContactState, after: ContactState): boolean {
  return contactGraceMs(after) < contactGraceMs(before);
}
