// A workload's record, rewritten atomically without making or freeing an inode.
//
// Written the usual way (a fresh temp file renamed over the record), every save allocates an inode
// for the temp file and frees the old record's. On ext4 without a journal (this project's VM), an
// inode allocation skips every inode freed in the last minute (`recently_deleted`, one buffer
// lookup each), so with records saved at a few per second each allocation walked hundreds of
// recent frees: a quarter of an agent's CPU at 10 starts/s went to it (perf).
// So the old record is kept under a third name (a hard link), the new one (written in place over
// the temp file's own blocks, which also holds on a full disk) renamed over it, and the old one
// renamed to be the next temp file. At every step `workload.json` is a whole record; a crash can
// leave `workload.json.old` behind, which the next save replaces.
import { closeSync, constants, ftruncateSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { link, open, rename, unlink } from 'node:fs/promises';
import { PRIVATE_FILE_MODE, RECORD, RECORD_OLD, RECORD_TMP } from './task-layout.js';

const code = (err: unknown) => (err as NodeJS.ErrnoException).code;

/** Writes <dir>/workload.json on the event loop. */
export function writeRecordSync(dir: string, text: string): void {
  const tmp = `${dir}/${RECORD_TMP}`;
  const data = Buffer.from(text);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT, PRIVATE_FILE_MODE);
  try {
    for (let done = 0; done < data.length;) done += writeSync(fd, data, done, data.length - done, done);
    ftruncateSync(fd, data.length);
  } finally {
    closeSync(fd);
  }
  const kept = keepOldSync(dir);
  renameSync(tmp, `${dir}/${RECORD}`);
  if (kept) renameSync(`${dir}/${RECORD_OLD}`, tmp);
}

/** The same through the thread pool (a slow disk must not stall the event loop). */
export async function writeRecord(dir: string, text: string): Promise<void> {
  const tmp = `${dir}/${RECORD_TMP}`;
  const data = Buffer.from(text);
  const file = await open(tmp, constants.O_WRONLY | constants.O_CREAT, PRIVATE_FILE_MODE);
  try {
    for (let done = 0; done < data.length;)
      done += (await file.write(data, done, data.length - done, done)).bytesWritten;
    await file.truncate(data.length);
  } finally {
    await file.close();
  }
  const kept = await keepOld(dir);
  await rename(tmp, `${dir}/${RECORD}`);
  if (kept) await rename(`${dir}/${RECORD_OLD}`, tmp);
}

/** Links the current record as workload.json.old; false if there is none (or no room for the name). */
function keepOldSync(dir: string): boolean {
  for (let attempt = 0; ; attempt++) {
    try {
      linkSync(`${dir}/${RECORD}`, `${dir}/${RECORD_OLD}`);
      return true;
    } catch (err) {
      if (code(err) !== 'EEXIST' || attempt > 0) return false; // no record yet, or the rename frees it
      unlinkSync(`${dir}/${RECORD_OLD}`); // a crash's leftover
    }
  }
}

async function keepOld(dir: string): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    try {
      await link(`${dir}/${RECORD}`, `${dir}/${RECORD_OLD}`);
      return true;
    } catch (err) {
      if (code(err) !== 'EEXIST' || attempt > 0) return false;
      await unlink(`${dir}/${RECORD_OLD}`);
    }
  }
}
