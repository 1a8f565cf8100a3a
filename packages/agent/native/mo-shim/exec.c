/*
 * The workload child: what runs between the shim's vfork and the workload's exec (its process
 * group, its user, its working dir, its fds and signals), and the user a request names. Apart
 * from the shim so that what the workload is started with can be read in one place.
 */
#define _GNU_SOURCE
#include "shim.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int parse_user(const char *s, struct user_drop *out)
{
	memset(out, 0, sizeof *out);
	if (!*s)
		return 0;
	unsigned long long ids[2 + USER_GROUPS_MAX];
	int n = 0;
	const char *p = s;
	for (;;) {
		if (*p < '0' || *p > '9' || n >= 2 + USER_GROUPS_MAX)
			return -1;
		unsigned long long v = 0;
		for (; *p >= '0' && *p <= '9'; p++) {
			v = v * 10 + (unsigned long long)(*p - '0');
			if (v >= 0xffffffffULL)
				return -1;
		}
		ids[n++] = v;
		/* uid ':' gid ':' then groups split by ','; an empty group list is allowed */
		char want = n < 2 ? ':' : n == 2 ? ':' : ',';
		if (*p == '\0')
			break;
		if (*p != want)
			return -1;
		p++;
		if (n == 2 && *p == '\0')
			break;
	}
	if (n < 2)
		return -1;
	out->set = 1;
	out->uid = (uid_t)ids[0];
	out->gid = (gid_t)ids[1];
	out->ngroups = n - 2;
	for (int i = 2; i < n; i++)
		out->groups[i - 2] = (gid_t)ids[i];
	snprintf(out->text, sizeof out->text, "%u:%u", (unsigned)out->uid, (unsigned)out->gid);
	return 0;
}

/* In the vfork child: becomes d's user. Raw system calls, which change this task alone: glibc's
 * wrappers may signal every thread of the process to change theirs (a vfork child shares the
 * parent's memory, not its threads, and must touch as little shared state as possible). Order:
 * groups and gid while still root, the uid last. Then checks that all of it took, and that root
 * cannot be regained (a setuid that fails only partly must not leave a way back). -1 with errno. */
static int drop_privileges(const struct user_drop *d)
{
	if (syscall(SYS_setgroups, (long)d->ngroups, d->groups) < 0)
		return -1;
	if (syscall(SYS_setresgid, (long)d->gid, (long)d->gid, (long)d->gid) < 0)
		return -1;
	if (syscall(SYS_setresuid, (long)d->uid, (long)d->uid, (long)d->uid) < 0)
		return -1;
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	gid_t now[USER_GROUPS_MAX + 1];
	long n = syscall(SYS_getgroups, (long)(USER_GROUPS_MAX + 1), now);
	if (syscall(SYS_getresuid, &ru, &eu, &su) < 0 || syscall(SYS_getresgid, &rg, &eg, &sg) < 0 || n < 0)
		return -1;
	int same = ru == d->uid && eu == d->uid && su == d->uid && rg == d->gid && eg == d->gid && sg == d->gid &&
		   n == d->ngroups;
	/* The kernel keeps the list sorted: compare as sets (the agent sends each group once). */
	for (long i = 0; same && i < n; i++) {
		int found = 0;
		for (int j = 0; !found && j < d->ngroups; j++)
			found = now[i] == d->groups[j];
		same = found;
	}
	if (!same || (d->uid != 0 && syscall(SYS_setresuid, 0L, 0L, 0L) == 0)) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* Only system calls on this stack frame (below the shim's, which it must never return to) and
 * writes to rep and the launcher slot. Signals: all the shim installs is SIG_IGN, and SIGCHLD is
 * blocked, so no handler can run on the shared stack. */
void exec_workload(char **argv, const char *work_dir, const struct user_drop *user, int out_fd, int err_fd,
		   volatile struct exec_report *rep)
{
	/* First, before anything can end this shim: the launcher learns who the workload is even
	 * if the workload kills us before the handshake (see mo-slots.c). */
	slot_workload(getpid());
	/* Own group, so the agent can signal the workload and everything it spawns with kill(-pid). */
	setpgid(0, 0);
	/* Its user, once it is in its cgroup (since the spare's setup) and group; before the chdir,
	 * so the working dir is entered with the user's rights, not root's. */
	if (user->set && drop_privileges(user) < 0) {
		rep->step = STEP_USER;
		rep->err = errno;
		slot_exec_failed(rep->err, STEP_USER);
		_exit(127);
	}
	if (work_dir && *work_dir && chdir(work_dir) < 0) {
		rep->step = STEP_CHDIR;
		rep->err = errno;
		slot_exec_failed(rep->err, STEP_CHDIR);
		_exit(127);
	}
	/* dup2 clears CLOEXEC on the targets; every other fd of ours is CLOEXEC. */
	if (dup2(devnull_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) {
		rep->err = errno;
		slot_exec_failed(rep->err, STEP_EXEC);
		_exit(127);
	}
	/* Ignored dispositions and the mask survive exec: undo exactly what we (or the launcher,
	 * which sets the same four) changed. vfork does not share dispositions (no CLONE_SIGHAND),
	 * so this is the child's alone. Handled signals are reset by exec itself. */
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigset_t empty;
	sigemptyset(&empty);
	sigprocmask(SIG_SETMASK, &empty, NULL);
	execvp(argv[0], argv);
	rep->err = errno;
	slot_exec_failed(rep->err, STEP_EXEC);
	_exit(127);
}
