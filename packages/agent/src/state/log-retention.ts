// Keeps the workloads' log files under --max-log-disk: measures them, and removes the logs of the
// longest-ended workloads when the total is over (see log-budget.ts for the rule). A pass runs
// shortly after a workload ends; an ended workload's logs are final, and mo-shim counts them in its
// exit record (others are measured once). Every intervalMs a full pass measures the running ones
// again, as they grow. So a burst of short workloads costs a pass no file operation at all.
import { after, every, type Timer, type Logger } from '@mo/api';
import { rm, stat } from 'node:fs/promises';
import { TERMINAL_STATES, type WorkloadRecord } from '../workloads/record.js';
import { logsToRemove, type WorkloadLogs } from './log-budget.js';

/** What the shim (and the docker driver) write in a workload's directory. */
export const LOG_FILES = ['stdout.log', 'stdout.log.1', 'stderr.log', 'stderr.log.1'];

export interface LogRetentionOptions {
  maxBytes: number;
  /** The workloads the agent knows now. */
  list: () => Iterable<WorkloadRecord>;
  dirOf: (id: string) => string;
  /** Told after a workload's logs were removed (the runner notes it in its record). */
  onRemoved: (id: string, atMs: number) => void;
  logger: Logger;
  /** Pause after a workload ends before a pass (ends in a burst share one). */
  afterEndMs?: number;
  /** Passes for running workloads' growth. */
  intervalMs?: number;
}

export class LogRetention {
  /** Bytes of ended workloads' logs, measured once. */
  private readonly ended = new Map<string, number>();
  /** Bytes of running workloads' logs at the last full pass (0 for those started since). */
  private readonly running = new Map<string, number>();
  private readonly periodic: Timer;
  private soonTimer: Timer | undefined;
  private inPass: Promise<void> | undefined;
  private again = false;
  private fullWanted = false;
  private closed = false;

  readonly maxBytes: number;

  constructor(private readonly o: LogRetentionOptions) {
    this.maxBytes = o.maxBytes;
    this.periodic = every(o.intervalMs ?? 30_000, () => this.soon(0, true));
  }

  /** A workload ended: a pass runs shortly. full: it measures the running workloads too. */
  soon(delayMs = this.o.afterEndMs ?? 250, full = false): void {
    if (this.closed) return;
    this.fullWanted ||= full;
    if (this.soonTimer) return;
    this.soonTimer = after(delayMs, () => {
      this.soonTimer = undefined;
      void this.pass();
    });
  }

  /**
   * Measures and removes what is over the budget; one pass at a time (a request meanwhile reruns
   * it). full: measures the running workloads' logs again (else their last measure is used).
   */
  pass(full = false): Promise<void> {
    this.fullWanted ||= full;
    if (this.inPass) {
      this.again = true;
      return this.inPass;
    }
    const thisFull = this.fullWanted;
    this.fullWanted = false;
    this.inPass = this.enforce(thisFull)
      .catch((err: unknown) => this.o.logger.warn('log retention pass failed', { err }))
      .finally(() => {
        this.inPass = undefined;
        if (this.again && !this.closed) {
          this.again = false;
          void this.pass();
        }
      });
    return this.inPass;
  }

  private async enforce(full: boolean): Promise<void> {
    const records = [...this.o.list()];
    const known = new Set(records.map((r) => r.spec.id));
    for (const cache of [this.ended, this.running]) for (const id of cache.keys()) if (!known.has(id)) cache.delete(id);
    const usage: WorkloadLogs[] = await Promise.all(
      records.map(async (r): Promise<WorkloadLogs> => {
        const id = r.spec.id;
        if (!TERMINAL_STATES.has(r.state)) {
          if (full) this.running.set(id, await this.measure(id));
          return { id, bytes: this.running.get(id) ?? 0 };
        }
        this.running.delete(id);
        const endedAtMs = r.exit?.finishedAtMs ?? r.events.at(-1)?.atMs ?? r.createdAtMs;
        if (r.logsRemovedAtMs) return { id, bytes: 0, endedAtMs };
        // Counted by the shim when it ended; measured (once) for other drivers and older records.
        let bytes = this.ended.get(id) ?? r.exit?.logBytes;
        if (bytes === undefined) this.ended.set(id, (bytes = await this.measure(id)));
        return { id, bytes, endedAtMs };
      }),
    );
    const remove = logsToRemove(usage, this.o.maxBytes);
    if (remove.length === 0) return;
    let freed = 0;
    for (const id of remove) {
      const dir = this.o.dirOf(id);
      await Promise.all(LOG_FILES.map((f) => rm(`${dir}/${f}`, { force: true })));
      freed += this.ended.get(id) ?? 0;
      this.ended.set(id, 0);
      this.o.onRemoved(id, Date.now());
    }
    this.o.logger.info('removed the logs of the longest-ended workloads to stay under --max-log-disk', {
      workloads: remove.length,
      freedBytes: freed,
      maxBytes: this.o.maxBytes,
    });
  }

  /** Bytes in a workload's log files now (absent ones count 0). */
  private async measure(id: string): Promise<number> {
    const dir = this.o.dirOf(id);
    const sizes = await Promise.all(
      LOG_FILES.map((f) =>
        stat(`${dir}/${f}`).then(
          (s) => s.size,
          () => 0,
        ),
      ),
    );
    return sizes.reduce((a, b) => a + b, 0);
  }

  /** Stops the timers; a pass in progress finishes. */
  close(): Promise<void> {
    this.closed = true;
    this.periodic.cancel();
    this.soonTimer?.cancel();
    this.soonTimer = undefined;
    return this.inPass ?? Promise.resolve();
  }
}
