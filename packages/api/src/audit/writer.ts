// The audit log file: JSON lines appended with one write(2) each, rotated by size.
//
// Synchronous on purpose: a line is in the kernel before the call it records answers, so a daemon
// killed right after (SIGKILL) has not lost it, and a strict daemon knows at once that it could not
// write it (a full disk, an unwritable file). Not fsynced: a power loss may take the last lines,
// as with the daemons' own logs; an fsync per change would cost a disk flush per call.
// A failed or short write is cut back off the file, so a line is there whole or not at all.
import { closeSync, fstatSync, ftruncateSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { formatAuditLine, LINE_MAX_BYTES, type AuditRecord } from './record.js';

export interface AuditLogOptions {
  path: string;
  /** A file reaching this size is rotated: PATH -> PATH.1 -> … -> PATH.<keep>. */
  maxBytes: number;
  /** Rotated files kept (0: only the current one). */
  keep: number;
  /** Told when writes start failing (the first failure's error), and when one succeeds again (undefined). */
  onError?(error: Error | undefined): void;
}

export class AuditLog {
  readonly path: string;
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly onError: ((error: Error | undefined) => void) | undefined;
  private fd: number | undefined;
  /** Bytes in the current file, as far as this writer made them. */
  private size = 0;
  private failing = false;
  /** A failed write left part of a line that could not be cut off: the next one starts a new line. */
  private partial = false;
  private closed = false;
  /** Lines written, and lines that could not be. */
  readonly counts = { written: 0, failed: 0 };

  /** Opens (creates, 0600) the file; throws an Error naming the path when it cannot. */
  constructor(options: AuditLogOptions) {
    if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes < LINE_MAX_BYTES) {
      throw new Error(`audit log max bytes: at least ${LINE_MAX_BYTES}, got ${options.maxBytes}`);
    }
    if (!Number.isSafeInteger(options.keep) || options.keep < 0 || options.keep > 100) {
      throw new Error(`audit log keep: 0 to 100 files, got ${options.keep}`);
    }
    this.path = options.path;
    this.maxBytes = options.maxBytes;
    this.keep = options.keep;
    this.onError = options.onError;
    try {
      this.openFile();
    } catch (err) {
      throw new Error(`audit log ${this.path}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Appends the record's line; false (nothing written) when it cannot. */
  append(record: AuditRecord): boolean {
    if (this.closed) return false;
    const line = Buffer.from(formatAuditLine(record));
    try {
      if (this.fd === undefined) this.openFile();
      if (this.size > 0 && this.size + line.length > this.maxBytes) this.rotate();
      this.write(line);
    } catch (err) {
      this.counts.failed++;
      if (!this.failing) {
        this.failing = true;
        this.onError?.(err as Error);
      }
      return false;
    }
    this.counts.written++;
    if (this.failing) {
      this.failing = false;
      this.onError?.(undefined);
    }
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private openFile(): void {
    const fd = openSync(this.path, 'a', 0o600);
    this.fd = fd;
    this.size = fstatSync(fd).size;
  }

  private write(text: Buffer): void {
    const fd = this.fd!;
    const line = this.partial ? Buffer.concat([Buffer.from('\n'), text]) : text;
    let done = 0;
    try {
      while (done < line.length) done += writeSync(fd, line, done);
    } catch (err) {
      if (done > 0) {
        try {
          ftruncateSync(fd, this.size); // no half line
        } catch {
          this.size += done;
          this.partial = true;
        }
      }
      throw err;
    }
    this.size += line.length;
    this.partial = false;
  }

  private rotate(): void {
    closeSync(this.fd!);
    this.fd = undefined;
    if (this.keep === 0) {
      unlinkSync(this.path);
    } else {
      for (let i = this.keep - 1; i >= 1; i--) renameIfThere(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      renameSync(this.path, `${this.path}.1`);
    }
    this.openFile();
  }
}

function renameIfThere(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
