// Small files rewritten over the blocks they already hold. On a full disk, a rewrite that
// truncates first (writeFileSync) or writes a fresh temp file needs a new block and fails; one
// written over the file's own blocks and then cut to length does not (shrinking frees blocks, it
// never takes one). The spare workload dirs hold sized temp files for exactly this (native/mo-shim/records.c).
import { closeSync, constants, ftruncateSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Overwrites (or creates, with mode) path with text, in place. Not atomic: a crash midway leaves a mix. */
export function overwriteSync(path: string, text: string, mode = 0o644): void {
  const data = Buffer.from(text);
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT, mode);
  try {
    for (let done = 0; done < data.length;) done += writeSync(fd, data, done, data.length - done, done);
    ftruncateSync(fd, data.length);
  } finally {
    closeSync(fd);
  }
}

/** Writes <dir>/<name> atomically: in place over <dir>/<name>.tmp, then renamed. */
export function writeRecordInPlace(dir: string, name: string, text: string): void {
  const tmp = join(dir, `${name}.tmp`);
  overwriteSync(tmp, text);
  renameSync(tmp, join(dir, name));
}
