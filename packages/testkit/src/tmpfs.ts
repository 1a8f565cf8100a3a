// A small tmpfs mounted for one test: a disk that really fills up (ENOSPC), for full-disk tests.
// Mounting needs root; callers check canMountTmpfs() with requireTool first.
import { execa, execaSync } from 'execa';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from './wait.js';

export interface Tmpfs {
  /** The mount point (inside a temp dir of its own). */
  readonly dir: string;
  /** Writes <dir>/.filler until the filesystem has no byte left; returns the bytes written. */
  fill(): number;
  /** Removes the filler: the space is free again. */
  unfill(): void;
  /** Free bytes now. */
  freeBytes(): number;
  /**
   * Unmounts (retrying while processes that used it exit, then lazily) and removes the temp dir.
   * Idempotent; call it in a finally.
   */
  unmount(): Promise<void>;
}

/** True when this process may mount a tmpfs (it runs as root). */
export function canMountTmpfs(): boolean {
  return process.getuid?.() === 0;
}

/** Mounts a tmpfs of sizeBytes under a fresh temp dir named with prefix and this process's pid. */
export function mountTmpfs(prefix: string, sizeBytes: number): Tmpfs {
  const parent = mkdtempSync(join(tmpdir(), `${prefix}-${process.pid}-`));
  // Passable by others, like the tmpfs itself (mode 0755): an agent's data dir there serves
  // workloads that run as other users.
  chmodSync(parent, 0o711);
  const dir = join(parent, 'fs');
  mkdirSync(dir);
  try {
    execaSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0755`, 'tmpfs', dir], { stdin: 'ignore' });
  } catch (err) {
    rmSync(parent, { recursive: true, force: true });
    throw err;
  }
  const filler = join(dir, '.filler');
  let unmounted: Promise<void> | undefined;
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      let written = 0;
      try {
        // Big chunks first, then smaller ones, down to one byte: nothing is left after.
        for (let chunk = 1 << 20; chunk >= 1; chunk >>= 2) {
          const buf = Buffer.alloc(chunk, 0x66);
          for (;;) {
            try {
              written += writeSync(fd, buf);
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
              break;
            }
          }
        }
      } finally {
        closeSync(fd);
      }
      return written;
    },
    unfill() {
      rmSync(filler, { force: true });
    },
    freeBytes() {
      const s = statfsSync(dir);
      return s.bavail * s.bsize;
    },
    unmount() {
      unmounted ??= (async () => {
        for (let attempt = 0; ; attempt++) {
          const r = await execa('umount', [dir], { stdin: 'ignore', reject: false });
          if (!r.failed) break;
          if (attempt >= 50) {
            // Still busy after 5 s: detach it, so the test run does not leave a mount behind.
            await execa('umount', ['-l', dir], { stdin: 'ignore' });
            console.warn(`tmpfs ${dir} was still busy: unmounted lazily (${r.stderr.trim() || r.shortMessage})`);
            break;
          }
          await sleep(100);
        }
        rmSync(parent, { recursive: true, force: true });
      })();
      return unmounted;
    },
  };
}
