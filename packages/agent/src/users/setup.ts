// The agent's start-up step for users: its policy from the flags, checked against the node's user
// database (a default user that does not exist stops the agent, naming --default-user), logged;
// and, on an agent that is root, its data dir made passable for the workloads' users.
import type { Logger } from '@mo/api';
import { type UserFiles, UserDatabase } from './database.js';
import { checkDefaultUser, DEFAULT_USER, describeRunAs, parseAllowedUsers, type UserPolicy } from './policy.js';
import { makeReachable } from './reach.js';

export interface UserOptions {
  defaultUser?: string;
  allowedUsers?: string[];
  userFiles?: UserFiles;
  dataDir: string;
  /** Simulated agents (benchmarks): no workload dirs on disk to reach. */
  memoryState?: boolean;
}

export function setUpUsers(options: UserOptions, logger: Logger): { policy: UserPolicy; lookup: UserDatabase } {
  const lookup = new UserDatabase(options.userFiles);
  const uid = process.getuid?.() ?? 0;
  const agent = { uid, gid: process.getgid?.() ?? 0, groups: process.getgroups?.() ?? [] };
  const policy: UserPolicy = {
    // An agent that is not root can run no one but itself.
    defaultUser: options.defaultUser ?? (uid === 0 ? DEFAULT_USER : (lookup.byUid(uid)?.name ?? String(uid))),
    allowed: parseAllowedUsers(options.allowedUsers ?? [], '--allowed-users'),
    agent,
  };
  const runAs = checkDefaultUser(policy, lookup);
  const { allowed } = policy;
  logger.info('workloads run as their spec.user, or the default user', {
    defaultUser: describeRunAs(runAs),
    allowedUsers: [...allowed.names, ...allowed.uids.map(String), ...(allowed.anyNonRoot ? ['*'] : [])],
  });
  if (runAs.uid === 0) logger.warn('workloads without a user run as root (--default-user)');
  if (uid !== 0) {
    logger.warn('the agent does not run as root: every workload runs as the agent user', { user: runAs.name });
  } else if (!options.memoryState) {
    const reach = makeReachable(options.dataDir, uid, runAs);
    if (reach.chmodded.length > 0) logger.info('made the data dir passable for workload users (o+x)', reach);
    if (reach.blocked) {
      const { path, mode } = reach.blocked;
      logger.warn(
        `workloads that run as other users cannot reach their dirs under ${options.dataDir}: ${path} is mode ` +
          `${mode.toString(8)} (chmod o+x ${path}, or another --data-dir)`,
      );
    }
  }
  return { policy, lookup };
}
