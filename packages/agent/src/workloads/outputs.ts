// Step outputs: a workload writes `key=value` lines to the file named by $MO_OUTPUT; when it ends,
// the agent reads them (bounded) and reports them with the terminal state.
import { newStringMap } from '@mo/api';
import { closeSync, fstatSync, openSync, readSync, constants } from 'node:fs';

/** At most this much of the file is read; the rest is ignored. */
export const OUTPUT_MAX_BYTES = 64 * 1024;
export const OUTPUT_MAX_KEYS = 256;
const KEY_RE = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

export interface ParsedOutputs {
  outputs: Record<string, string>;
  /** Lines that were not `key=value` with a valid key (or past the caps): ignored. */
  ignored: number;
}

/** Parses `key=value` lines (a later key wins; blank lines and `#` comments are skipped). */
export function parseOutputs(text: string): ParsedOutputs {
  // No prototype: `__proto__` or `constructor` is a key like any other (Linux and the shell allow them).
  const outputs = newStringMap();
  let ignored = 0;
  let count = 0;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq).trim() : '';
    if (!KEY_RE.test(key) || line.includes('\0') || (!(key in outputs) && count >= OUTPUT_MAX_KEYS)) {
      ignored++;
      continue;
    }
    if (!(key in outputs)) count++;
    outputs[key] = line.slice(eq + 1);
  }
  return { outputs, ignored };
}

/**
 * Reads the output file without following a symlink (the workload may own the directory it is in),
 * at most OUTPUT_MAX_BYTES of it. No file: no outputs. A cut-off last line is dropped and counted.
 * ownerUid: the file must be that user's (the workload's), or it is not read (counted as ignored):
 * a hard link to someone else's file must not be read by the agent on the workload's behalf.
 */
export function readOutputs(file: string, ownerUid?: number): ParsedOutputs {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { outputs: newStringMap(), ignored: code === 'ENOENT' ? 0 : 1 };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || (ownerUid !== undefined && st.uid !== ownerUid)) return { outputs: newStringMap(), ignored: 1 };
    if (st.size === 0) return { outputs: newStringMap(), ignored: 0 }; // most workloads write none
    // Sized by the file (a 64 KiB buffer per exit was an mmap and 16 page faults each, with the
    // agent's malloc tunables), +1 to see a file longer than the cap or grown since fstat.
    const cap = Math.min(st.size, OUTPUT_MAX_BYTES) + 1;
    const buf = Buffer.allocUnsafe(cap);
    let n = 0;
    while (n < cap) {
      const r = readSync(fd, buf, n, cap - n, null);
      if (r === 0) break;
      n += r;
    }
    let text = buf.subarray(0, Math.min(n, cap - 1)).toString('utf8');
    let cut = 0;
    if (n === cap) {
      // More than was read: its last line may be cut off, and is dropped.
      const last = text.lastIndexOf('\n');
      text = last >= 0 ? text.slice(0, last) : '';
      cut = 1;
    }
    const parsed = parseOutputs(text);
    return { outputs: parsed.outputs, ignored: parsed.ignored + cut };
  } finally {
    closeSync(fd);
  }
}
