// Writing and reading mo's certificate files: keys 0600 (only the owner reads a secret), certs
// 0644; never over an existing file unless asked (`force`), and each file written whole (a temp
// file renamed into place) so a crash never leaves half a key.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyPair } from './make.js';

export const CA_CERT_FILE = 'ca.pem';
export const CA_KEY_FILE = 'ca-key.pem';

/** The two paths of a pair named `base` in `dir`: base.pem and base-key.pem. */
export function pairPaths(dir: string, base: string): { cert: string; key: string } {
  return { cert: join(dir, `${base}.pem`), key: join(dir, `${base}-key.pem`) };
}

function writeWhole(path: string, data: string, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode, flag: 'w' });
  chmodSync(tmp, mode); // the umask may have taken bits off; a key gets exactly 0600
  renameSync(tmp, path);
}

/**
 * Writes a pair as `<base>.pem` (0644) and `<base>-key.pem` (0600) in `dir` (made 0700 if new);
 * refuses to overwrite either unless `force`. Returns the paths written.
 */
export function writePair(dir: string, base: string, pair: KeyPair, force = false): { cert: string; key: string } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const paths = pairPaths(dir, base);
  if (!force) {
    for (const p of [paths.cert, paths.key]) {
      if (existsSync(p)) throw new Error(`${p} exists; not overwriting it (--force replaces it)`);
    }
  }
  writeWhole(paths.key, pair.keyPem, 0o600);
  writeWhole(paths.cert, pair.certPem, 0o644);
  return paths;
}

/** Reads a CA written by writePair(dir, 'ca') (ca.pem, ca-key.pem). */
export function readCa(dir: string): KeyPair {
  const certPath = join(dir, CA_CERT_FILE);
  const keyPath = join(dir, CA_KEY_FILE);
  try {
    return { certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(
      `no CA in ${dir}: ${e.code === 'ENOENT' ? `${e.path ?? certPath} does not exist (mo tls ca create --dir ${dir})` : e.message}`,
      { cause: err },
    );
  }
}
