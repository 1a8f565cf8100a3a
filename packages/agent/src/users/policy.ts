// Who a workload runs as: its spec.user (or the agent's --default-user), checked against what the
// agent allows (--allowed-users) and resolved against the node's user database. Pure: the user
// database and the agent's own identity come in as arguments. A refusal names spec.user and says
// why: FAILED_PRECONDITION, because the spec is well-formed and may well run on another node (a
// malformed spec.user is INVALID_ARGUMENT, already on submit); the scheduler ends that allocation
// `failed` with the reason, without blaming the node, and only the restart policy (with its
// backoff) tries again.
import { FailedPreconditionError, InvalidArgumentError, parseUserSpec, quote } from '@mo/api';
import type { PasswdEntry, UserLookup } from './database.js';

/** Most groups a workload's user may be in (the list mo-shim hands to setgroups). */
export const MAX_USER_GROUPS = 256;

/** A resolved identity: what the process driver's shim drops to, and a docker container's user. */
export interface RunAs {
  name: string;
  uid: number;
  gid: number;
  /** The supplementary groups (setgroups), the gid first, each once. */
  groups: number[];
}

/** --allowed-users, parsed. */
export interface AllowedUsers {
  /** `*`: any user but root. */
  anyNonRoot: boolean;
  names: string[];
  uids: number[];
}

export interface UserPolicy {
  /** The spec.user of a workload that names none (--default-user). */
  defaultUser: string;
  /** Beyond the default user, who a spec may ask for. */
  allowed: AllowedUsers;
  /** The agent's own identity: one that is not root can run workloads only as itself. */
  agent: { uid: number; gid: number; groups: number[] };
}

/** The default --default-user of an agent that runs as root. */
export const DEFAULT_USER = 'nobody';

/** Parses --allowed-users items (names, uids, `*`); an error names `flag`. */
export function parseAllowedUsers(items: readonly string[], flag: string): AllowedUsers {
  const allowed: AllowedUsers = { anyNonRoot: false, names: [], uids: [] };
  for (const raw of items) {
    const item = raw.trim();
    if (item === '') continue;
    if (item === '*') {
      allowed.anyNonRoot = true;
      continue;
    }
    let spec;
    try {
      spec = parseUserSpec(flag, item);
    } catch {
      throw new Error(`${flag}: expected user names, uids or *, got ${quote(item)}`);
    }
    if (spec && 'name' in spec) allowed.names.push(spec.name);
    else if (spec && spec.gid === undefined) allowed.uids.push(spec.uid);
    else throw new Error(`${flag}: expected a user name or a uid (not uid:gid), got ${quote(item)}`);
  }
  return allowed;
}

/** `nobody (65534:65534)`, `alice (1000:1000, groups 27,100)`: what `mo status` shows. */
export function describeRunAs(r: RunAs): string {
  const extra = r.groups.filter((g) => g !== r.gid);
  return `${r.name} (${r.uid}:${r.gid}${extra.length ? `, groups ${extra.join(',')}` : ''})`;
}

/** How the allowed users read in a refusal: `nobody, alice, any user but root`. */
function describeAllowed(policy: UserPolicy): string {
  const parts = [policy.defaultUser, ...policy.allowed.names, ...policy.allowed.uids.map((u) => `uid ${u}`)];
  if (policy.allowed.anyNonRoot) parts.push('any user but root');
  return [...new Set(parts)].join(', ');
}

/**
 * Resolves a workload's user (`specUser`, '' = the default user). Throws InvalidArgumentError for
 * a malformed one and FailedPreconditionError (message `spec.user: ...`) for one that does not
 * exist here, is not allowed here, or cannot be switched to by this agent.
 */
export function resolveRunAs(specUser: string, policy: UserPolicy, db: UserLookup): RunAs {
  const asked = specUser || policy.defaultUser;
  const what = specUser ? quote(specUser) : `${quote(asked)} (the agent's --default-user)`;
  const spec = parseUserSpec('spec.user', asked)!;
  const entry = 'name' in spec ? db.byName(spec.name) : db.byUid(spec.uid);
  const { agent } = policy;
  if (agent.uid !== 0) {
    // Without root no switch is possible: the workload runs as the agent, with its groups.
    const uid = entry?.uid ?? ('uid' in spec ? spec.uid : -1);
    if (uid !== agent.uid) {
      throw new FailedPreconditionError(
        `spec.user: this agent runs as uid ${agent.uid}, not root, so it runs workloads only as that user, not ${what}`,
      );
    }
    if ('gid' in spec && spec.gid !== undefined && spec.gid !== agent.gid) {
      throw new FailedPreconditionError(
        `spec.user: this agent runs as ${agent.uid}:${agent.gid}, not root, so it cannot switch to gid ${spec.gid}`,
      );
    }
    return { name: entry?.name ?? String(agent.uid), uid: agent.uid, gid: agent.gid, groups: [...agent.groups] };
  }
  if (!entry) throw new FailedPreconditionError(`spec.user: user ${what} does not exist on this node`);
  if (!isAllowed(entry, policy, db)) {
    throw new FailedPreconditionError(
      `spec.user: user ${what} (uid ${entry.uid}) is not allowed on this node: its agent runs workloads as ` +
        `${describeAllowed(policy)} (--allowed-users${entry.uid === 0 ? '; root only when listed by name or uid' : ''})`,
    );
  }
  const member = db.memberOf(entry.name);
  const gid = 'gid' in spec && spec.gid !== undefined ? spec.gid : entry.gid;
  if (gid !== entry.gid && !member.includes(gid)) {
    throw new FailedPreconditionError(`spec.user: gid ${gid} is not a group of user ${quote(entry.name)} on this node`);
  }
  // As initgroups(name, gid): the group asked for, then every group that lists the user.
  const groups = [...new Set([gid, ...member])];
  if (groups.length > MAX_USER_GROUPS) {
    throw new FailedPreconditionError(
      `spec.user: user ${quote(entry.name)} is in ${groups.length} groups, more than the ${MAX_USER_GROUPS} mo supports`,
    );
  }
  return { name: entry.name, uid: entry.uid, gid, groups };
}

/** The default user always; root only when listed; else `*` or a listed name or uid. */
function isAllowed(entry: PasswdEntry, policy: UserPolicy, db: UserLookup): boolean {
  const defaultSpec = parseUserSpec('--default-user', policy.defaultUser)!;
  const defaultUid = 'name' in defaultSpec ? db.byName(defaultSpec.name)?.uid : defaultSpec.uid;
  if (entry.uid === defaultUid) return true;
  const { allowed } = policy;
  const listed = allowed.uids.includes(entry.uid) || allowed.names.some((n) => db.byName(n)?.uid === entry.uid);
  return listed || (allowed.anyNonRoot && entry.uid !== 0);
}

/**
 * Checks the agent's configuration at start: the default user must exist (and, on an agent that
 * is not root, be the agent itself). Returns it resolved; errors name the flag.
 */
export function checkDefaultUser(policy: UserPolicy, db: UserLookup): RunAs {
  try {
    return resolveRunAs('', policy, db);
  } catch (err) {
    if (err instanceof InvalidArgumentError) {
      throw new Error(`--default-user: expected a user name or uid[:gid], got ${quote(policy.defaultUser)}`);
    }
    throw new Error(`--default-user: ${(err as Error).message.replace(/^spec\.user: /, '')}`, { cause: err });
  }
}
