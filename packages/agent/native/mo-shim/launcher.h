/*
 * The launcher's side: protocol.c (request frames in, response lines out), spare.c (a shim forked
 * ahead that reads the next request itself) and launcher.c (the one long-lived process per agent
 * that forks shims, and answers for those that die). The protocol is described in launcher.c.
 */
#ifndef MO_SHIM_LAUNCHER_H
#define MO_SHIM_LAUNCHER_H

#include <stddef.h>
#include <sys/types.h>

#include "../mo-slots.h"
#include "common.h"

/* The largest request payload. */
#define FRAME_MAX (1024 * 1024)
_Static_assert(REQ_ID_MAX <= SLOT_ID_MAX, "a request id must fit in a launcher slot");

struct request {
	const char *id; /* NULL until a valid id has been read */
	const char *task_dir;
	unsigned long long log_max;
	const char *work_dir;
	/* Limits of the workload cgroup, 0 = none (ignored without cgroups). */
	unsigned long long memory, cpu_millis, pids;
	const char *user; /* "" or "uid:gid:groups" (parse_user) */
	const char *env; /* first of env_count consecutive NUL-terminated strings */
	size_t env_count;
	const char *argv; /* first of argv_count strings */
	size_t argv_count;
};

/* ---- protocol.c ---- */

/* Validates a whole payload; 0 if it is a well-formed request. r->id is set as soon as known. */
int parse_request(const char *buf, size_t len, struct request *r);
/* The handshake of a started workload (the shim's, or the launcher's for a dead shim). */
void started_line(char *line, size_t cap, const char *id, pid_t pid, unsigned long long start_time, pid_t shim,
		  unsigned long long shim_start_time, const char *cgroup);
/* Writes one response line; a broken response pipe means the agent is gone, so we go too. */
void respond(const char *line);

/* ---- spare.c ---- */

/* The life of a spare shim, forked by the launcher; notify: where it says it took a request. */
void __attribute__((noreturn)) spare_main(int notify);
/* A spare that took a request no longer reads the request stream: it tells the launcher. */
void hand_back_stream(void);

/* ---- launcher.c ---- */

void __attribute__((noreturn)) launcher_main(void);

#endif
