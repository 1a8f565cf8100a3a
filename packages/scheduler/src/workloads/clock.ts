// Time as the workload manager sees it: the current time, timers, and "soon" (after the work of
// this turn, where a tick's starts are batched and passes run). One seam, so a test drives the
// whole manager with a fake clock (src/testing/fake-clock.ts) instead of sleeping; the decisions
// themselves (lifecycle.ts, disconnect.ts, reconcile.ts) take `now` as an argument and read no clock.
import { after, every, type Timer } from '@mo/api';

export interface Clock {
  /** Wall-clock ms (records carry wall-clock times). */
  now(): number;
  /** Calls fn once, ms from now (@mo/api's after: clamped and re-armed past Node's limit). */
  after(ms: number, fn: () => void): Timer;
  every(ms: number, fn: () => void): Timer;
  /** Calls fn once the current turn's work is done (setImmediate). */
  soon(fn: () => void): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after: (ms, fn) => after(ms, fn),
  every: (ms, fn) => every(ms, fn),
  soon: (fn) => void setImmediate(fn),
};
