// Reading PEM files (size, type, permissions), nothing parsed: no node:crypto, so the CLI's fast
// path can read its credentials without loading it (material.ts checks what they contain).
import { readFileSync, statSync } from 'node:fs';
import { MoError } from '../errors.js';

/** Thrown when TLS files are missing, unreadable, malformed, mismatched or expired. */
export class TlsFileError extends MoError {
  constructor(message: string) {
    super(16 /* UNAUTHENTICATED */, message);
  }
}

export const MAX_PEM_BYTES = 64 * 1024;

export function readPem(path: string, label: string): Buffer {
  let data: Buffer;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > MAX_PEM_BYTES) throw new Error(`larger than ${MAX_PEM_BYTES} bytes`);
    data = readFileSync(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.message;
    throw new TlsFileError(`${label}: cannot read ${path}: ${why}`);
  }
  return data;
}

/** Refuses a private key file that others (not its owner or group) may read or write. */
export function checkKeyMode(path: string, label: string): void {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o007) !== 0 || (mode & 0o020) !== 0) {
    throw new TlsFileError(
      `${label}: ${path} is open to others (mode ${mode.toString(8).padStart(4, '0')}); ` +
        `a private key must be 0600 (or 0640 for a service group): chmod 600 ${path}`,
    );
  }
}
