// Who workloads run as on this node (issue 13: workloads not as root). The agent resolves each
// workload's spec.user, or its --default-user, against --allowed-users and the node's user
// database; the drivers then run it as that identity (mo-shim drops to it before exec, a docker
// container gets it as its User).
export {
  MAX_DB_FILE_BYTES,
  SYSTEM_USER_FILES,
  UserDatabase,
  parseGroup,
  parsePasswd,
  userLookup,
  type GroupEntry,
  type PasswdEntry,
  type UserFiles,
  type UserLookup,
} from './database.js';
export {
  DEFAULT_USER,
  MAX_USER_GROUPS,
  checkDefaultUser,
  describeRunAs,
  parseAllowedUsers,
  resolveRunAs,
  type AllowedUsers,
  type RunAs,
  type UserPolicy,
} from './policy.js';
export { makeReachable, planReach, type DirFacts, type ReachPlan } from './reach.js';
export { setUpUsers, type UserOptions } from './setup.js';
export { chownTree } from './ownership.js';
