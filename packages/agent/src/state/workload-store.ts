// Persists workload records, one directory per workload under <dataDir>/workloads/<id>/. Each
// record is written atomically (temp file + rename), so a SIGKILLed agent always finds either the
// old or the new record, never a torn one. No fsync: the invariant is surviving an agent crash;
// after a host crash the boot id changes and every workload is gone anyway.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkloadRecord } from '../workloads/record.js';

const RECORD = 'workload.json';

export class WorkloadStore {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, 'workloads');
    mkdirSync(this.root, { recursive: true });
  }

  /** The directory owned by one workload (logs, shim files, its default working dir). */
  dirOf(id: string): string {
    return join(this.root, id);
  }

  /** Creates the workload's directory (and its `work/` default cwd) and writes the first record. */
  create(record: WorkloadRecord): void {
    const dir = this.dirOf(record.spec.id);
    mkdirSync(join(dir, 'work'), { recursive: true });
    this.save(record);
  }

  save(record: WorkloadRecord): void {
    const dir = this.dirOf(record.spec.id);
    const tmp = join(dir, `${RECORD}.tmp`);
    writeFileSync(tmp, JSON.stringify(record));
    renameSync(tmp, join(dir, RECORD));
  }

  /** Every readable record; unreadable directories are reported, not fatal. */
  loadAll(onError: (id: string, err: unknown) => void): WorkloadRecord[] {
    const out: WorkloadRecord[] = [];
    for (const id of readdirSync(this.root)) {
      try {
        out.push(JSON.parse(readFileSync(join(this.dirOf(id), RECORD), 'utf8')) as WorkloadRecord);
      } catch (err) {
        onError(id, err);
      }
    }
    return out;
  }

  remove(id: string): void {
    rmSync(this.dirOf(id), { recursive: true, force: true });
  }
}
