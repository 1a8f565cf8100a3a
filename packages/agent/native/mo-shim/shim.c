/*
 * The shim: the parent of one workload, alive from its start to its exit record, whatever
 * happens to the agent.
 *
 * Why it exists: the agent (Node) may be SIGKILLed or restarted at any time. The shim keeps the
 * workload's parent alive independently of the agent, captures stdout/stderr into size-capped
 * files, and records the exit status in <dir>/exit so a restarted agent can learn what happened.
 *
 * Handshake on fd 1 (one line, one write(), then fd 1 is pointed at /dev/null):
 * "S <pid> <starttime>\n" once the workload has exec'd, or "E <errno> <message>\n" if it could
 * not be started (the shim then exits 127). A launcher's shim writes its request's line instead
 * (see launcher.c).
 * Files in <dir>: started ({pid, startTime, shimPid, shimStartTime, startedAtMs, cgroup?}), exit
 * (both one-line JSON, written atomically via *.tmp + rename, in place so a full disk cannot lose
 * them; only exit is fsynced; exit has oomKilled: true when the kernel's OOM killer ended a process
 * of the workload), stdout.log[.1], stderr.log[.1]: see records.c and logs.c.
 *
 * A request with a user: the workload child drops to it (setgroups, setgid, setuid, in that order,
 * then checks that they took and that root cannot be regained) after it is in its cgroup and its
 * process group, before its chdir and exec; a failure is a start failure ("user uid:gid: ...").
 * The shim itself, its log files and records stay the agent's. See exec.c.
 *
 * With --cgroup (launcher mode), each workload runs in a cgroup of its own that its shim makes
 * ahead of the request, limits, leaves, kills at the end and removes: see mo-cgroup.c. Without
 * one, the workload is found by its process group, its session and the shim's descendants.
 */
#define _GNU_SOURCE
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../mo-cgroup.h"
#include "launcher.h"

_Static_assert(DIR_PATH_MAX <= SLOT_DIR_MAX, "a task dir must fit in a launcher slot");

extern char **environ;

char dir_path[DIR_PATH_MAX];
/* Launcher mode: the request id that prefixes the handshake (NULL in standalone mode). */
static const char *req_id;
static struct user_drop drop;
/* Launcher mode: the request's memory (the launcher's frame buffer, inherited by fork) and the
 * pointer arrays built from it. Released once the workload runs so a shim's RSS does not keep
 * the launcher's buffers alive. */
static void *req_map;
static size_t req_map_len;
static char **req_ptrs;
/* The request's limits for the workload cgroup (0 = none): bytes, millicores, processes. */
static unsigned long long limit_memory, limit_cpu, limit_pids;

/* What shim_prepare makes before the workload is known: a launcher's spare shim makes it ahead of
 * the request, so a start does not wait for it. errno of the first failure, 0 if none. */
static int prep_errno;
static int shim_sfd = -1;
static int out_pipe[2] = { -1, -1 }, err_pipe[2] = { -1, -1 };
/* The shim's own start time: with its pid, what identifies it to a restarted agent. */
static unsigned long long self_start_time;

/* The handshake prefix: "<reqId> " in launcher mode, nothing standalone. */
static const char *line_prefix(char *buf, size_t cap)
{
	if (!req_id)
		return "";
	snprintf(buf, cap, "%s ", req_id);
	return buf;
}

/* Start failure: record it in <dir>/exit, tell the agent, exit 127 (like a shell).
 * what: NULL for exec itself, else the failed step and its operand ("chdir", dir). */
static void __attribute__((noreturn)) fail_start(int err, const char *what, const char *operand)
{
	char msg[LINE_MAX_BYTES], line[LINE_MAX_BYTES], pre[REQ_ID_MAX + 2];
	if (what) /* the operand is cut so the handshake line stays within LINE_MAX_BYTES */
		snprintf(msg, sizeof msg, "%s %.300s: %s", what, operand, strerror(err));
	else
		snprintf(msg, sizeof msg, "%s", strerror(err));
	write_exec_error_record(err, msg);
	/* A newline in the operand must not break the line protocol. */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	/* Cut to LINE_MAX_BYTES including the newline (the return value is the untruncated length). */
	int n = snprintf(line, LINE_MAX_BYTES, "%sE %d %s", line_prefix(pre, sizeof pre), err, msg);
	size_t len = n < 0 ? 0 : n >= LINE_MAX_BYTES ? LINE_MAX_BYTES - 1 : (size_t)n;
	line[len++] = '\n';
	write_all(1, line, len);
	slot_mark(SLOT_DONE);
	cg_release(); /* nothing runs in it: the workload never started, or has exited */
	_exit(127);
}

static void release_request(void)
{
	static char *no_env[1];
	if (!req_map)
		return;
	environ = no_env; /* it pointed into the buffer about to go */
	free(req_ptrs);
	munmap(req_map, req_map_len);
	req_map = NULL;
}

/* Failures are kept in prep_errno and reported by run_shim, once there is a request (and a
 * directory) to report to. */
void shim_prepare(void)
{
	/* Own session: the agent's death, its terminal or its process group's signals don't reach us.
	 * Fails only if we already lead a group; then we are detached enough already. */
	setsid();
	/* Orphaned descendants get reparented to us, so we can reap and kill them on exit. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	self_start_time = read_start_time(getpid());
	/* The workload cgroup, made and joined now so the workload is born in it (see mo-cgroup.c). */
	cg_prepare(getpid(), self_start_time);

	/* Stop requests target the workload's group (kill(-pid)), never the shim. */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);

	/* SIGCHLD via signalfd: blocked before fork, so an early exit can't be missed. */
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	if ((shim_sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK)) < 0 ||
	    (devnull_fd < 0 && (devnull_fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) ||
	    pipe2(out_pipe, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0)
		prep_errno = errno;
	/* A launcher's shim: the launcher answers for it from here on (see mo-slots.c). */
	slot_prepared(self_start_time, cg_path());
}

/*
 * shim_prepare has run; dir_path and log_max are set; environ is the workload's environment;
 * work_dir (NULL or "" = inherit) is applied in the workload child only, so a bad one is reported
 * like an exec failure and the shim itself never holds the workload's directory.
 */
void run_shim(char **child_argv, const char *work_dir)
{
	if (prep_errno)
		fail_start(prep_errno, NULL, NULL);
	/* A workload that asked for a cgroup's limits must not run without them. */
	const char *cg_what;
	if (cg_error(&cg_what) || cg_apply_limits(limit_memory, limit_cpu, limit_pids) < 0) {
		int err = cg_error(&cg_what);
		fail_start(err, "cgroup", cg_what);
	}
	int sfd = shim_sfd;

	/* A reused workload dir must not show a previous run's record while this one runs. The *.tmp
	 * files stay: records are written over them, and the agent's spare workload dirs come with
	 * them made and sized, so that writing these records allocates no inode and no block. */
	{
		static const char *const stale[] = { "exit", "started" };
		char path[PATH_MAX];
		for (size_t i = 0; i < sizeof stale / sizeof stale[0]; i++) {
			snprintf(path, sizeof path, "%s/%s", dir_path, stale[i]);
			unlink(path);
		}
	}

	/* vfork: the child borrows our memory and we sleep until it has exec'd (or _exited), which is
	 * exactly the moment we wait for, without copying page tables or an exec-report pipe. A fork
	 * plus a CLOEXEC pipe cost ~3x as much here, and with fork both processes compete for a CPU.
	 * The child (exec_workload) only makes system calls on its own stack frame and writes `rep`
	 * and its launcher slot; it never returns here. */
	static volatile struct exec_report rep;
	rep.err = 0;
	rep.step = STEP_EXEC;
	pid_t child = vfork();
	if (child < 0)
		fail_start(errno, NULL, NULL);
	if (child == 0)
		exec_workload(child_argv, work_dir, &drop, out_pipe[1], err_pipe[1], &rep);

	/* No setpgid(child, child) here: we resume only after the child's own setpgid and its exec. */
	close(out_pipe[1]);
	close(err_pipe[1]);
	streams[0].pipe_fd = out_pipe[0];
	streams[1].pipe_fd = err_pipe[0];

	/* Back here, the child has exec'd or has exited with a report. */
	long long started_at_ms = now_ms();
	if (rep.err != 0) {
		int st;
		while (waitpid(child, &st, 0) < 0 && errno == EINTR)
			;
		if (rep.step == STEP_USER)
			fail_start(rep.err, "user", drop.text);
		fail_start(rep.err, rep.step == STEP_CHDIR ? "chdir" : NULL, work_dir);
	}

	/* Handshake first: everything after it (logs, the started record) is off the agent's start
	 * path. The workload's early output waits in the pipes meanwhile. */
	unsigned long long start_time = read_start_time(child);
	{
		char line[LINE_MAX_BYTES];
		if (req_id)
			started_line(line, sizeof line, req_id, child, start_time, getpid(), self_start_time, cg_path());
		else
			snprintf(line, sizeof line, "S %d %llu\n", (int)child, start_time);
		/* For the launcher, should we die before the line is out or the record written. */
		slot_started(start_time, started_at_ms);
		/* One write (<= PIPE_BUF): launcher shims share the response pipe and must not interleave. */
		write_all(1, line, strlen(line));
		slot_mark(SLOT_ANSWERED);
	}
	/* A spare shim hands the request stream back after the handshake (or earlier: see
	 * spare_main), so the launcher's fork of the next spare does not compete with this start. */
	hand_back_stream();
	/* Out of the workload's cgroup, so that killing it spares us (a migration: after the handshake). */
	cg_leave();
	/* Detach from the agent's pipes: its death must never block or SIGPIPE us. */
	dup2(devnull_fd, 0);
	dup2(devnull_fd, 1);
	dup2(devnull_fd, 2);
	release_request();

	logs_init(dir_path);
	write_started_record(dir_path, child, start_time, getpid(), self_start_time, started_at_ms, cg_path());
	/* The launcher has nothing more to stand in for: the slot is its to reuse. */
	slot_mark(SLOT_DONE);
	slot_leave();
	reserve_exit_record();

	int child_status = 0, child_done = 0;
	while (!child_done) {
		struct pollfd pfd[3] = {
			{ .fd = streams[0].pipe_fd, .events = POLLIN },
			{ .fd = streams[1].pipe_fd, .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
		};
		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			sleep_ms(10); /* should not happen; avoid a hot loop */
			continue;
		}
		for (int i = 0; i < 2; i++)
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				pump(&streams[i]);
		if (pfd[2].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof si) > 0)
				;
			/* Reap everything: adopted orphans as well as the workload itself. */
			pid_t p;
			int st;
			while ((p = waitpid(-1, &st, WNOHANG)) > 0)
				if (p == child) {
					child_status = st;
					child_done = 1;
				}
		}
	}
	finish_workload(child, child_status);
}

/* Points out[0..count-1] at count consecutive strings starting at s; out[count] = NULL. */
static void fill_ptrs(char **out, const char *s, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		out[i] = (char *)s;
		s += strlen(s) + 1;
	}
	out[count] = NULL;
}

void take_request(const struct request *r, void *buf, size_t len)
{
	static char id_buf[REQ_ID_MAX + 1];
	strcpy(id_buf, r->id);
	req_id = id_buf;
	strcpy(dir_path, r->task_dir);
	log_max = r->log_max;
	limit_memory = r->memory;
	limit_cpu = r->cpu_millis;
	limit_pids = r->pids;
	parse_user(r->user, &drop); /* valid: parse_request checked it */
	req_map = buf;
	req_map_len = len;
	req_ptrs = malloc((r->env_count + 1 + r->argv_count + 1) * sizeof *req_ptrs);
	if (!req_ptrs)
		fail_start(ENOMEM, NULL, NULL);
	char **envp = req_ptrs, **argv = req_ptrs + r->env_count + 1;
	fill_ptrs(envp, r->env, r->env_count);
	fill_ptrs(argv, r->argv, r->argv_count);
	/* execvp searches the workload's PATH, as a spawn with this env would. */
	environ = envp;
	run_shim(argv, r->work_dir);
}
