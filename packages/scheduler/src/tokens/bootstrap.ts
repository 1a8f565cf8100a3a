// The first admin token (Nomad's `acl bootstrap`): on a start with no token records at all, the
// scheduler makes an admin token named `bootstrap` and writes its text, mode 0600, to
// `<data dir>/bootstrap-token`. The file is written before the record is stored, so a crash
// between the two leaves a file whose token does not exist, and the next start makes a new one
// over it; never a stored token nobody has. Deleting the file does not revoke the token
// (`mo token revoke bootstrap` does); a revoked bootstrap token is not made again.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { BOOTSTRAP_TOKEN_FILE } from '@mo/api';
import { BOOTSTRAP_TOKEN_NAME } from './rules.js';
import type { TokenTable } from './token-table.js';

export { BOOTSTRAP_TOKEN_FILE };

/** Writes `text` to `path` atomically (temp file, fsync, rename), readable by its owner only. */
export function writeSecretFile(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  // O_EXCL with mode 0600: the file never exists with wider permissions, whatever the umask.
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Makes the bootstrap token if the table has no records; returns the file's path when it did.
 * Call after `table.load()`.
 */
export async function bootstrapToken(table: TokenTable, dataDir: string): Promise<string | undefined> {
  if (table.size > 0) return undefined;
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, BOOTSTRAP_TOKEN_FILE);
  await table.create({ name: BOOTSTRAP_TOKEN_NAME, access: 'admin', ttlMs: 0 }, 'scheduler', (text) =>
    writeSecretFile(path, `${text}\n`),
  );
  return path;
}
