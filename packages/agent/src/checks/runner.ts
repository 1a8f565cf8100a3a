// Runs one instance's health checks: each check every intervalMs after initialDelayMs, one probe
// at a time per check, each result fed to state.ts, which decides; this only calls back what it
// decided. A thin manager, as the reporter's is around pace.ts and reconnect.ts.
import { sleep } from '@mo/api/timers';
import { runProbe, type ProbeContext } from './probes.js';
import { initialState, onResult, overall, type CheckSpec, type CheckState, type InstanceHealth } from './state.js';
import type { ProbeResult } from './state.js';

export interface CheckRunnerOptions extends ProbeContext {
  checks: readonly CheckSpec[];
  /** A check's status changed (not called for the first `starting`). */
  onChange(checkName: string, state: CheckState): void;
  /** A check's failure streak reached its restartAfter: restart the instance. */
  onRestart(checkName: string, reason: string): void;
  /** Every result, after its state was decided (to keep the states, count results). */
  onResult?(check: CheckSpec, state: CheckState): void;
  /**
   * States to go on from (kept across an agent restart), by check name; a check without one
   * starts at `starting`.
   */
  resume?: Readonly<Record<string, CheckState>>;
  /** When the instance started (default now): initialDelayMs counts from it. */
  startedAtMs?: number;
  /** Wall clock for the states' times (default Date.now); durations use the monotonic clock. */
  now?: () => number;
  /** The probe (tests swap it; default probes.ts's runProbe). */
  probe?: typeof runProbe;
}

/**
 * The checks of one instance, running from construction until stop(). A check's interval is from
 * one probe's start to the next, and a probe slower than the interval delays the next one: runs of
 * one check never overlap.
 */
export class CheckRunner {
  private readonly states = new Map<string, CheckState>();
  private readonly stopping = new AbortController();
  private readonly loops: Promise<void>[];
  private readonly now: () => number;

  constructor(private readonly o: CheckRunnerOptions) {
    this.now = o.now ?? Date.now;
    const names = new Set<string>();
    for (const check of o.checks) {
      // Names key the states and the callbacks; the job spec parser already rejects duplicates.
      if (names.has(check.name)) throw new Error(`checks: duplicate check name "${check.name}"`);
      names.add(check.name);
    }
    const startedAt = this.now();
    for (const check of o.checks) {
      const resumed = o.resume && Object.hasOwn(o.resume, check.name) ? o.resume[check.name] : undefined;
      this.states.set(check.name, resumed ?? initialState(startedAt));
    }
    this.loops = o.checks.map((check) => this.loop(check));
  }

  /** Every check's current state, by name. */
  snapshot(): ReadonlyMap<string, CheckState> {
    return new Map(this.states);
  }

  /** The instance's health from its checks ('none' without checks). */
  health(): InstanceHealth {
    return overall(this.states.values());
  }

  /**
   * Cancels the timers and the probes in flight, and resolves once every probe has ended (sockets
   * closed, processes reaped). No callback is made after it was called. Idempotent.
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.loops);
  }

  private async loop(check: CheckSpec): Promise<void> {
    const signal = this.stopping.signal;
    const probe = this.o.probe ?? runProbe;
    // From the instance's start: a re-attached instance does not wait its delay again.
    const waited = elapsedSince(this.o.startedAtMs, this.now());
    await sleep(Math.max(0, check.initialDelayMs - waited), signal);
    while (!signal.aborted) {
      const started = performance.now();
      let result: ProbeResult;
      try {
        result = await probe(check, this.o, signal);
      } catch (err) {
        // Probes do not throw; should one, the check fails rather than the loop dying.
        result = { ok: false, detail: `probe failed: ${(err as Error).message}` };
      }
      const durationMs = Math.round(performance.now() - started);
      if (signal.aborted) return;
      this.record(check, { ...result, durationMs });
      await sleep(check.intervalMs - durationMs, signal);
    }
  }

  private record(check: CheckSpec, result: ProbeResult & { durationMs: number }): void {
    const t = onResult(this.states.get(check.name)!, check, result, this.now());
    this.states.set(check.name, t.state);
    // A callback that throws must not stop this check's loop, nor the others'.
    if (this.o.onResult) safely(() => this.o.onResult!(check, t.state));
    if (t.changed) safely(() => this.o.onChange(check.name, t.state));
    if (t.restart) {
      const reason = `check "${check.name}" failed ${t.state.consecutiveFailures} times in a row: ${result.detail}`;
      safely(() => this.o.onRestart(check.name, reason));
    }
  }
}

function elapsedSince(startedAtMs: number | undefined, nowMs: number): number {
  return startedAtMs === undefined ? 0 : Math.max(0, nowMs - startedAtMs);
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // The caller's bug, not the check's: the next result is still recorded and reported.
  }
}
