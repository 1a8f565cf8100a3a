// Spare workload directories. Creating a file or directory allocates an inode, the one metadata
// operation that can stall (measured on this project's VM: 40 µs on a quiet ext4, 0.4-0.8 ms for
// minutes after a burst of deletions, while renames and writes to existing files stay at 10-30 µs).
// So the store keeps a few empty workload directories ready under <dataDir>/spare/, made in the
// background, each holding the (empty) files a workload's start writes: its record's temp file and
// the shim's record temp files (SPARE_FILES; the shim makes log files only once there is output).
// WorkloadStore.create() renames one into place and fills the record, and neither it nor the shim
// allocates an inode on the start path. With the pool empty it creates directly.
// Once starts have paused, spares are made on the event loop, one per turn, while the disk is fast
// (disk-pace.ts); during a burst, or after a slow one, through the thread pool.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DiskPace } from './disk-pace.js';
import { OUTPUT_FILE, PRIVATE_FILE_MODE, RECORD_TMP, TASK_DIR_MODE, WORK_DIR, WORK_DIR_MODE } from './task-layout.js';

/** Spare directories kept ready by default. */
export const DEFAULT_SPARE_DIRS = 32;
/** How many are made at once. */
const SPARE_PARALLEL = 4;
/** What a spare directory holds: the workload's `work` dir and files the start path would otherwise
 * create. The shim writes its records over its temp files, sized RECORD_SLOT
 * (native/mo-shim/records.c) so that needs no new block. The agent's record temp file stays empty
 * (a create on a full disk fails rather than start a workload there), and is made last: its
 * presence marks a finished spare. */
const SPARE_FILES: Array<[name: string, bytes: number, mode: number]> = [
  ['started.tmp', 2048, 0o644],
  ['exit.tmp', 2048, 0o644],
  [OUTPUT_FILE, 0, PRIVATE_FILE_MODE],
  [RECORD_TMP, 0, PRIVATE_FILE_MODE],
];
/** Zeros written into the shim's temp files (the size of RECORD_SLOT in native/mo-shim/records.c). */
const SLOT_FILL = Buffer.alloc(2048);

/** When the store's starts leave room for background disk work (see IDLE_MS in workload-store.ts). */
export interface StartActivity {
  /** A start just happened: background work should wait. */
  busy(): boolean;
  /** Calls refill() again once starts have paused. */
  whenIdle(): void;
}

export class SpareDirs {
  private readonly ready: string[] = [];
  private inFlight = 0;
  private seq = 0;
  private readonly tag = Date.now().toString(36);
  /** The next in-place spare's turn, if one is due. */
  private nextTurn: NodeJS.Immediate | undefined;

  /** Adopts the spares a previous run left under `root` (anything else there is removed), then fills the pool. */
  constructor(
    private readonly root: string,
    private readonly target: number,
    private readonly activity: StartActivity,
    private readonly onError: (id: string, err: unknown) => void,
    private readonly pace: DiskPace,
  ) {
    mkdirSync(root, { recursive: true });
    for (const name of readdirSync(root)) {
      const dir = join(root, name);
      const complete = existsSync(join(dir, RECORD_TMP)) && existsSync(join(dir, WORK_DIR));
      if (this.ready.length < target && complete) this.ready.push(dir);
      else void rm(dir, { recursive: true, force: true }).catch((err: unknown) => this.onError('spare', err));
    }
    this.refill();
  }

  /** Spares ready now. */
  get count(): number {
    return this.ready.length;
  }

  /** A ready spare to rename into place, if any. */
  take(): string | undefined {
    return this.ready.pop();
  }

  /**
   * Gives back a spare that create() could not use: still a spare (its record temp file may hold
   * part of a record: the next create overwrites it). `placedAt`: where create() had renamed it,
   * moved back from there first; if that fails it is removed, so nothing half-made is left.
   */
  giveBack(spare: string, placedAt?: string): void {
    if (placedAt !== undefined) {
      try {
        renameSync(placedAt, spare);
      } catch (err) {
        void rm(placedAt, { recursive: true, force: true }).catch(() => this.onError('spare', err));
        return;
      }
    }
    this.ready.push(spare);
  }

  /** Remakes spares now if starts have paused or the pool is below a quarter, else after a pause. */
  refill(): void {
    const busy = this.activity.busy();
    if (busy && this.ready.length >= this.target / 4) {
      this.activity.whenIdle();
      return;
    }
    if (!busy && this.pace.inPlace()) {
      this.makeInPlace();
      return;
    }
    while (this.ready.length + this.inFlight < this.target && this.inFlight < SPARE_PARALLEL) {
      this.inFlight++;
      // Paths by concatenation, not path.join: at start-up this loop runs a few hundred times, and
      // an idle agent whose path code got hot enough to be optimized is ~4 MiB bigger.
      const dir = `${this.root}/${this.tag}-${++this.seq}`;
      void mkdir(dir, TASK_DIR_MODE)
        .then(async () => {
          await mkdir(`${dir}/${WORK_DIR}`, WORK_DIR_MODE);
          // In order, so a crash midway leaves a spare without its marker: removed, not used. Open,
          // write and close, not writeFile: one thread-pool round trip fewer per file.
          for (const [name, bytes, mode] of SPARE_FILES) {
            const file = await open(`${dir}/${name}`, 'w', mode);
            try {
              if (bytes > 0) await file.write(SLOT_FILL, 0, bytes, 0);
            } finally {
              await file.close();
            }
          }
        })
        .then(
          () => {
            this.inFlight--;
            this.ready.push(dir);
            this.refill();
          },
          (err: unknown) => {
            // A disk that cannot make spares cannot make workload directories either: create()
            // reports that; stop trying until the next create. The half-made one goes (a full disk
            // would otherwise collect one per attempt).
            this.inFlight--;
            this.onError('spare', err);
            void rm(dir, { recursive: true, force: true }).catch(() => undefined);
          },
        );
    }
  }

  /** One spare made on the event loop (the same steps, in the same order), the next in the next turn. */
  private makeInPlace(): void {
    if (this.nextTurn || this.ready.length + this.inFlight >= this.target) return;
    const dir = `${this.root}/${this.tag}-${++this.seq}`;
    try {
      this.pace.run(() => {
        mkdirSync(dir, TASK_DIR_MODE);
        mkdirSync(`${dir}/${WORK_DIR}`, WORK_DIR_MODE);
        for (const [name, bytes, mode] of SPARE_FILES) {
          const fd = openSync(`${dir}/${name}`, 'w', mode);
          try {
            if (bytes > 0) writeSync(fd, SLOT_FILL, 0, bytes, 0);
          } finally {
            closeSync(fd);
          }
        }
      });
    } catch (err) {
      // As in the thread pool: report, remove the half-made one, wait for the next create.
      this.onError('spare', err);
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // a failing disk: the agent's next start removes it (the adoption pass above)
      }
      return;
    }
    this.ready.push(dir);
    if (this.ready.length + this.inFlight >= this.target) return;
    this.nextTurn = setImmediate(() => {
      this.nextTurn = undefined;
      this.refill();
    });
  }
}
