// Reading a workload's log files (<taskDir>/stdout.log, stderr.log and their rotated `.1`
// copies, written by mo-shim): tail the last N lines, then optionally follow new output across
// rotations until the workload ends or the reader goes away.
import { sleep } from '@mo/api';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export type LogStreamName = 'stdout' | 'stderr';

export interface ReadLogsOptions {
  /** Last N lines; 0 = everything still kept. */
  tailLines: number;
  follow: boolean;
  /** Resolves when the workload has ended: following stops after a final drain. */
  ended: Promise<void>;
  signal: AbortSignal;
  pollIntervalMs?: number;
}

const CHUNK = 16 * 1024;

export async function* readLogs(
  taskDir: string,
  stream: LogStreamName,
  options: ReadLogsOptions,
): AsyncGenerator<Buffer> {
  const current = join(taskDir, `${stream}.log`);
  const rotated = `${current}.1`;
  const { signal } = options;
  const { offset: startInRotated, present: rotatedPresent } = await tailStart(
    rotated,
    current,
    options.tailLines,
    signal,
  );

  if (rotatedPresent && startInRotated !== undefined) yield* readRange(rotated, startInRotated, signal);
  const startInCurrent = startInRotated === undefined ? await tailOffset(current, options.tailLines, signal) : 0;

  let handle = await openIfExists(current);
  let position = startInCurrent;
  let ended = false;
  void options.ended.then(() => (ended = true));
  try {
    for (;;) {
      if (handle) {
        for await (const chunk of readFrom(handle, position, options.signal)) {
          position += chunk.length;
          yield chunk;
        }
      }
      if (!options.follow || options.signal.aborted) return;
      // Rotation: the shim renamed our file to `.1`; finish it (done above) and move to the new one.
      const latest = await stat(current).catch(() => undefined);
      if (latest && (!handle || (await handle.stat()).ino !== latest.ino)) {
        await handle?.close();
        handle = await openIfExists(current);
        position = 0;
        continue;
      }
      if (ended) {
        // One last pass after the end, so output written just before exit is not missed.
        if (handle && (await handle.stat()).size > position) continue;
        return;
      }
      await sleep(options.pollIntervalMs ?? 100, options.signal);
    }
  } finally {
    await handle?.close();
  }
}

/**
 * Where tailing starts. Returns an offset into the rotated file when the last N lines reach
 * back into it (or N = 0: everything), undefined when the current file alone holds them.
 */
async function tailStart(
  rotated: string,
  current: string,
  tailLines: number,
  signal: AbortSignal,
): Promise<{ offset: number | undefined; present: boolean }> {
  const present = (await stat(rotated).catch(() => undefined)) !== undefined;
  if (!present) return { offset: undefined, present };
  if (tailLines <= 0) return { offset: 0, present };
  const inCurrent = await countLines(current, tailLines, signal);
  if (inCurrent >= tailLines) return { offset: undefined, present };
  return { offset: await tailOffset(rotated, tailLines - inCurrent, signal), present };
}

/** Offset of the start of the last `lines` lines of a file (0 = whole file). */
async function tailOffset(path: string, lines: number, signal: AbortSignal): Promise<number> {
  if (lines <= 0) return 0;
  const handle = await openIfExists(path);
  if (!handle) return 0;
  try {
    const { size } = await handle.stat();
    const buf = Buffer.alloc(CHUNK);
    let end = size;
    let seen = 0;
    // A trailing newline ends the last line; it does not start a new one.
    let skipTrailing = true;
    while (end > 0 && !signal.aborted) {
      const start = Math.max(0, end - CHUNK);
      const { bytesRead } = await handle.read(buf, 0, end - start, start);
      for (let i = bytesRead - 1; i >= 0; i--) {
        if (buf[i] !== 0x0a) {
          skipTrailing = false;
          continue;
        }
        if (skipTrailing) {
          skipTrailing = false;
          continue;
        }
        if (++seen === lines) return start + i + 1;
      }
      end = start;
    }
    return 0;
  } finally {
    await handle.close();
  }
}

/**
 * Lines of a file, counting stops at `enough`: whether the current file alone holds the tail is
 * all tailStart asks, and a whole 10 MiB file scanned per `--tail 1` call cost seconds of CPU.
 */
async function countLines(path: string, enough: number, signal: AbortSignal): Promise<number> {
  const handle = await openIfExists(path);
  if (!handle) return 0;
  let n = 0;
  try {
    for await (const chunk of readFrom(handle, 0, signal)) {
      for (let i = chunk.indexOf(0x0a); i !== -1 && n < enough; i = chunk.indexOf(0x0a, i + 1)) n++;
      if (n >= enough) break;
    }
  } finally {
    await handle.close();
  }
  return n;
}

async function* readRange(path: string, from: number, signal: AbortSignal): AsyncGenerator<Buffer> {
  const handle = await openIfExists(path);
  if (!handle) return;
  try {
    yield* readFrom(handle, from, signal);
  } finally {
    await handle.close();
  }
}

async function* readFrom(handle: FileHandle, from: number, signal?: AbortSignal): AsyncGenerator<Buffer> {
  let position = from;
  let buf = Buffer.allocUnsafe(CHUNK);
  for (;;) {
    if (signal?.aborted) return;
    const { bytesRead } = await handle.read(buf, 0, CHUNK, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    if (bytesRead === CHUNK) {
      yield buf;
      buf = Buffer.allocUnsafe(CHUNK);
    } else {
      // A short read is copied out: a follower of a chatty workload reads many small pieces, and
      // each held in a reader's buffer must not pin a whole 64 KiB chunk.
      yield Buffer.from(buf.subarray(0, bytesRead));
    }
  }
}

async function openIfExists(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch {
    return undefined;
  }
}
