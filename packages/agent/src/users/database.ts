// The node's users and groups, read from /etc/passwd and /etc/group (the `files` source of NSS;
// LDAP or sssd users are not seen). Parsing is pure; UserDatabase re-reads a file only when it
// changed (checked at most once a second), so resolving a workload's user costs no I/O on the start
// path, and a user added with useradd is known within a second.
import { readFileSync, statSync } from 'node:fs';

/** One line of /etc/passwd, what mo needs of it. */
export interface PasswdEntry {
  name: string;
  uid: number;
  /** Primary group. */
  gid: number;
}

/** One line of /etc/group. */
export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** What resolving a workload's user needs: narrow, so tests build it from literals. */
export interface UserLookup {
  byName(name: string): PasswdEntry | undefined;
  byUid(uid: number): PasswdEntry | undefined;
  /** Groups that list `name` as a member (as initgroups finds them), in file order, each once. */
  memberOf(name: string): number[];
}

/** Larger files are refused (a passwd file of 16 MiB is ~200,000 users). */
export const MAX_DB_FILE_BYTES = 16 * 1024 * 1024;
const MAX_ID = 4294967294;

function id(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= MAX_ID ? n : undefined;
}

/** Lines of `name:x:uid:gid:...`; comments, NIS `+`/`-` lines and malformed lines are skipped. */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue;
    const f = line.split(':');
    const uid = id(f[2]);
    const gid = id(f[3]);
    if (f.length < 4 || !f[0] || uid === undefined || gid === undefined) continue;
    out.push({ name: f[0], uid, gid });
  }
  return out;
}

/** Lines of `name:x:gid:member,member`. */
export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue;
    const f = line.split(':');
    const gid = id(f[2]);
    if (f.length < 4 || !f[0] || gid === undefined) continue;
    out.push({ name: f[0], gid, members: (f[3] ?? '').split(',').filter(Boolean) });
  }
  return out;
}

/** Indexes parsed entries; the first entry of a name or uid wins, as getpwnam/getpwuid find it. */
export function userLookup(passwd: readonly PasswdEntry[], groups: readonly GroupEntry[]): UserLookup {
  const byName = new Map<string, PasswdEntry>();
  const byUid = new Map<number, PasswdEntry>();
  for (const e of passwd) {
    if (!byName.has(e.name)) byName.set(e.name, e);
    if (!byUid.has(e.uid)) byUid.set(e.uid, e);
  }
  const memberOf = new Map<string, number[]>();
  for (const g of groups) {
    for (const m of g.members) {
      const list = memberOf.get(m) ?? [];
      if (!list.includes(g.gid)) list.push(g.gid);
      memberOf.set(m, list);
    }
  }
  return {
    byName: (name) => byName.get(name),
    byUid: (uid) => byUid.get(uid),
    memberOf: (name) => memberOf.get(name) ?? [],
  };
}

export interface UserFiles {
  passwd: string;
  group: string;
}

export const SYSTEM_USER_FILES: UserFiles = { passwd: '/etc/passwd', group: '/etc/group' };

/** Re-checked at most this often. */
const RECHECK_MS = 1000;

/** The node's user database, from its files, cached while they do not change. */
export class UserDatabase implements UserLookup {
  private lookup: UserLookup = userLookup([], []);
  private stamp = '';
  private checkedAtMs = -Infinity;

  constructor(readonly files: UserFiles = SYSTEM_USER_FILES) {}

  byName(name: string): PasswdEntry | undefined {
    return this.current().byName(name);
  }

  byUid(uid: number): PasswdEntry | undefined {
    return this.current().byUid(uid);
  }

  memberOf(name: string): number[] {
    return this.current().memberOf(name);
  }

  /** The lookup as the files are now. A file that cannot be read is an error naming it. */
  private current(): UserLookup {
    const now = Date.now();
    if (now - this.checkedAtMs < RECHECK_MS) return this.lookup;
    const stamp = [this.files.passwd, this.files.group].map(stampOf).join('|');
    if (stamp !== this.stamp) {
      this.lookup = userLookup(parsePasswd(readBounded(this.files.passwd)), parseGroup(readBounded(this.files.group)));
      this.stamp = stamp;
    }
    this.checkedAtMs = now;
    return this.lookup;
  }
}

function stampOf(path: string): string {
  try {
    const st = statSync(path);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch (err) {
    throw new Error(`cannot read the user database ${path}: ${(err as Error).message}`, { cause: err });
  }
}

function readBounded(path: string): string {
  const st = statSync(path);
  if (st.size > MAX_DB_FILE_BYTES) {
    throw new Error(`the user database ${path} is ${st.size} bytes, more than the ${MAX_DB_FILE_BYTES} mo reads`);
  }
  return readFileSync(path, 'utf8');
}
