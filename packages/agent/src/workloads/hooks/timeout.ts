// The timeout hook: a workload's run limit (spec.timeout), counted from its start, across agent
// restarts (a re-attached workload gets what is left of it). When it passes, the workload is marked
// timed out and stopped; the exit that follows is reported failed, "timed out after …". The timer
// goes through @mo/api's `after`, which handles limits beyond Node's 24.8-day timer maximum.
import { after, type Timer, type Logger } from '@mo/api';
import { TERMINAL_STATES, type WorkloadRecord } from '../record.js';
import type { WorkloadHook } from './hook.js';

export interface TimeoutHookOptions {
  logger: Pick<Logger, 'info' | 'warn'>;
  /**
   * Stops a timed-out workload (record.timedOut is set): the runner saves that first, so after an
   * agent crash the exit that follows still reads as timed out, then asks its driver to stop it.
   */
  stop(record: WorkloadRecord): Promise<void>;
}

export class TimeoutHook implements WorkloadHook {
  readonly name = 'timeout';
  /** Run-limit timers of running workloads, by id. */
  private readonly timers = new Map<string, Timer>();

  constructor(private readonly options: TimeoutHookOptions) {}

  /** Workloads whose limit is being counted. */
  get armed(): number {
    return this.timers.size;
  }

  poststart(record: WorkloadRecord): void {
    const limit = record.spec.timeoutMs ?? 0;
    if (limit <= 0 || TERMINAL_STATES.has(record.state)) return;
    const remaining = Math.max(0, record.startedAtMs + limit - Date.now());
    this.timers.set(
      record.spec.id,
      after(remaining, () => void this.timeOut(record)),
    );
  }

  exited(record: WorkloadRecord): void {
    this.timers.get(record.spec.id)?.cancel();
    this.timers.delete(record.spec.id);
  }

  close(): void {
    // The limits keep counting from each start: a restarted agent re-arms them.
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
  }

  private async timeOut(record: WorkloadRecord): Promise<void> {
    this.timers.delete(record.spec.id);
    if (TERMINAL_STATES.has(record.state) || record.stopRequested || record.timedOut) return;
    record.timedOut = true;
    this.options.logger.info('workload timed out', { id: record.spec.id, timeoutMs: record.spec.timeoutMs });
    try {
      await this.options.stop(record);
    } catch (err) {
      this.options.logger.warn('could not stop a timed-out workload', { id: record.spec.id, err });
    }
  }
}
