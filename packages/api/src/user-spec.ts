// spec.user: who a workload runs as on its node, as a caller writes it. Only the shape is checked
// here (the scheduler and the agent alike); whether the user exists and is allowed is the node's
// question (the agent's workloads/users/).
import { InvalidArgumentError } from './errors.js';
import { LIMITS } from './limits.js';
import { quote } from './validation.js';

/** A user name as useradd and systemd accept it (plus `.`), at most 32 characters. */
export const USER_NAME_RE = /^[A-Za-z_][A-Za-z0-9._-]{0,31}\$?$/;
/** uid or uid:gid, decimal without leading zeros. */
const NUMERIC_RE = /^(0|[1-9][0-9]{0,9})(?::(0|[1-9][0-9]{0,9}))?$/;
/** (uid_t)-1 means "no change" to the kernel: the highest id is one below. */
export const MAX_ID = 4294967294;

/** A parsed spec.user: a name, or numeric ids (gid absent: the user's primary group). */
export type UserSpec = { name: string } | { uid: number; gid?: number };

/**
 * Parses `value` ('' = unset: undefined). Throws InvalidArgumentError naming `field` for anything
 * that is neither a user name nor uid[:gid].
 */
export function parseUserSpec(field: string, value: string): UserSpec | undefined {
  if (value === '') return undefined;
  if (value.length <= LIMITS.userChars && USER_NAME_RE.test(value)) return { name: value };
  const m = value.length <= 21 ? NUMERIC_RE.exec(value) : null;
  if (m) {
    const uid = Number(m[1]);
    const gid = m[2] === undefined ? undefined : Number(m[2]);
    if (uid <= MAX_ID && (gid === undefined || gid <= MAX_ID)) return gid === undefined ? { uid } : { uid, gid };
  }
  throw new InvalidArgumentError(
    field,
    `must be a user name (at most ${LIMITS.userChars} characters: [A-Za-z_][A-Za-z0-9._-]*, optionally ending in $) ` +
      `or uid[:gid] (0-${MAX_ID}), got ${quote(value)}`,
  );
}

/** Validates spec.user and returns it unchanged ('' stays ''). */
export function validateUser(field: string, value: string | null | undefined): string {
  parseUserSpec(field, value ?? '');
  return value ?? '';
}
