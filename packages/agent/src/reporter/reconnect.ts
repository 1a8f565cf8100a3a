// What the end of a session with the scheduler means: how it is logged, and how long the agent
// waits before the next attempt. Every failure is handled the same way: the next attempt registers
// again, with the whole inventory (it covers whatever changed meanwhile), and opens a new stream;
// a stream is never reopened on an old registration. Decides only: time and randomness are passed
// in; the reporter logs what it is told and sleeps.
import { backoffDelay, statusName } from '@mo/api';
import { LogLimiter } from './log-limit.js';

/** How one session (Register, inventory pages, heartbeat stream) ended. */
export interface SessionEnd {
  /** When the attempt began. */
  startedAtMs: number;
  /** Whether it got as far as registering (every inventory page in). */
  registered: boolean;
  /** Why it failed; absent when it ended without a failure (the reporter is closing). */
  failure?: { error: unknown };
  /** Whether the heartbeat stream was up when it failed (a lost connection, not a refused Register). */
  wasConnected: boolean;
  /** The heartbeat interval the scheduler last asked for. */
  intervalMs: number;
}

export interface LogLine {
  level: 'warn' | 'debug';
  message: string;
  fields: Record<string, unknown>;
}

/** What to do after a session ended. */
export interface Retry {
  /** Wait this long, then register again. */
  delayMs: number;
  log: LogLine | undefined;
}

export interface ReconnectOptions {
  /** The first retry delay; doubles on each failure up to maxBackoffMs. */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** [0, 1); injected so a test is exact. */
  random?: () => number;
}

/** The retry state of one reporter: failures in a row, and whether the scheduler is known unreachable. */
export class Reconnect {
  private failures = 0;
  private outage = false;
  private readonly failureLog = new LogLimiter();

  constructor(private readonly o: ReconnectOptions) {}

  /** The session registered: the outage is over, and the next failure is news again. */
  registered(): void {
    this.outage = false;
    this.failureLog.reset();
  }

  ended(end: SessionEnd, nowMs: number): Retry {
    const log = end.failure ? this.logFailure(end.failure.error, end.wasConnected, nowMs) : undefined;
    if (end.failure) this.outage = true;
    // A session that lived a while was healthy: start the backoff over. One that dies right after
    // registering keeps backing off, so a flapping scheduler is not hammered with Registers.
    if (end.registered && nowMs - end.startedAtMs >= this.o.maxBackoffMs) this.failures = 0;
    // Capped by the heartbeat interval (at least 1 s): a healed partition is noticed within a
    // couple of seconds on a small cluster, while a large one (longer intervals) is not stormed.
    const cap = Math.min(this.o.maxBackoffMs, Math.max(1000, end.intervalMs));
    this.failures++;
    // "Equal jitter": half fixed, half random, so a restarted scheduler is not hit by every node at once.
    const delayMs = backoffDelay(
      this.failures,
      { initialMs: this.o.initialBackoffMs, maxMs: cap, jitter: 'equal' },
      this.o.random,
    );
    return { delayMs, log };
  }

  private logFailure(error: unknown, wasConnected: boolean, nowMs: number): LogLine {
    const raw = (error as { code?: unknown }).code;
    const code = typeof raw === 'number' ? statusName(raw) : 'UNKNOWN';
    const fields = { code, error: (error as Error).message };
    if (wasConnected) return { level: 'warn', message: 'lost connection to scheduler; reconnecting', fields };
    // Why registering fails (unreachable, or refused: too large, invalid, rate-limited) at warn,
    // once per kind of failure a minute, not once per retry.
    const decision = this.failureLog.check(code, nowMs);
    if (decision.log) {
      return {
        level: 'warn',
        message: 'cannot register with scheduler; retrying',
        fields: { ...fields, ...(decision.suppressed > 0 ? { sameFailuresSinceLastLog: decision.suppressed } : {}) },
      };
    }
    return {
      level: 'debug',
      message: this.outage ? 'scheduler still unavailable' : 'cannot register with scheduler',
      fields,
    };
  }
}
