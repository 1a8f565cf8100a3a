// Copies a container's output into the workload's own log files (<taskDir>/stdout.log and
// stderr.log, size-capped with one rotated `.1` copy, as mo-shim writes them for processes), so
// `mo logs [-f]` reads every workload the same way. The engine's log (json-file) is the buffer:
// the copier follows it with timestamps and remembers the last one copied in <taskDir>/docker-logs.cursor,
// so an agent that restarts resumes where it stopped and output written meanwhile is not lost.
import { closeSync, openSync, readFileSync, renameSync, writeFileSync, writeSync, fstatSync } from 'node:fs';
import { join } from 'node:path';

const CURSOR_FILE = 'docker-logs.cursor';

/** A log file capped at maxBytes; on overflow it becomes `<path>.1` and a new one is started. */
class RotatingFile {
  private fd: number;
  private size: number;

  constructor(
    private readonly path: string,
    private readonly maxBytes: number,
  ) {
    this.fd = openSync(path, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  write(data: Buffer): void {
    if (this.size > 0 && this.size + data.length > this.maxBytes) {
      closeSync(this.fd);
      renameSync(this.path, `${this.path}.1`);
      this.fd = openSync(this.path, 'a', 0o600);
      this.size = 0;
    }
    writeSync(this.fd, data);
    this.size += data.length;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** What docker's logs endpoint needs: a multiplexed stream with a timestamp at the head of each frame. */
export interface LogSource {
  logs(options: {
    follow: true;
    stdout: true;
    stderr: true;
    timestamps: true;
    since?: string;
  }): Promise<NodeJS.ReadableStream>;
}

/**
 * Follows a container's logs until the stream ends (the container exited and its output is all
 * read) and appends them to the workload's files. Resolves when done; never rejects.
 */
export async function copyContainerLogs(
  source: LogSource,
  taskDir: string,
  maxBytes: number,
): Promise<{ error?: Error }> {
  const cursorPath = join(taskDir, CURSOR_FILE);
  let cursor = readCursor(cursorPath);
  let stream: NodeJS.ReadableStream;
  try {
    stream = await source.logs({
      follow: true,
      stdout: true,
      stderr: true,
      timestamps: true,
      ...(cursor !== undefined ? { since: cursorToSince(cursor) } : {}),
    });
  } catch (err) {
    return { error: err as Error };
  }
  const files = {
    1: new RotatingFile(join(taskDir, 'stdout.log'), maxBytes),
    2: new RotatingFile(join(taskDir, 'stderr.log'), maxBytes),
  } as const;
  let pending: Buffer = Buffer.alloc(0);
  return new Promise((resolve) => {
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      files[1].close();
      files[2].close();
      resolve(error ? { error } : {});
    };
    stream.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let offset = 0;
      let last: bigint | undefined;
      // Frames: [stream 1|2, 0, 0, 0, size uint32 BE] + "<RFC3339Nano timestamp> <payload>".
      while (pending.length - offset >= 8) {
        const size = pending.readUInt32BE(offset + 4);
        if (pending.length - offset < 8 + size) break;
        const kind = pending[offset]!;
        const frame = pending.subarray(offset + 8, offset + 8 + size);
        offset += 8 + size;
        const space = frame.indexOf(0x20);
        const ts = space > 0 ? parseTimestamp(frame.subarray(0, space).toString('latin1')) : undefined;
        // Frames at or before the cursor were copied before an agent restart (`since` is inclusive).
        if (ts !== undefined && cursor !== undefined && ts <= cursor) continue;
        const payload = ts !== undefined ? frame.subarray(space + 1) : frame;
        if (kind === 1 || kind === 2) files[kind].write(payload);
        if (ts !== undefined) last = ts;
      }
      pending = pending.subarray(offset);
      if (last !== undefined) {
        cursor = last;
        writeCursor(cursorPath, last);
      }
    });
    stream.on('end', () => finish());
    stream.on('close', () => finish());
    stream.on('error', (err: Error) => finish(err));
  });
}

/** Nanoseconds since the epoch of docker's "2026-01-02T15:04:05.123456789Z" (any offset). */
export function parseTimestamp(text: string): bigint | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/** The engine's `since` takes "seconds.nanoseconds". */
function cursorToSince(ns: bigint): string {
  return `${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`;
}

function readCursor(path: string): bigint | undefined {
  try {
    return BigInt(readFileSync(path, 'utf8').trim());
  } catch {
    return undefined;
  }
}

function writeCursor(path: string, ns: bigint): void {
  try {
    writeFileSync(path, `${ns}\n`);
  } catch {
    // The task dir is gone (workload garbage-collected): nothing left to resume.
  }
}
