/*
 * mo-cgroup: the cgroup of one workload, as its shim makes, fills, empties and removes it.
 * Over ~400 lines: one object's life in both cgroup versions (and hybrid hosts); the comments
 * below are most of it.
 *
 * The agent detects the host's hierarchies (packages/agent/src/cgroups/) and passes the launcher
 * one `--cgroup FLAGS:DIR` per hierarchy it uses, DIR being the agent's own cgroup there (it holds
 * a "shims" child), plus `--cgroup-rel REL`, DIR without its mount point (records name a workload's
 * cgroup that way, so a restarted agent finds it in every hierarchy). FLAGS: "1" or "2" (cgroup v1
 * or v2), then roles: t (tracks and kills the tree), m (memory), c (cpu quota), p (pids limit),
 * a (cpu accounting). A hybrid host is typically "2t" (the v2 tree: cgroup.kill, cpu.stat) plus
 * "1m", "1c", "1p"; a pure v2 host is one "2tmcp".
 *
 * Life of a workload cgroup, DIR/w-<shim pid>-<shim start time>:
 *  - cg_prepare: a spare shim creates it in the hierarchies that track the tree and count its CPU
 *    time, and joins it, before any request: moving a process between cgroups can wait for an RCU
 *    grace period (~16 ms measured here), never on the start path. The name is the shim's, not the
 *    workload's: v2 cannot rename a cgroup.
 *  - cg_apply_limits: once the request is known, a few small writes (memory with swap off, cpu
 *    quota, pids); the workload, vfork'ed next, is born inside without a migration. A hierarchy
 *    that only limits (v1 memory, cpu, pids on a hybrid host) is joined here, and only when the
 *    request sets its limit: every hierarchy joined costs each start two moves (in and out), which
 *    under a burst of starts cut the launcher's rate from ~500/s to ~150-280/s on this host. So a
 *    limit there costs its start a move (~0.1 ms; a grace period when none happened just before).
 *    On pure v2 one hierarchy does all: no move on the start path.
 *  - cg_leave: after the handshake the shim moves itself to DIR/shims, so the cgroup holds the
 *    workload's tree alone: killing the cgroup (a stop, the end) spares the shim, which records
 *    the exit. The move is after the handshake, so its cost is off the start path too.
 *  - cg_kill, cg_populated, cg_oom_kills, cg_release: at the end, by the shim (or, if the shim was
 *    killed, by the agent, which reads the path from the `started` record).
 *
 * Files are opened with O_CREAT|O_TRUNC, as a shell's `>` does: cgroupfs accepts that, and a test
 * can point DIR at a plain directory to check what would be written (pure v2 limits cannot be
 * exercised on a hybrid host).
 */
#define _GNU_SOURCE
#include "mo-cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CG_MAX 8
/* Bounded so that DIR + "/" + leaf + "/" + a file name always fits in PATH_MAX. */
#define CG_DIR_MAX 2048
#define CG_LEAF_MAX 64
#define CG_REL_MAX 200
/* The CFS period the cpu quota is expressed in (the kernel's default), and the least quota. */
#define CPU_PERIOD_US 100000ULL
#define CPU_MIN_QUOTA_US 1000ULL
#define RMDIR_TRIES 40

enum { CG_TRACK = 1, CG_MEM = 2, CG_CPU = 4, CG_PIDS = 8, CG_ACCT = 16 };

struct hierarchy {
	char dir[CG_DIR_MAX];
	int v2;
	unsigned roles;
};

/* Set up by the launcher before it forks shims, then only read: shared with every shim. */
static struct hierarchy hiers[CG_MAX];
/* What each shim changes, kept apart from hiers (whose entries are a page each): in it, these
 * flags made each shim write a page per hierarchy, 16-20 KiB of its private memory. */
static unsigned char made[CG_MAX];   /* our cgroup exists in hierarchy i */
static unsigned char joined[CG_MAX]; /* and we are in it */
static int nhiers;
static char rel[CG_REL_MAX + 1];
static char leaf[CG_LEAF_MAX];
static char rel_path[CG_REL_MAX + CG_LEAF_MAX + 2];
static int err_no;
/* The request's pids limit: pids.max holds one more while the shim itself is inside. */
static unsigned long long pids_limit;
static char err_what[PATH_MAX];
static pid_t self_pid;

int cg_add_hierarchy(const char *spec)
{
	const char *colon = strchr(spec, ':');
	if (nhiers >= CG_MAX || !colon || (spec[0] != '1' && spec[0] != '2'))
		return -1;
	struct hierarchy *h = &hiers[nhiers];
	h->v2 = spec[0] == '2';
	h->roles = 0;
	for (const char *f = spec + 1; f < colon; f++) {
		const char *roles = "tmcpa", *r = strchr(roles, *f);
		if (!r || !*f)
			return -1;
		h->roles |= 1u << (r - roles);
	}
	const char *dir = colon + 1;
	if (dir[0] != '/' || strlen(dir) >= sizeof h->dir)
		return -1;
	strcpy(h->dir, dir);
	nhiers++;
	return 0;
}

int cg_set_rel(const char *r)
{
	/* Short enough that the handshake line naming the cgroup stays within its 512 bytes. */
	if (r[0] != '/' || strlen(r) > CG_REL_MAX)
		return -1;
	strcpy(rel, r);
	return 0;
}

int cg_enabled(void)
{
	return nhiers > 0;
}

static void fail(int e, const char *what)
{
	if (err_no)
		return;
	err_no = e;
	snprintf(err_what, sizeof err_what, "%s", what);
}

int cg_error(const char **what)
{
	*what = err_what;
	return err_no;
}

static int any_made(void)
{
	for (int i = 0; i < nhiers; i++)
		if (made[i])
			return 1;
	return 0;
}

const char *cg_path(void)
{
	return any_made() ? rel_path : "";
}

/* <dir>/<leaf>[/<file>] of hierarchy i into out. */
static void leaf_file(char *out, size_t cap, int i, const char *file)
{
	if (file)
		snprintf(out, cap, "%s/%s/%s", hiers[i].dir, leaf, file);
	else
		snprintf(out, cap, "%s/%s", hiers[i].dir, leaf);
}

static int write_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	size_t len = strlen(value);
	ssize_t n;
	while ((n = write(fd, value, len)) < 0 && errno == EINTR)
		;
	int e = errno;
	close(fd);
	errno = e;
	return n == (ssize_t)len ? 0 : -1;
}

/* Reads up to cap-1 bytes of a small file; -1 if it cannot be read. */
static ssize_t read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n;
	while ((n = read(fd, buf, cap - 1)) < 0 && errno == EINTR)
		;
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* The value of "<key> N" in a flat-keyed cgroup file (memory.events, cgroup.events, ...). */
static int read_key(const char *path, const char *key, unsigned long long *out)
{
	char buf[2048];
	if (read_small(path, buf, sizeof buf) < 0)
		return -1;
	size_t klen = strlen(key);
	for (char *line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
			*out = strtoull(line + klen + 1, NULL, 10);
			return 0;
		}
	}
	return -1;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Makes our cgroup in hierarchy i. */
static int make(int i)
{
	char path[PATH_MAX];
	if (made[i])
		return 0;
	leaf_file(path, sizeof path, i, NULL);
	if (mkdir(path, 0755) < 0) {
		fail(errno, path);
		return -1;
	}
	made[i] = 1;
	return 0;
}

/* Moves us into our cgroup in hierarchy i (made). */
static int join(int i)
{
	char path[PATH_MAX], pid[24];
	if (joined[i])
		return 0;
	snprintf(pid, sizeof pid, "%d", (int)self_pid);
	leaf_file(path, sizeof path, i, "cgroup.procs");
	if (write_file(path, pid) < 0) {
		fail(errno, path);
		return -1;
	}
	joined[i] = 1;
	return 0;
}

void cg_prepare(pid_t self, unsigned long long self_start_time)
{
	if (!nhiers)
		return;
	self_pid = self;
	/* Unique for this boot (pid + start time), so a stale cgroup of a dead shim never collides. */
	snprintf(leaf, sizeof leaf, "w-%d-%llu", (int)self, self_start_time);
	snprintf(rel_path, sizeof rel_path, "%s/%s", rel, leaf);
	for (int i = 0; i < nhiers; i++) {
		if ((hiers[i].roles & (CG_TRACK | CG_ACCT)) && (make(i) < 0 || join(i) < 0)) {
			cg_release();
			return;
		}
	}
}

/* Writes value to <leaf>/<file> of hierarchy i; a failure of a required file fails the start. */
static int limit(int i, const char *file, const char *value, int required)
{
	char path[PATH_MAX];
	leaf_file(path, sizeof path, i, file);
	if (write_file(path, value) == 0 || !required)
		return 0;
	fail(errno, path);
	return -1;
}

int cg_apply_limits(unsigned long long memory, unsigned long long cpu_millis, unsigned long long pids)
{
	char v[64];
	for (int i = 0; i < nhiers; i++) {
		const struct hierarchy *h = &hiers[i];
		int wanted = ((h->roles & CG_MEM) && memory) || ((h->roles & CG_CPU) && cpu_millis) ||
			     ((h->roles & CG_PIDS) && pids);
		if (!wanted)
			continue;
		/* Limits first, then the move: we never run in the cgroup before it is limited. */
		if (make(i) < 0)
			return -1;
		if ((h->roles & CG_MEM) && memory) {
			/* Swap off, as docker's --memory-swap equal to --memory: the limit is the limit. The swap
			 * files are absent when swap accounting is: then there is nothing to turn off. */
			snprintf(v, sizeof v, "%llu", memory);
			if (h->v2 ? limit(i, "memory.max", v, 1) || limit(i, "memory.swap.max", "0", 0)
				  : limit(i, "memory.limit_in_bytes", v, 1) || limit(i, "memory.memsw.limit_in_bytes", v, 0))
				return -1;
		}
		if ((h->roles & CG_CPU) && cpu_millis) {
			/* 1000 millicores = one CPU period of run time per period. */
			unsigned long long quota = cpu_millis * (CPU_PERIOD_US / 1000);
			if (quota < CPU_MIN_QUOTA_US)
				quota = CPU_MIN_QUOTA_US;
			if (h->v2) {
				snprintf(v, sizeof v, "%llu %llu", quota, CPU_PERIOD_US);
				if (limit(i, "cpu.max", v, 1))
					return -1;
			} else {
				char period[32];
				snprintf(period, sizeof period, "%llu", CPU_PERIOD_US);
				snprintf(v, sizeof v, "%llu", quota);
				if (limit(i, "cpu.cfs_period_us", period, 1) || limit(i, "cpu.cfs_quota_us", v, 1))
					return -1;
			}
		}
		if ((h->roles & CG_PIDS) && pids) {
			pids_limit = pids;
			snprintf(v, sizeof v, "%llu", pids + 1);
			if (limit(i, "pids.max", v, 1))
				return -1;
		}
		if (join(i) < 0)
			return -1;
	}
	return 0;
}

void cg_leave(void)
{
	char path[PATH_MAX], pid[24];
	snprintf(pid, sizeof pid, "%d", (int)self_pid);
	/* A shim that fails to leave stays inside: cg_kill and the agent pass over it, only the
	 * removal of that cgroup fails. */
	for (int i = nhiers - 1; i >= 0; i--) {
		if (!joined[i])
			continue;
		snprintf(path, sizeof path, "%s/shims/cgroup.procs", hiers[i].dir);
		if (write_file(path, pid) < 0)
			continue;
		joined[i] = 0;
		if ((hiers[i].roles & CG_PIDS) && pids_limit) {
			/* Out: the workload alone counts now, so the limit is its own. */
			snprintf(pid, sizeof pid, "%llu", pids_limit);
			limit(i, "pids.max", pid, 0);
			snprintf(pid, sizeof pid, "%d", (int)self_pid);
		}
	}
}

static int tracker(void)
{
	for (int i = 0; i < nhiers; i++)
		if ((hiers[i].roles & CG_TRACK) && made[i])
			return i;
	return -1;
}

/* Calls fn on every pid in cgroup.procs of hierarchy i except ours; returns how many it saw. */
static int each_proc(int i, void (*fn)(pid_t))
{
	char path[PATH_MAX], buf[4096];
	leaf_file(path, sizeof path, i, "cgroup.procs");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	int seen = 0;
	long pid = 0;
	int digits = 0;
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
		for (ssize_t k = 0; k < n; k++) {
			if (buf[k] >= '0' && buf[k] <= '9') {
				pid = pid * 10 + (buf[k] - '0');
				digits = 1;
				continue;
			}
			if (digits && pid > 0 && pid != self_pid) {
				seen++;
				if (fn)
					fn((pid_t)pid);
			}
			pid = 0;
			digits = 0;
		}
	}
	if (digits && pid > 0 && pid != self_pid) {
		seen++;
		if (fn)
			fn((pid_t)pid);
	}
	close(fd);
	return seen;
}

static void sigkill(pid_t pid)
{
	kill(pid, SIGKILL);
}

void cg_kill(void)
{
	int t = tracker();
	if (t < 0)
		return;
	char path[PATH_MAX];
	/* cgroup.kill (Linux 5.14+, v2) kills atomically, forks in flight included; it would kill us
	 * too while we are inside. Otherwise one pass over the members; the caller repeats. */
	if (hiers[t].v2 && !joined[t]) {
		leaf_file(path, sizeof path, t, "cgroup.kill");
		if (access(path, F_OK) == 0 && write_file(path, "1") == 0)
			return;
	}
	each_proc(t, sigkill);
}

int cg_populated(void)
{
	int t = tracker();
	if (t < 0)
		return 0;
	char path[PATH_MAX];
	unsigned long long populated;
	/* cgroup.events counts no zombie and no shim (once we left); v1 has only the member list. */
	if (hiers[t].v2 && !joined[t]) {
		leaf_file(path, sizeof path, t, "cgroup.events");
		if (read_key(path, "populated", &populated) == 0)
			return populated != 0;
	}
	return each_proc(t, NULL) > 0;
}

unsigned long long cg_oom_kills(void)
{
	char path[PATH_MAX];
	unsigned long long n;
	for (int i = 0; i < nhiers; i++) {
		if (!(hiers[i].roles & CG_MEM) || !made[i])
			continue;
		leaf_file(path, sizeof path, i, hiers[i].v2 ? "memory.events" : "memory.oom_control");
		if (read_key(path, "oom_kill", &n) == 0)
			return n;
	}
	return 0;
}

void cg_release(void)
{
	char path[PATH_MAX];
	cg_leave();
	/* A cgroup whose last process just exited can be busy for a moment (v1 frees it lazily). */
	for (int i = nhiers - 1; i >= 0; i--) {
		if (!made[i] || joined[i])
			continue;
		leaf_file(path, sizeof path, i, NULL);
		int tries = 0;
		while (rmdir(path) < 0 && errno == EBUSY && ++tries < RMDIR_TRIES)
			sleep_ms(5);
		made[i] = 0;
	}
}
