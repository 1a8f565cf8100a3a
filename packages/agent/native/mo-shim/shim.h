/*
 * The shim: the parent of one workload, from its start to its exit record. shim.c runs it, with
 * exec.c (the workload child, up to its exec), logs.c (its output), records.c (the `started` and
 * `exit` records) and finish.c (its end). main.c starts a standalone shim; the launcher's side
 * (launcher.c, spare.c) starts its shims with shim_prepare and take_request.
 */
#ifndef MO_SHIM_SHIM_H
#define MO_SHIM_SHIM_H

#include <stddef.h>
#include <sys/types.h>

#include "../mo-slots.h"
#include "common.h"

/* Most supplementary groups a workload's user may have (the agent's MAX_USER_GROUPS). */
#define USER_GROUPS_MAX 256

struct request; /* launcher.h */

/* ---- shim.c ---- */

/* The workload dir: its records and logs. Set before run_shim. */
extern char dir_path[DIR_PATH_MAX];
/* Everything the shim sets up that does not depend on the workload (a spare shim does it ahead). */
void shim_prepare(void);
/* Runs argv as the workload, supervises it, records its exit, and exits. */
void __attribute__((noreturn)) run_shim(char **child_argv, const char *work_dir);
/* Runs the shim for a valid request held in the mapping buf (len bytes). */
void __attribute__((noreturn)) take_request(const struct request *r, void *buf, size_t len);

/* ---- exec.c ---- */

/* Who the workload runs as: set from a request's user field, applied in the vfork child. */
struct user_drop {
	int set; /* 0: the shim's own identity (no switch) */
	uid_t uid;
	gid_t gid;
	int ngroups;
	gid_t groups[USER_GROUPS_MAX];
	char text[24]; /* "uid:gid", for messages */
};

/* What the workload child reports when it cannot exec. The child is vfork()ed: it shares our
 * memory until it execs or exits, so it writes this straight into the parent's copy. */
struct exec_report {
	int err;
	enum start_step step; /* where it failed */
};

/* Parses a request's user field ("" or "uid:gid:g1,g2,..."; ids below 2^32-1) into out; -1 if
 * malformed. */
int parse_user(const char *s, struct user_drop *out);
/* In the vfork child: becomes the workload and execs argv, or reports in rep and _exits 127. */
void __attribute__((noreturn)) exec_workload(char **argv, const char *work_dir, const struct user_drop *user,
					     int out_fd, int err_fd, volatile struct exec_report *rep);

/* ---- logs.c ---- */

struct logstream {
	const char *name; /* "stdout" / "stderr" */
	int pipe_fd;      /* read end; -1 once EOF */
	int log_fd;
	int discard;      /* the log could not be opened: drain output to nowhere */
	unsigned long long size; /* bytes in the current log file */
	unsigned long long rotated_size; /* bytes in the rotated copy (.1) we made */
};

/* The cap of each log file (its rotated copy holds as much again). */
extern unsigned long long log_max;
/* stdout, stderr. */
extern struct logstream streams[2];
/* First error opening a log file (0 if none); reported as "logError" in the exit record. */
extern int log_errno;
/* Names the log files in dir; they are opened on the first output. */
void logs_init(const char *dir);
/* Reads once from the pipe into the log; returns bytes read, 0 on EOF/closed, -1 if nothing now. */
ssize_t pump(struct logstream *s);
/* What the log files hold now, rotated copies included. */
unsigned long long logs_bytes(void);

/* ---- records.c ---- */

/* The `started` record, from which a restarted agent re-attaches the workload. dir: the shim's
 * dir_path, or the task dir of a dead shim's request (the launcher's stand_in). */
void write_started_record(const char *dir, pid_t pid, unsigned long long start_time, pid_t shim,
			  unsigned long long shim_start_time, long long started_at_ms, const char *cgroup);
/* Makes exit.tmp hold the exit record's space now, while the disk may still have room. */
void reserve_exit_record(void);
/* The exit record of a workload that could not be started (msg: what failed, and why). */
void write_exec_error_record(int err, const char *msg);
/* The exit record of a workload that ran: its wait status, log bytes, log error, OOM kill. */
void write_exit_status_record(int status, unsigned long long log_bytes, int log_err, int oom_killed);

/* ---- finish.c ---- */

/* The workload has exited with status: kills what it left, keeps its last output, records the
 * exit, and exits. */
void __attribute__((noreturn)) finish_workload(pid_t child, int status);

#endif
