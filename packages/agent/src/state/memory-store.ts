// Workload records in memory only, for simulated agents (see MemoryWorkloadStore).
import { join } from 'node:path';
import type { WorkloadRecord } from '../workloads/record.js';
import type { WorkloadRecords } from './workload-store.js';

/**
 * Keeps records in memory only: for simulated agents in benchmarks (many agents in one process
 * standing in for many hosts' disks). A restart forgets every workload; never use it for real.
 */
export class MemoryWorkloadStore implements WorkloadRecords {
  private readonly records = new Map<string, string>();
  constructor(private readonly root: string) {}
  dirOf(id: string): string {
    return join(this.root, id);
  }
  handOver(): void {
    // nothing on disk to hand over
  }
  create(record: WorkloadRecord): Promise<void> {
    return this.save(record);
  }
  save(record: WorkloadRecord): Promise<void> {
    // Serialised like the disk store, so the CPU cost of a record is still paid.
    this.records.set(record.spec.id, JSON.stringify(record));
    return Promise.resolve();
  }
  saveLater(record: WorkloadRecord): void {
    void this.save(record);
  }
  loadAll(): WorkloadRecord[] {
    return [...this.records.values()].map((t) => JSON.parse(t) as WorkloadRecord);
  }
  remove(id: string): Promise<void> {
    this.records.delete(id);
    return Promise.resolve();
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
}
