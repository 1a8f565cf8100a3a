// Recovery: what a restarted agent does with the workload records it finds on disk. An agent crash
// does not kill its workloads: each one's driver looks for it (pid + start time, or container id),
// and it is re-attached if it still runs, or ended with the real exit it had meanwhile. Then each
// driver removes what it runs for workloads no record names (containers left by a lost record).
import type { Driver, WaitResult } from '../drivers/driver.js';
import type { Logger } from '@mo/api';
import type { WorkloadRecords } from '../state/workload-store.js';
import type { WorkloadLedger } from './ledger.js';
import { TERMINAL_STATES, type WorkloadRecord } from './record.js';

/** A type, not an interface: it is logged as it is (a Record). */
export type RecoverySummary = { reattached: number; exited: number; lost: number };

export interface RecoveryContext {
  store: Pick<WorkloadRecords, 'loadAll' | 'dirOf'>;
  drivers: ReadonlyMap<string, Driver>;
  ledger: WorkloadLedger;
  logger: Pick<Logger, 'warn'>;
  /** Found running, and marked so: the runner watches it again and runs its poststart hooks. */
  resume(driver: Driver, record: WorkloadRecord): void;
  /** Found ended or gone: the runner reads how it ended, as for a live exit. */
  finish(record: WorkloadRecord, result: WaitResult): void;
}

/** Loads persisted records and re-attaches to workloads that are still running. */
export async function recoverWorkloads(ctx: RecoveryContext): Promise<RecoverySummary> {
  const { store, logger, ledger } = ctx;
  const summary = { reattached: 0, exited: 0, lost: 0 };
  const records = store.loadAll((id, err) => logger.warn('unreadable workload record skipped', { id, err }));
  await Promise.all(
    records.map(async (record) => {
      ledger.load(record);
      if (TERMINAL_STATES.has(record.state)) return;
      const driver = ctx.drivers.get(record.spec.driver);
      if (!driver) {
        summary.lost++;
        ledger.transition(record, 'lost', `driver ${record.spec.driver} is not available after restart`);
        return;
      }
      const found = await driver.recover(record.handle, store.dirOf(record.spec.id));
      if (found.status === 'running') {
        summary.reattached++;
        record.handle = found.handle;
        // A record saved before its start (see the runner's launch): the driver knows when it started.
        if (!record.startedAtMs) record.startedAtMs = found.startedAtMs ?? record.createdAtMs;
        ledger.transition(record, 'running', 're-attached after agent restart');
        ctx.resume(driver, record);
      } else {
        if (found.status === 'exited') summary.exited++;
        else summary.lost++;
        // Started and ended while the agent was down, or its `running` was never saved: it was
        // launched right after its record was made.
        if (!record.startedAtMs && found.status === 'exited' && !found.exit.startError) {
          record.startedAtMs = record.createdAtMs;
        }
        ctx.finish(record, found);
      }
    }),
  );
  await removeOrphans(ctx);
  ledger.collectGarbage();
  return summary;
}

/** Lets each driver remove what it runs for workloads this agent no longer knows (never fatal). */
async function removeOrphans(ctx: RecoveryContext): Promise<void> {
  const known = new Set(
    ctx.ledger
      .list()
      .filter((r) => !TERMINAL_STATES.has(r.state))
      .map((r) => r.spec.id),
  );
  for (const driver of ctx.drivers.values()) {
    if (!driver.removeOrphans) continue;
    try {
      const removed = await driver.removeOrphans(known);
      if (removed.length > 0) ctx.logger.warn('removed orphaned workloads', { driver: driver.name, removed });
    } catch (err) {
      ctx.logger.warn('could not look for orphaned workloads', { driver: driver.name, err });
    }
  }
}
