/**
 * The agent's cgroups: one per process workload, so a stop kills the whole tree (nothing escapes
 * by killing its shim or double-forking), usage covers the whole tree, and --cpu, --memory and
 * --pids are enforced.
 *
 * ```ts
 * const setup = setUpCgroups({ root: `/mo/${nodeId}` });   // at agent start: detect and create
 * if (!setup.ok) logger.warn('no writable cgroup', { reason: setup.reason });
 * const cgroups = setup.ok ? new WorkloadCgroups(setup.layout) : undefined;
 * cgroups?.populated('/mo/n1/w-4242-1234567');                 // a path from the shim's record
 * ```
 *
 * Exports: `setUpCgroups` (detection and the agent's root), `WorkloadCgroups` (one workload's
 * cgroup: pids, populated, kill, usage sample, removal), the pure plan (`parseMountinfo`,
 * `planHierarchies`, `launcherArgs`, `validateCgroupRoot`) and parsers (`CpuRate`, ...). The
 * shim's half (making, joining, limiting and leaving the cgroup) is native/mo-cgroup.c.
 */
export {
  CGROUP_ROOT_MAX,
  enforcedLimits,
  joinPath,
  launcherArgs,
  modeOf,
  parseMountinfo,
  planHierarchies,
  validateCgroupRoot,
  type CgroupMount,
  type CgroupRole,
  type CgroupVersion,
  type EnforcedLimit,
  type PlannedHierarchy,
} from './plan.js';
export { setUpCgroups, type CgroupLayout, type CgroupSetup, type CgroupSetupOptions } from './setup.js';
export { CpuRate, cpuUsageUs, parseFlatKeyed, parsePids } from './stats.js';
export { WorkloadCgroups, type CgroupSample } from './workload-cgroups.js';
