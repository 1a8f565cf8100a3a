/*
 * mo-slots: where a launcher's shim tells the launcher how far a start got, without waking it.
 * See mo-slots.c for why, and mo-shim/launcher.c (reap_shims, stand_in) for how the launcher uses
 * it.
 */
#ifndef MO_SLOTS_H
#define MO_SLOTS_H

#include <sys/types.h>

/* How far the shim using a slot got. Only ever moves forward while the shim lives. */
enum slot_phase {
	SLOT_FREE,     /* no shim */
	SLOT_READING,  /* a spare reading the request stream: it has no whole frame yet */
	SLOT_TAKEN,    /* a whole, valid request taken: id and task dir set; the stream is intact */
	SLOT_ANSWERED, /* its S line written (an E line goes straight to DONE) */
	SLOT_DONE,     /* its `started` record written, or its E line: the launcher may reuse the slot */
};

/* Where a workload's start failed in the vfork child (what a failure's message names). */
enum start_step {
	STEP_EXEC,  /* dup2 or exec */
	STEP_CHDIR, /* chdir to its working dir */
	STEP_USER,  /* setgroups, setgid, setuid, or the check that they took */
};

/* Bounds of what a slot holds (mo-shim/shim.c and launcher.h check theirs against them). */
#define SLOT_ID_MAX 64
#define SLOT_CGROUP_MAX 288
#define SLOT_DIR_MAX 4096

struct slot {
	int phase;          /* enum slot_phase: stored with release order, loaded with acquire */
	pid_t pid;          /* the workload: written by it (the vfork child) before its exec */
	int exec_err;       /* its user switch, chdir or exec failed with this errno (0: it did not fail) */
	int failed_step;    /* ... at this step (enum start_step) */
	unsigned long long start_time; /* the workload's start time and when it started: set ... */
	long long started_at_ms;       /* ... before the S line, for the `started` record */
	unsigned long long shim_start_time; /* the shim's, and its cgroup ("" without): set ahead */
	char cgroup[SLOT_CGROUP_MAX];
	char req_id[SLOT_ID_MAX + 1];
};

/* ---- The launcher's side ---- */

/* Maps the table (shared with every process forked afterwards); -1 on failure. */
int slots_map(void);
/* A slot for the next shim (free, or left DONE by a shim that runs on), or -1 if none is. */
int slots_free(void);
/* Clears slot i for a new shim, in phase READING. Before the fork. */
void slots_reset(int i);
/* Takes a request into slot i (id, task dir; phase TAKEN): the launcher does it before it forks
 * a shim for a request it read itself; a spare does it through slot_take. */
void slots_take(int i, const char *req_id, const char *task_dir);
/* Records the shim that uses slot i (after the fork). */
void slots_own(int i, pid_t shim);
/* The slot the shim uses and has not left DONE, or -1. */
int slots_of_shim(pid_t shim);
/* The slot whose workload is pid, with the start unanswered or unrecorded, or -1: the launcher's
 * child only if that slot's shim died. */
int slots_of_orphan(pid_t pid);
struct slot *slots_at(int i);
int slots_phase(int i);
const char *slots_dir(int i);
pid_t slots_owner(int i);
/* Frees slot i (its shim has been reaped). */
void slots_release(int i);

/* ---- A shim's side (no-ops in a standalone shim) ---- */

/* In a child forked for slot i: it is this shim's. */
void slot_use(int i);
/* After shim_prepare, ahead of any request: the shim's start time and cgroup path. */
void slot_prepared(unsigned long long shim_start_time, const char *cgroup);
/* A whole, valid request: phase TAKEN. */
void slot_take(const char *req_id, const char *task_dir);
/* In the vfork child: its pid (first thing), and a failed step (before its _exit). */
void slot_workload(pid_t pid);
void slot_exec_failed(int err, enum start_step step);
/* Before the S line: the workload's start time and when it started. */
void slot_started(unsigned long long start_time, long long started_at_ms);
void slot_mark(enum slot_phase phase);
/* After DONE: the shim lets go of the table. */
void slot_leave(void);

#endif
