/*
 * The end of a workload, once its main process has exited: nothing it started may outlive it (a
 * grandchild holding the stdout pipe must not keep the shim, or the workload's resources, alive),
 * its last output is kept, and its exit is recorded. Then the shim exits.
 */
#define _GNU_SOURCE
#include "shim.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../mo-cgroup.h"

#define REAP_DEADLINE_MS 2000
#define DRAIN_MAX_BYTES (64ULL * 1024 * 1024)

/* SIGKILLs one pid list ("12 34 ") as found in /proc/<pid>/task/<tid>/children. */
static void kill_pid_list(int fd)
{
	char buf[4096];
	long pid = 0;
	int have = 0;
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] >= '0' && buf[i] <= '9') {
				pid = pid * 10 + (buf[i] - '0');
				have = 1;
			} else {
				if (have && pid > 0)
					kill((pid_t)pid, SIGKILL);
				pid = 0;
				have = 0;
			}
		}
	}
	if (have && pid > 0)
		kill((pid_t)pid, SIGKILL);
}

/* Fallback for kernels without CONFIG_PROC_CHILDREN: scan /proc for processes whose ppid is us. */
static void kill_children_scan(pid_t self)
{
	DIR *d = opendir("/proc");
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		char path[300], buf[512];
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		char *p = strrchr(buf, ')');
		char state;
		int ppid;
		if (p && sscanf(p + 1, " %c %d", &state, &ppid) == 2 && ppid == self)
			kill((pid_t)atol(e->d_name), SIGKILL);
	}
	closedir(d);
}

/* SIGKILLs every direct child; orphans are our children because we are a subreaper. */
static void kill_children(void)
{
	pid_t self = getpid();
	char path[64];
	/* The shim is single-threaded, so the main thread's list is the whole list. */
	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)self, (int)self);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		kill_children_scan(self);
		return;
	}
	kill_pid_list(fd);
	close(fd);
}

void finish_workload(pid_t child, int child_status)
{
	long long deadline = mono_ms() + REAP_DEADLINE_MS;
	for (;;) {
		kill(-child, SIGKILL);
		kill_children();
		/* The whole cgroup, whatever left the group or the session. */
		cg_kill();
		pid_t p;
		int st;
		while ((p = waitpid(-1, &st, WNOHANG)) > 0)
			;
		if (p < 0 && errno == ECHILD && !cg_populated())
			break;
		if (mono_ms() >= deadline)
			break;
		sleep_ms(5);
	}

	/* Keep output written just before exit. Bounded in case an escaped writer still holds a pipe. */
	unsigned long long drained = 0;
	for (int i = 0; i < 2; i++) {
		if (streams[i].pipe_fd < 0)
			continue;
		fcntl(streams[i].pipe_fd, F_SETFL, O_NONBLOCK);
		ssize_t got;
		while (drained < DRAIN_MAX_BYTES && (got = pump(&streams[i])) > 0)
			drained += (unsigned long long)got;
	}

	int oom_killed = cg_oom_kills() > 0;
	cg_release();
	write_exit_status_record(child_status, logs_bytes(), log_errno, oom_killed);
	_exit(0);
}
