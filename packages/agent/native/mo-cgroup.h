/*
 * mo-cgroup: the cgroup of one workload, as its shim makes, fills, empties and removes it.
 * See mo-cgroup.c for the life of a workload cgroup, and mo-shim/shim.c and finish.c for where each
 * step happens.
 */
#ifndef MO_CGROUP_H
#define MO_CGROUP_H

#include <sys/types.h>

/* Adds a hierarchy from a launcher argument "FLAGS:DIR"; -1 if it is malformed. */
int cg_add_hierarchy(const char *spec);
/* The agent's root without the mount point ("/mo/<node>"), as records name cgroups; -1 if bad. */
int cg_set_rel(const char *rel);
/* True when the launcher was given hierarchies: every shim it forks gets a workload cgroup. */
int cg_enabled(void);

/* Creates this shim's workload cgroup in every hierarchy and joins it. Failures are kept for
 * cg_error: the shim reports them once there is a request to fail. */
void cg_prepare(pid_t self, unsigned long long self_start_time);
/* errno of the first failure since cg_prepare (0 if none); *what names the file or directory. */
int cg_error(const char **what);
/* Writes the request's limits (0 = none): memory bytes (swap off), cpu millicores, pids. */
int cg_apply_limits(unsigned long long memory, unsigned long long cpu_millis, unsigned long long pids);
/* Moves the shim out to the agent's "shims" cgroup, leaving the workload's tree alone inside. */
void cg_leave(void);
/* The workload cgroup relative to its mount ("/mo/<node>/w-..."), or "" when there is none. */
const char *cg_path(void);

/* SIGKILLs everything in the workload cgroup (never the shim itself). */
void cg_kill(void);
/* True while a process other than the shim is in the workload cgroup. */
int cg_populated(void);
/* How many processes the kernel's OOM killer ended in the cgroup (0 if unknown). */
unsigned long long cg_oom_kills(void);
/* Leaves (if still inside) and removes the workload cgroup; it must be empty by now. */
void cg_release(void);

#endif
