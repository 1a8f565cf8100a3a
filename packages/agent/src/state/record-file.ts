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
import { constants, linkSync, renameSync, unlinkSync } from 'node:fs';
import { link, open, rename, unlink } from 'node:fs/promises';
import { overwriteSync } from './in-place.js';
import { PRIVATE_FILE_MODE, RECORD, RECORD_OLD, RECORD_TMP } from './task-layout.js';

const code = (err: unknown) => (err as NodeJS.ErrnoException).code;

/** Writes <dir>/workload.json on the event loop. */
export function writeRecordSync(dir: string, text: string): void {
  const tmp = `${dir}/${RECORD_TMP}`;
  overwriteSync(tmp, text, PRIVATE_FILE_MODE);
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

/**
 * Links the current record as workload.json.old (replacing a crash's leftover); false if there is
 * no record yet or the link cannot be made: then the rename frees the old record, as it used to.
 */
function keepOldSync(dir: string): boolean {
  const [record, old] = [`${dir}/${RECORD}`, `${dir}/${RECORD_OLD}`];
  try {
    linkSync(record, old);
    return true;
  } catch (err) {
    if (code(err) !== 'EEXIST') return false;
  }
  unlinkSync(old);
  try {
    linkSync(record, old);
    return true;
  } catch {
    return false;
  }
}

async function keepOld(dir: string): Promise<boolean> {
  const [record, old] = [`${dir}/${RECORD}`, `${dir}/${RECORD_OLD}`];
  try {
    await link(record, old);
    return true;
  } catch (err) {
    if (code(err) !== 'EEXIST') return false;
  }
  await unlink(old);
  return link(record, old).then(
    () => true,
    () => false,
  );
}
