/*
 * mo-shim: the tiny parent process of one workload.
 *
 *   mo-shim <workload-dir> <log-max-bytes> -- <argv0> [args...]
 *
 * Why it exists: the agent (Node) may be SIGKILLed or restarted at any time. The shim keeps the
 * workload's parent alive independently of the agent, captures stdout/stderr into size-capped
 * files, and records the exit status in <dir>/exit so a restarted agent can learn what happened.
 *
 * Handshake on fd 1 (one line, then fd 1 is closed): "S <pid> <starttime>\n" once the workload
 * has exec'd, or "E <errno> <strerror>\n" if it could not be started (exit status 127).
 * Files in <dir>: started, exit (both one-line JSON, written atomically via *.tmp + rename),
 * stdout.log[.1], stderr.log[.1].
 *
 * Memory: static binary, fixed static buffers, no malloc in steady state.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define COPY_BUF_SIZE (64 * 1024)
#define REAP_DEADLINE_MS 2000
#define DRAIN_MAX_BYTES (64ULL * 1024 * 1024)

struct logstream {
	const char *name; /* "stdout" / "stderr" */
	int pipe_fd;      /* read end; -1 once EOF */
	int log_fd;
	unsigned long long size; /* bytes in the current log file */
	char path[PATH_MAX];
	char rotated[PATH_MAX];
};

static char copy_buf[COPY_BUF_SIZE];
/* Shorter than PATH_MAX so "<dir>/<name>.tmp" always fits in a PATH_MAX buffer. */
static char dir_path[PATH_MAX - 64];
static unsigned long long log_max;
static struct logstream streams[2];

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Writes all of buf, retrying on EINTR and short writes; returns -1 on error. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes <dir>/<name> via <dir>/<name>.tmp + rename, so readers never see a partial file. */
static void write_atomic(const char *name, const char *content)
{
	char tmp[PATH_MAX], final[PATH_MAX];
	snprintf(final, sizeof final, "%s/%.16s", dir_path, name);
	snprintf(tmp, sizeof tmp, "%s/%.16s.tmp", dir_path, name);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	int ok = write_all(fd, content, strlen(content)) == 0;
	/* fsync: the exit record is what a restarted agent trusts, make it survive a crash. */
	ok = ok && fsync(fd) == 0;
	close(fd);
	if (!ok || rename(tmp, final) < 0)
		unlink(tmp);
}

/* Copies s into out as JSON string content (s is ASCII from strerror, but be safe). */
static void json_escape(char *out, size_t cap, const char *s)
{
	size_t j = 0;
	for (; *s && j + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[j++] = '\\';
			out[j++] = (char)c;
		} else if (c < 0x20) {
			j += (size_t)snprintf(out + j, cap - j, "\\u%04x", c);
		} else {
			out[j++] = (char)c;
		}
	}
	out[j] = '\0';
}

/* Start failure: record it in <dir>/exit, tell the agent, exit 127 (like a shell). */
static void fail_start(int err)
{
	char esc[256], line[512];
	json_escape(esc, sizeof esc, strerror(err));
	snprintf(line, sizeof line, "{\"execError\":\"%s\",\"errno\":%d,\"finishedAtMs\":%lld}\n", esc, err,
		 now_ms());
	write_atomic("exit", line);
	snprintf(line, sizeof line, "E %d %s\n", err, strerror(err));
	write_all(1, line, strlen(line));
	_exit(127);
}

static int open_log(struct logstream *s, int trunc)
{
	int fd = open(s->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | (trunc ? O_TRUNC : 0), 0644);
	if (fd < 0)
		return -1;
	struct stat st;
	s->size = fstat(fd, &st) == 0 ? (unsigned long long)st.st_size : 0;
	s->log_fd = fd;
	return 0;
}

/* One rotation: current file becomes .1 (replacing the old one) and a fresh file is started. */
static void rotate(struct logstream *s)
{
	if (rename(s->path, s->rotated) == 0) {
		close(s->log_fd);
		if (open_log(s, 1) == 0)
			return;
		s->log_fd = -1;
	} else if (s->log_fd >= 0) {
		/* Cannot rename: truncate rather than grow past the cap. */
		if (ftruncate(s->log_fd, 0) < 0) {
			/* nothing better to do; keep going */
		}
	}
	s->size = 0;
}

/* Appends data to the stream's log, never letting the current file exceed log_max. */
static void log_write(struct logstream *s, const char *buf, size_t len)
{
	while (len > 0) {
		if (s->log_fd < 0 && open_log(s, 0) < 0)
			return; /* drop: losing logs must not stall the workload */
		if (s->size + len <= log_max) {
			if (write_all(s->log_fd, buf, len) == 0)
				s->size += len;
			return;
		}
		/* Keep a chunk whole when it fits in a fresh file; otherwise fill this one up to the cap. */
		size_t room = s->size < log_max ? (size_t)(log_max - s->size) : 0;
		if (s->size > 0 && len <= log_max)
			room = 0;
		if (room > 0) {
			if (write_all(s->log_fd, buf, room) == 0)
				s->size += room;
			buf += room;
			len -= room;
		}
		rotate(s);
	}
}

/* Reads once from the pipe into the log; returns bytes read, 0 on EOF/closed, -1 if nothing now. */
static ssize_t pump(struct logstream *s)
{
	if (s->pipe_fd < 0)
		return 0;
	ssize_t n = read(s->pipe_fd, copy_buf, sizeof copy_buf);
	if (n > 0) {
		log_write(s, copy_buf, (size_t)n);
		return n;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return -1;
	close(s->pipe_fd);
	s->pipe_fd = -1;
	return 0;
}

static const char *signal_name(int sig, char *buf, size_t cap)
{
	switch (sig) {
	case SIGHUP: return "SIGHUP";
	case SIGINT: return "SIGINT";
	case SIGQUIT: return "SIGQUIT";
	case SIGILL: return "SIGILL";
	case SIGTRAP: return "SIGTRAP";
	case SIGABRT: return "SIGABRT";
	case SIGBUS: return "SIGBUS";
	case SIGFPE: return "SIGFPE";
	case SIGKILL: return "SIGKILL";
	case SIGUSR1: return "SIGUSR1";
	case SIGSEGV: return "SIGSEGV";
	case SIGUSR2: return "SIGUSR2";
	case SIGPIPE: return "SIGPIPE";
	case SIGALRM: return "SIGALRM";
	case SIGTERM: return "SIGTERM";
	}
	snprintf(buf, cap, "SIG%d", sig);
	return buf;
}

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

static void usage(const char *msg)
{
	fprintf(stderr, "mo-shim: %s\nusage: mo-shim <workload-dir> <log-max-bytes> -- <argv0> [args...]\n", msg);
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 5 || strcmp(argv[3], "--") != 0)
		usage("bad arguments");
	if (strlen(argv[1]) == 0 || strlen(argv[1]) >= sizeof dir_path)
		usage("bad workload dir");
	char *end;
	errno = 0;
	log_max = strtoull(argv[2], &end, 10);
	if (errno || end == argv[2] || *end != '\0' || argv[2][0] == '-' || log_max == 0)
		usage("log-max-bytes must be a positive integer");
	strcpy(dir_path, argv[1]);
	char **child_argv = &argv[4];

	/* fds 0-2 must be valid, else our own opens could land on them and be clobbered by dup2. */
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			_exit(2);

	/* Own session: the agent's death, its terminal or its process group's signals don't reach us.
	 * Fails only if we already lead a group; then we are detached enough already. */
	setsid();
	/* Orphaned descendants get reparented to us, so we can reap and kill them on exit. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

	/* Stop requests target the workload's group (kill(-pid)), never the shim. */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);

	/* SIGCHLD via signalfd: blocked before fork, so an early exit can't be missed. */
	sigset_t chld, empty;
	sigemptyset(&chld);
	sigemptyset(&empty);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		fail_start(errno);

	/* A reused workload dir must not show a previous run's record while this one runs. */
	{
		static const char *const stale[] = { "exit", "exit.tmp", "started", "started.tmp" };
		char path[PATH_MAX];
		for (size_t i = 0; i < sizeof stale / sizeof stale[0]; i++) {
			snprintf(path, sizeof path, "%s/%s", dir_path, stale[i]);
			unlink(path);
		}
	}

	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		fail_start(errno);

	int out_pipe[2], err_pipe[2], exec_pipe[2];
	for (int i = 0; i < 2; i++) {
		struct logstream *s = &streams[i];
		s->name = i == 0 ? "stdout" : "stderr";
		snprintf(s->path, sizeof s->path, "%s/%.8s.log", dir_path, s->name);
		snprintf(s->rotated, sizeof s->rotated, "%s/%.8s.log.1", dir_path, s->name);
		if (open_log(s, 0) < 0)
			fail_start(errno);
	}
	if (pipe2(out_pipe, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0 || pipe2(exec_pipe, O_CLOEXEC) < 0)
		fail_start(errno);

	pid_t child = fork();
	if (child < 0)
		fail_start(errno);
	if (child == 0) {
		/* Own group, so the agent can signal the workload and everything it spawns with kill(-pid). */
		setpgid(0, 0);
		/* dup2 clears CLOEXEC on the targets; every other fd of ours is CLOEXEC. */
		if (dup2(devnull, 0) < 0 || dup2(out_pipe[1], 1) < 0 || dup2(err_pipe[1], 2) < 0) {
			int e = errno;
			write_all(exec_pipe[1], (const char *)&e, sizeof e);
			_exit(127);
		}
		/* Ignored dispositions and the mask survive exec: give the workload a clean slate. */
		for (int sig = 1; sig < NSIG; sig++)
			if (sig != SIGKILL && sig != SIGSTOP)
				signal(sig, SIG_DFL);
		sigprocmask(SIG_SETMASK, &empty, NULL);
		execvp(child_argv[0], child_argv);
		int e = errno;
		write_all(exec_pipe[1], (const char *)&e, sizeof e);
		_exit(127);
	}

	/* Both sides call setpgid so the group exists before either continues (EACCES after exec is fine). */
	setpgid(child, child);
	close(out_pipe[1]);
	close(err_pipe[1]);
	close(exec_pipe[1]);
	streams[0].pipe_fd = out_pipe[0];
	streams[1].pipe_fd = err_pipe[0];

	/* The CLOEXEC pipe is closed by a successful exec (EOF) or carries the child's errno. */
	int exec_errno = 0;
	ssize_t n;
	do
		n = read(exec_pipe[0], &exec_errno, sizeof exec_errno);
	while (n < 0 && errno == EINTR);
	close(exec_pipe[0]);
	if (n == (ssize_t)sizeof exec_errno) {
		int st;
		while (waitpid(child, &st, 0) < 0 && errno == EINTR)
			;
		fail_start(exec_errno);
	}

	/* Start time (field 22, clock ticks since boot) + pid identify the process across pid reuse.
	 * The child is at worst a zombie here (we have not reaped it), so /proc/<pid>/stat exists. */
	unsigned long long start_time = 0;
	{
		char path[64], buf[1024];
		snprintf(path, sizeof path, "/proc/%d/stat", (int)child);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t len = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (len > 0) {
			buf[len] = '\0';
			/* comm (field 2) may contain spaces and ')': parse after the last ')'. Field 3 follows. */
			char *p = strrchr(buf, ')');
			int field = 2;
			for (p = p ? p + 1 : NULL; p && *p && field < 22; p++)
				if (*p == ' ')
					field++;
			if (p && field == 22)
				start_time = strtoull(p, NULL, 10);
		}
	}
	{
		char line[128];
		snprintf(line, sizeof line, "{\"pid\":%d,\"startTime\":%llu}\n", (int)child, start_time);
		write_atomic("started", line);
		snprintf(line, sizeof line, "S %d %llu\n", (int)child, start_time);
		write_all(1, line, strlen(line));
	}
	/* Detach from the agent's pipes: its death must never block or SIGPIPE us. */
	dup2(devnull, 0);
	dup2(devnull, 1);
	dup2(devnull, 2);

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

	/* The workload is gone: nothing it started may outlive it (a grandchild holding the stdout
	 * pipe must not keep us, or the workload's resources, alive). */
	long long deadline = mono_ms() + REAP_DEADLINE_MS;
	for (;;) {
		kill(-child, SIGKILL);
		kill_children();
		pid_t p;
		int st;
		while ((p = waitpid(-1, &st, WNOHANG)) > 0)
			;
		if (p < 0 && errno == ECHILD)
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

	char line[160], sigbuf[16];
	if (WIFSIGNALED(child_status)) {
		int sig = WTERMSIG(child_status);
		snprintf(line, sizeof line, "{\"signal\":\"%s\",\"signo\":%d,\"finishedAtMs\":%lld}\n",
			 signal_name(sig, sigbuf, sizeof sigbuf), sig, now_ms());
	} else {
		snprintf(line, sizeof line, "{\"exitCode\":%d,\"finishedAtMs\":%lld}\n", WEXITSTATUS(child_status),
			 now_ms());
	}
	write_atomic("exit", line);
	return 0;
}
