/*
 * mo-shim: the tiny parent process of one workload.
 *
 *   mo-shim <workload-dir> <log-max-bytes> -- <argv0> [args...]     (standalone: one workload)
 *   mo-shim --launcher [--cgroup FLAGS:DIR]... [--cgroup-rel REL]    (launcher: see below)
 *
 * Why it exists: the agent (Node) may be SIGKILLed or restarted at any time. The shim keeps the
 * workload's parent alive independently of the agent, captures stdout/stderr into size-capped
 * files, and records the exit status in <dir>/exit so a restarted agent can learn what happened.
 *
 * Handshake on fd 1 (one line, one write(), then fd 1 is pointed at /dev/null):
 * "S <pid> <starttime>\n" once the workload has exec'd, or "E <errno> <message>\n" if it could
 * not be started (the shim then exits 127).
 * Files in <dir>: started ({pid, startTime, shimPid, shimStartTime, startedAtMs, cgroup?}), exit
 * (both one-line JSON, written atomically via *.tmp + rename, in place so a full disk cannot lose
 * them; only exit is fsynced; exit has oomKilled: true when the kernel's OOM killer ended a process
 * of the workload), stdout.log[.1], stderr.log[.1].
 *
 * A request with a user: the workload child drops to it (setgroups, setgid, setuid, in that order,
 * then checks that they took and that root cannot be regained) after it is in its cgroup and its
 * process group, before its chdir and exec; a failure is a start failure ("user uid:gid: ...").
 * The shim itself, its log files and records stay the agent's.
 *
 * With --cgroup (launcher mode), each workload runs in a cgroup of its own that its shim makes
 * ahead of the request, limits, leaves, kills at the end and removes: see mo-cgroup.c. Without
 * one, the workload is found by its process group, its session and the shim's descendants.
 *
 * Launcher mode exists because spawning a shim from Node costs a fork() of the whole agent, whose
 * price grows with the agent's RSS. One small long-lived launcher per agent forks shims instead
 * (no exec). It keeps one *spare* shim forked ahead: the spare sets itself up (session, subreaper,
 * signalfd, output pipes) and then reads the next request from the stream itself, so a start
 * costs neither a fork nor that setup. Exactly one process reads the stream at a time: the spare
 * while there is one (the launcher forks the next after the spare's handshake, or its exit), else
 * the launcher, which then forks a shim per request. Protocol:
 *   stdin (requests): frames of [u32 little-endian length N][N bytes payload], N <= 1 MiB. The
 *     payload is NUL-terminated strings: reqId, taskDir, logMaxBytes, workingDir ("" = inherit),
 *     memoryMax (bytes), cpuMillis, pidsMax (the cgroup's limits, decimal, "0" = none), user
 *     ("" = the shim's own, else "uid:gid:g1,g2,..." with at most USER_GROUPS_MAX groups), envCount,
 *     envCount x "KEY=VALUE", argvCount (>= 1), argvCount x arg. Nothing may follow.
 *   stdout (responses, each line written with one write() of <= 512 bytes, so never interleaved):
 *     "<reqId> S <pid> <starttime> <shimpid> <shimstarttime>[ <cgroup>]\n"  workload started (by
 *                                                 its shim; cgroup: its path under the mounts)
 *     "<reqId> E <errno> <message>\n"            not started (by the shim, or for a bad frame
 *                                                 ("E 22 bad request", reqId "?" if unreadable)
 *                                                 or a failed fork)
 *     "X <shimpid> <wait status>\n"              a shim exited (raw waitpid status); always
 *                                                 after that shim's S/E line. Also for any other
 *                                                 pid the launcher reaped: it is a subreaper, and
 *                                                 adopts the workload of a shim that was killed.
 *   EOF on stdin: the launcher exits 0 at once; running shims are unaffected.
 * A shim killed before it answered (the workload may kill it as soon as it runs, even before the
 * handshake) is answered for by the launcher, from what the shim marked in its slot (mo-slots.c):
 * "S" as the shim would have, if its workload was started (it is the launcher's child now), plus
 * the `started` record; "E <errno> <message>" if its exec failed; "E 10 mo-shim <pid> died (wait
 * status N) before it started the workload" if it got no further; then its "X". A shim killed
 * after its S line but before its `started` record gets that record from the launcher. A shim
 * killed just as it wrote its answer may be answered for twice, alike: the first answer counts.
 * The launcher itself exits 1 only when a spare dies with part of a frame read (the stream is torn).
 *
 * Memory: static binary, fixed buffers, no malloc in steady state (the launcher's per-request
 * argv/env pointer arrays are allocated in the forked shim only); the slot table is one shared
 * mapping of 64 slots, made by the launcher before it forks.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mo-cgroup.h"
#include "mo-slots.h"

#define COPY_BUF_SIZE (64 * 1024)
#define REAP_DEADLINE_MS 2000
#define DRAIN_MAX_BYTES (64ULL * 1024 * 1024)
/* Launcher limits. Response lines must stay <= PIPE_BUF (4096) to be written atomically; 512
 * leaves room and bounds what a line can cost the agent to parse. */
#define FRAME_MAX (1024 * 1024)
#define LINE_MAX_BYTES 512
#define REQ_ID_MAX 64
/* Most supplementary groups a workload's user may have (the agent's MAX_USER_GROUPS). */
#define USER_GROUPS_MAX 256
/* How often a launcher with no free slot (mo-slots.c) looks for one. */
#define SLOT_WAIT_MS 5
_Static_assert(REQ_ID_MAX <= SLOT_ID_MAX, "a request id must fit in a launcher slot");

extern char **environ;

struct logstream {
	const char *name; /* "stdout" / "stderr" */
	int pipe_fd;      /* read end; -1 once EOF */
	int log_fd;
	int discard;      /* the log could not be opened: drain output to nowhere */
	unsigned long long size; /* bytes in the current log file */
	unsigned long long rotated_size; /* bytes in the rotated copy (.1) we made */
	char path[PATH_MAX];
	char rotated[PATH_MAX];
};

static char copy_buf[COPY_BUF_SIZE];
/* Shorter than PATH_MAX so "<dir>/<name>.tmp" always fits in a PATH_MAX buffer. */
static char dir_path[PATH_MAX - 64];
_Static_assert(sizeof dir_path <= SLOT_DIR_MAX, "a task dir must fit in a launcher slot");
static unsigned long long log_max;
static struct logstream streams[2];
/* First error opening a log file (0 if none); reported as "logError" in the exit record. */
static int log_errno;
/* Launcher mode: the request id that prefixes the handshake (NULL in standalone mode). */
static const char *req_id;
/* Opened once by the launcher and inherited by its shims, saving an open() per start. */
static int devnull_fd = -1;
/* A launcher's spare shim: where it tells the launcher that it took a request (-1 otherwise). */
static int notify_fd = -1;

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

/* Writes all of buf, retrying on EINTR and short writes; returns -1 on error. An fd that is
 * unexpectedly non-blocking (the agent's choice, not ours) is waited for rather than failed. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd p = { .fd = fd, .events = POLLOUT };
				poll(&p, 1, -1);
				continue;
			}
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Records (started, exit) are written to <dir>/<name>.tmp and renamed to <dir>/<name>, so readers
 * never see a partial file. A full disk must not lose them, so writing one never needs a new block
 * once its temp file holds RECORD_SLOT bytes: it is overwritten in place and cut to its length
 * (shrinking frees blocks, it never takes one). The agent's spare workload dirs come with both
 * temp files of that size (see workload-store.ts); without them the shim reserves exit.tmp itself
 * right after the handshake (reserve_exit_record). Every record fits: fail_start's, the largest,
 * is under 3 * LINE_MAX_BYTES.
 */
#define RECORD_SLOT 2048
/* exit.tmp, opened and sized by reserve_exit_record; -1 until then. */
static int exit_fd = -1;

static int pwrite_all(int fd, const char *buf, size_t len, off_t off)
{
	while (len > 0) {
		ssize_t n = pwrite(fd, buf, len, off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* Opens <dir>/<name>.tmp without truncating it: the blocks it holds are what the record needs. */
static int open_record_tmp(const char *dir, const char *name)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof tmp, "%s/%.16s.tmp", dir, name);
	return open(tmp, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
}

/* Writes content over fd (<dir>/<name>.tmp, closed here) and renames it to <dir>/<name>.
 * durable: fsync before the rename, for records that should survive a host crash (best effort:
 * an unsynced record beats none). A failed write leaves the temp file, never a partial record. */
static void commit_record(const char *dir, int fd, const char *name, const char *content, int durable)
{
	char tmp[PATH_MAX], final[PATH_MAX];
	snprintf(final, sizeof final, "%s/%.16s", dir, name);
	snprintf(tmp, sizeof tmp, "%s/%.16s.tmp", dir, name);
	if (fd < 0)
		return;
	size_t len = strlen(content);
	int ok = pwrite_all(fd, content, len, 0) == 0 && ftruncate(fd, (off_t)len) == 0;
	if (ok && durable && fsync(fd) < 0) {
		/* in the page cache all the same: rename it */
	}
	close(fd);
	if (ok)
		rename(tmp, final);
}

/* dir: the shim's dir_path, or the task dir of a dead shim's request (the launcher's stand_in). */
static void write_atomic(const char *dir, const char *name, const char *content, int durable)
{
	commit_record(dir, open_record_tmp(dir, name), name, content, durable);
}

static void write_exit_record(const char *content)
{
	int fd = exit_fd >= 0 ? exit_fd : open_record_tmp(dir_path, "exit");
	exit_fd = -1;
	commit_record(dir_path, fd, "exit", content, 1);
}

/* Makes exit.tmp hold RECORD_SLOT bytes now, while the disk may still have room, and keeps it
 * open for the exit record. Off the start path: called after the handshake. */
static void reserve_exit_record(void)
{
	static const char zeros[RECORD_SLOT];
	struct stat st;
	exit_fd = open_record_tmp(dir_path, "exit");
	if (exit_fd >= 0 && fstat(exit_fd, &st) == 0 && st.st_size < RECORD_SLOT &&
	    pwrite_all(exit_fd, zeros, RECORD_SLOT - (size_t)st.st_size, st.st_size) < 0) {
		/* the disk is full already: the exit record will try to take a block when it comes */
	}
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
static void fail_start(int err, const char *what, const char *operand)
{
	char msg[LINE_MAX_BYTES], esc[2 * LINE_MAX_BYTES], line[3 * LINE_MAX_BYTES], pre[REQ_ID_MAX + 2];
	if (what) /* the operand is cut so the handshake line stays within LINE_MAX_BYTES */
		snprintf(msg, sizeof msg, "%s %.300s: %s", what, operand, strerror(err));
	else
		snprintf(msg, sizeof msg, "%s", strerror(err));
	json_escape(esc, sizeof esc, msg);
	snprintf(line, sizeof line, "{\"execError\":\"%s\",\"errno\":%d,\"finishedAtMs\":%lld,\"logBytes\":0}\n",
		 esc, err, now_ms());
	write_exit_record(line);
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

static int open_log(struct logstream *s, int trunc)
{
	/* 0600: the agent's, like its records (the workload's user, or any other, need not read them). */
	int fd = open(s->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | (trunc ? O_TRUNC : 0), 0600);
	if (fd < 0) {
		if (!log_errno)
			log_errno = errno;
		return -1;
	}
	struct stat st;
	s->size = fstat(fd, &st) == 0 ? (unsigned long long)st.st_size : 0;
	s->log_fd = fd;
	return 0;
}

/* One rotation: current file becomes .1 (replacing the old one) and a fresh file is started. */
static void rotate(struct logstream *s)
{
	if (rename(s->path, s->rotated) == 0) {
		s->rotated_size = s->size;
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
	if (s->discard)
		return;
	while (len > 0) {
		if (s->log_fd < 0 && open_log(s, 0) < 0)
			return; /* drop: losing logs must not stall the workload */
		if (s->size + len <= log_max) {
			if (write_all(s->log_fd, buf, len) == 0)
				s->size += len;
			return;
		}
		/* Keep a chunk whole when it fits in a fresh file; otherwise fill this one up to the cap,
		 * cut after the last whole line that fits: a pipe read under load holds many lines, and a
		 * line split across the two files would read as two lines (`mo logs --tail`). Only a line
		 * longer than the cap itself is cut, in a fresh file. */
		size_t room = s->size < log_max ? (size_t)(log_max - s->size) : 0;
		if (s->size > 0 && len <= log_max)
			room = 0;
		if (room > 0) {
			const char *nl = memrchr(buf, '\n', room);
			if (nl)
				room = (size_t)(nl - buf) + 1;
			else if (s->size > 0)
				room = 0; /* no whole line fits here: start a fresh file */
		}
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
	fprintf(stderr,
		"mo-shim: %s\nusage: mo-shim <workload-dir> <log-max-bytes> -- <argv0> [args...]\n"
		"       mo-shim --launcher [--cgroup FLAGS:DIR]... [--cgroup-rel REL]\n",
		msg);
	exit(2);
}

/* Parses a positive decimal byte count; returns -1 if s is anything else. */
static int parse_log_max(const char *s, unsigned long long *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end != '\0' || s[0] < '0' || s[0] > '9' || v == 0)
		return -1;
	*out = v;
	return 0;
}

/* fds 0-2 must be valid, else our own opens could land on them and be clobbered by dup2. */
static void ensure_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			_exit(2);
}

/* Start time (field 22, clock ticks since boot) + pid identify the process across pid reuse.
 * The child is at worst a zombie here (we have not reaped it), so /proc/<pid>/stat exists. */
static unsigned long long read_start_time(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t len = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	/* comm (field 2) may contain spaces and ')': parse after the last ')'. Field 3 follows. */
	char *p = strrchr(buf, ')');
	int field = 2;
	for (p = p ? p + 1 : NULL; p && *p && field < 22; p++)
		if (*p == ' ')
			field++;
	return p && field == 22 ? strtoull(p, NULL, 10) : 0;
}

/* What the workload child reports when it cannot exec. The child is vfork()ed: it shares our
 * memory until it execs or exits, so it writes this straight into the parent's copy. */
struct exec_report {
	int err;
	enum start_step step; /* where it failed */
};

/* Who the workload runs as: set from a request's user field, applied in the vfork child. */
struct user_drop {
	int set; /* 0: the shim's own identity (no switch) */
	uid_t uid;
	gid_t gid;
	int ngroups;
	gid_t groups[USER_GROUPS_MAX];
	char text[24]; /* "uid:gid", for messages */
};
static struct user_drop drop;

/* Parses a request's user field ("" or "uid:gid:g1,g2,..."; ids below 2^32-1) into out; -1 if
 * malformed. */
static int parse_user(const char *s, struct user_drop *out)
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

/* Launcher mode: the request's memory (the launcher's frame buffer, inherited by fork) and the
 * pointer arrays built from it. Released once the workload runs so a shim's RSS does not keep
 * the launcher's buffers alive. */
static void *req_map;
static size_t req_map_len;
static char **req_ptrs;
/* The request's limits for the workload cgroup (0 = none): bytes, millicores, processes. */
static unsigned long long limit_memory, limit_cpu, limit_pids;

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

/* A launcher's spare shim tells the launcher it no longer reads the request stream, so the
 * launcher forks the next spare. */
static void hand_back_stream(void)
{
	if (notify_fd < 0)
		return;
	if (write(notify_fd, "t", 1) < 0) {
		/* the launcher is gone: nothing to hand back */
	}
	close(notify_fd);
	notify_fd = -1;
}

/* What shim_prepare makes before the workload is known: a launcher's spare shim makes it ahead of
 * the request, so a start does not wait for it. errno of the first failure, 0 if none. */
static int prep_errno;
static int shim_sfd = -1;
static int out_pipe[2] = { -1, -1 }, err_pipe[2] = { -1, -1 };
/* The shim's own start time: with its pid, what identifies it to a restarted agent. */
static unsigned long long self_start_time;

/* Everything the shim sets up that does not depend on the workload. Failures are kept in
 * prep_errno and reported by run_shim, once there is a request (and a directory) to report to. */
static void shim_prepare(void)
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
}

/* The launcher-mode handshake of a started workload (the shim's, or the launcher's for a dead shim). */
static void started_line(char *line, size_t cap, const char *id, pid_t pid, unsigned long long start_time, pid_t shim,
			 unsigned long long shim_start_time, const char *cgroup)
{
	snprintf(line, cap, "%s S %d %llu %d %llu%s%s\n", id, (int)pid, start_time, (int)shim, shim_start_time,
		 *cgroup ? " " : "", cgroup);
}

/* The `started` record, from which a restarted agent re-attaches the workload. Not fsynced: it
 * only covers an agent crash between spawn and the agent's own record; after a host crash the
 * boot id tells the agent the workload is gone anyway. */
static void write_started_record(const char *dir, pid_t pid, unsigned long long start_time, pid_t shim,
				 unsigned long long shim_start_time, long long started_at_ms, const char *cgroup)
{
	char line[512], cg[300] = "";
	if (*cgroup)
		snprintf(cg, sizeof cg, ",\"cgroup\":\"%s\"", cgroup); /* a path of [A-Za-z0-9._/-] */
	snprintf(line, sizeof line,
		 "{\"pid\":%d,\"startTime\":%llu,\"shimPid\":%d,\"shimStartTime\":%llu,\"startedAtMs\":%lld%s}\n",
		 (int)pid, start_time, (int)shim, shim_start_time, started_at_ms, cg);
	write_atomic(dir, "started", line, 0);
}

/*
 * The shim proper: runs argv as the workload, supervises it, records its exit, and exits.
 * shim_prepare has run; dir_path and log_max are set; environ is the workload's environment;
 * work_dir (NULL or "" = inherit) is applied in the workload child only, so a bad one is reported
 * like an exec failure and the shim itself never holds the workload's directory.
 */
static void __attribute__((noreturn)) run_shim(char **child_argv, const char *work_dir)
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
	sigset_t empty;
	sigemptyset(&empty);

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
	 * The child below only makes system calls on its own stack frame and writes `rep` and its
	 * launcher slot; it never returns from this function. Signals: all we install is SIG_IGN, and
	 * SIGCHLD is blocked, so no handler can run on the shared stack. */
	static volatile struct exec_report rep;
	rep.err = 0;
	rep.step = STEP_EXEC;
	pid_t child = vfork();
	if (child < 0)
		fail_start(errno, NULL, NULL);
	if (child == 0) {
		/* First, before anything can end this shim: the launcher learns who the workload is even
		 * if the workload kills us before the handshake (see mo-slots.c). */
		slot_workload(getpid());
		/* Own group, so the agent can signal the workload and everything it spawns with kill(-pid). */
		setpgid(0, 0);
		/* Its user, once it is in its cgroup (since the spare's setup) and group; before the chdir,
		 * so the working dir is entered with the user's rights, not root's. */
		if (drop.set && drop_privileges(&drop) < 0) {
			rep.step = STEP_USER;
			rep.err = errno;
			slot_exec_failed(rep.err, STEP_USER);
			_exit(127);
		}
		if (work_dir && *work_dir && chdir(work_dir) < 0) {
			rep.step = STEP_CHDIR;
			rep.err = errno;
			slot_exec_failed(rep.err, STEP_CHDIR);
			_exit(127);
		}
		/* dup2 clears CLOEXEC on the targets; every other fd of ours is CLOEXEC. */
		if (dup2(devnull_fd, 0) < 0 || dup2(out_pipe[1], 1) < 0 || dup2(err_pipe[1], 2) < 0) {
			rep.err = errno;
			slot_exec_failed(rep.err, STEP_EXEC);
			_exit(127);
		}
		/* Ignored dispositions and the mask survive exec: undo exactly what we (or the launcher,
		 * which sets the same four) changed. vfork does not share dispositions (no CLONE_SIGHAND),
		 * so this is the child's alone. Handled signals are reset by exec itself. */
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		sigprocmask(SIG_SETMASK, &empty, NULL);
		execvp(child_argv[0], child_argv);
		rep.err = errno;
		slot_exec_failed(rep.err, STEP_EXEC);
		_exit(127);
	}

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

	for (int i = 0; i < 2; i++) {
		struct logstream *s = &streams[i];
		s->name = i == 0 ? "stdout" : "stderr";
		snprintf(s->path, sizeof s->path, "%s/%.8s.log", dir_path, s->name);
		snprintf(s->rotated, sizeof s->rotated, "%s/%.8s.log.1", dir_path, s->name);
		/* Opened by log_write on the first output: a workload that prints nothing costs no log
		 * files (two inodes fewer per start). If it cannot be opened then, the output is dropped
		 * and the next write tries again: we supervise the workload and record its exit anyway. */
		s->log_fd = -1;
	}
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

	/* The workload is gone: nothing it started may outlive it (a grandchild holding the stdout
	 * pipe must not keep us, or the workload's resources, alive). */
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

	/* logBytes: what the log files hold, so the agent's log retention need not stat them. */
	char line[512], sigbuf[16], extra[256];
	unsigned long long log_bytes = 0;
	for (int i = 0; i < 2; i++)
		log_bytes += streams[i].size + streams[i].rotated_size;
	int n = snprintf(extra, sizeof extra, ",\"logBytes\":%llu", log_bytes);
	if (log_errno) {
		char esc[128];
		json_escape(esc, sizeof esc, strerror(log_errno));
		snprintf(extra + n, sizeof extra - (size_t)n, ",\"logError\":\"%s\"", esc);
	}
	/* As docker's OOMKilled: the kernel killed a process of the workload for its memory limit. */
	if (cg_oom_kills() > 0)
		strncat(extra, ",\"oomKilled\":true", sizeof extra - strlen(extra) - 1);
	cg_release();
	if (WIFSIGNALED(child_status)) {
		int sig = WTERMSIG(child_status);
		snprintf(line, sizeof line, "{\"signal\":\"%s\",\"signo\":%d,\"finishedAtMs\":%lld%s}\n",
			 signal_name(sig, sigbuf, sizeof sigbuf), sig, now_ms(), extra);
	} else {
		snprintf(line, sizeof line, "{\"exitCode\":%d,\"finishedAtMs\":%lld%s}\n", WEXITSTATUS(child_status),
			 now_ms(), extra);
	}
	write_exit_record(line);
	_exit(0);
}

/* ---------------------------------------------------------------------------------------------
 * Launcher mode.
 */

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

static int launcher_sfd = -1;
/* Spare shims tell the launcher on this pipe that they took a request. */
static int notify_r = -1, notify_w = -1;
/* The spare shim that owns the request stream now; 0 if none (then the launcher reads it). */
static pid_t spare_pid;
static long long next_spare_try_ms;
/* Frame buffer: mmap'd (not static) so a shim can drop it with munmap; only touched pages count. */
static char *inbuf;
static size_t inbuf_cap, inbuf_have;

/* Writes one response line; a broken response pipe means the agent is gone, so we go too. */
static void respond(const char *line)
{
	if (write_all(1, line, strlen(line)) < 0) {
		cg_release(); /* a spare's: it would stay behind, empty */
		_exit(0);
	}
}

/* A spare shim ends without a request: its workload cgroup goes with it. */
static void __attribute__((noreturn)) spare_exit(int code)
{
	cg_release();
	_exit(code);
}

/* Returns the NUL-terminated string at *p and advances past it, or NULL if none is complete. */
static const char *next_str(const char **p, const char *end)
{
	const char *s = *p;
	if (s >= end)
		return NULL;
	const char *nul = memchr(s, '\0', (size_t)(end - s));
	if (!nul)
		return NULL;
	*p = nul + 1;
	return s;
}

/* Parses a decimal count no larger than max (a frame cannot hold more strings than bytes). */
static int parse_count(const char *s, size_t max, size_t *out)
{
	size_t v = 0;
	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (size_t)(*s - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

/* Parses a decimal number (0 allowed) below 2^62, so no arithmetic on it can overflow. */
static int parse_u64(const char *s, unsigned long long *out)
{
	unsigned long long v = 0;
	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long long)(*s - '0');
		if (v >= 1ULL << 62)
			return -1;
	}
	*out = v;
	return 0;
}

/* The id is echoed in a space-separated line protocol: no whitespace or control characters. */
static int valid_id(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > REQ_ID_MAX)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return 0;
	return 1;
}

static int skip_strs(const char **p, const char *end, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (!next_str(p, end))
			return -1;
	return 0;
}

/* Validates a whole payload; 0 if it is a well-formed request. r->id is set as soon as known. */
static int parse_request(const char *buf, size_t len, struct request *r)
{
	const char *p = buf, *end = buf + len, *s;
	size_t count;
	memset(r, 0, sizeof *r);
	if (!(s = next_str(&p, end)) || !valid_id(s))
		return -1;
	r->id = s;
	if (!(s = next_str(&p, end)) || !*s || strlen(s) >= sizeof dir_path)
		return -1;
	r->task_dir = s;
	if (!(s = next_str(&p, end)) || parse_log_max(s, &r->log_max) < 0)
		return -1;
	if (!(r->work_dir = next_str(&p, end)))
		return -1;
	if (parse_u64(next_str(&p, end), &r->memory) < 0 || parse_u64(next_str(&p, end), &r->cpu_millis) < 0 ||
	    parse_u64(next_str(&p, end), &r->pids) < 0)
		return -1;
	struct user_drop check;
	if (!(r->user = next_str(&p, end)) || parse_user(r->user, &check) < 0)
		return -1;
	if (parse_count(next_str(&p, end), len, &count) < 0)
		return -1;
	r->env = p;
	r->env_count = count;
	if (skip_strs(&p, end, count) < 0)
		return -1;
	if (parse_count(next_str(&p, end), len, &count) < 0 || count == 0)
		return -1;
	r->argv = p;
	r->argv_count = count;
	if (skip_strs(&p, end, count) < 0 || !*r->argv)
		return -1;
	return p == end ? 0 : -1; /* trailing bytes mean the agent and we disagree on the format */
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

/* Runs the shim for a valid request held in the mapping buf (len bytes); never returns. */
static void __attribute__((noreturn)) take_request(const struct request *r, void *buf, size_t len)
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

/* Reads exactly n bytes of the request stream. EOF means the agent is done: exit 0, dropping a
 * partial frame, as the launcher does. */
static void read_exact(char *buf, size_t n)
{
	while (n > 0) {
		ssize_t got = read(0, buf, n);
		if (got == 0)
			spare_exit(0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd p = { .fd = 0, .events = POLLIN };
				poll(&p, 1, -1);
				continue;
			}
			fprintf(stderr, "mo-shim --launcher: read: %s\n", strerror(errno));
			spare_exit(1);
		}
		buf += got;
		n -= (size_t)got;
	}
}

/*
 * A spare shim: forked by the launcher ahead of any request, it makes everything a shim needs that
 * does not depend on the workload (shim_prepare), then reads the next frame from the request
 * stream itself, so a start costs neither the launcher's fork nor that setup. Only one spare exists
 * at a time and the launcher does not read meanwhile, so exactly one process reads the stream.
 * Exit codes the launcher interprets: 0 = EOF, 2 = oversized frame (the stream is lost).
 */
static void __attribute__((noreturn)) spare_main(void)
{
	close(launcher_sfd);
	close(notify_r);
	notify_fd = notify_w;
	munmap(inbuf, inbuf_cap); /* the launcher's; never used here */
	shim_prepare();
	slot_prepared(self_start_time, cg_path());
	for (;;) {
		unsigned char h[4];
		read_exact((char *)h, 4);
		uint32_t len = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
		if (len > FRAME_MAX) {
			fprintf(stderr, "mo-shim --launcher: frame of %u bytes exceeds the %d byte limit\n", len,
				FRAME_MAX);
			spare_exit(2);
		}
		size_t cap = len ? len : 1;
		char *buf = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED) {
			fprintf(stderr, "mo-shim --launcher: %s\n", strerror(errno));
			spare_exit(1); /* the frame cannot be read: the stream is lost */
		}
		read_exact(buf, len);
		struct request r;
		if (parse_request(buf, len, &r) < 0) {
			char line[LINE_MAX_BYTES];
			snprintf(line, sizeof line, "%s E %d bad request\n", r.id ? r.id : "?", EINVAL);
			respond(line);
			munmap(buf, cap);
			continue;
		}
		/* A whole request: should we die from here on, the stream is intact and the launcher
		 * answers for us (see mo-slots.c). */
		slot_take(r.id, r.task_dir);
		/* More requests already waiting: hand the stream back now, so the next spare is forked
		 * while this one starts its workload (throughput under a burst); otherwise after the
		 * handshake (latency of a lone start). */
		int queued = 0;
		if (ioctl(0, FIONREAD, &queued) == 0 && queued > 0)
			hand_back_stream();
		dup2(devnull_fd, 0);
		take_request(&r, buf, cap);
	}
}

/* Forks a shim for one valid request (when no spare could be forked), in slot i. The child never
 * returns. */
static void launch(const struct request *r, int i)
{
	slots_reset(i);
	slots_take(i, r->id, r->task_dir);
	pid_t pid = fork();
	if (pid < 0) {
		char line[LINE_MAX_BYTES];
		snprintf(line, sizeof line, "%s E %d fork: %s\n", r->id, errno, strerror(errno));
		respond(line);
		return;
	}
	if (pid > 0) {
		slots_own(i, pid);
		return;
	}
	slot_use(i);

	/* The shim: the launcher's ignored signals (TERM, INT, HUP, PIPE) and blocked SIGCHLD are
	 * exactly what the shim sets up for itself, so only the launcher's fds need undoing. */
	close(launcher_sfd);
	close(notify_r);
	close(notify_w);
	dup2(devnull_fd, 0); /* the request stream is the launcher's alone */
	shim_prepare();
	slot_prepared(self_start_time, cg_path());
	take_request(r, inbuf, inbuf_cap);
}

/* One frame the launcher read itself; slot i is free for its shim. */
static void handle_frame(const char *payload, size_t len, int i)
{
	struct request r;
	if (parse_request(payload, len, &r) < 0) {
		char line[LINE_MAX_BYTES];
		snprintf(line, sizeof line, "%s E %d bad request\n", r.id ? r.id : "?", EINVAL);
		respond(line);
		return;
	}
	launch(&r, i);
}

/* Forks the next spare shim, in slot i; on failure the launcher reads requests itself until a
 * retry works. */
static void fork_spare(int i)
{
	slots_reset(i);
	pid_t pid = fork();
	if (pid == 0) {
		slot_use(i);
		spare_main();
	}
	if (pid < 0) {
		next_spare_try_ms = mono_ms() + 100;
		return;
	}
	slots_own(i, pid);
	spare_pid = pid;
}

/* True when the request stream has reached EOF (looked at without consuming anything). */
static int stream_at_eof(void)
{
	char c;
	ssize_t n = recv(0, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n >= 0)
		return n == 0;
	if (errno != ENOTSOCK)
		return 0; /* EAGAIN: open, nothing queued */
	struct pollfd p = { .fd = 0, .events = POLLIN }; /* a pipe: hung up with nothing left */
	return poll(&p, 1, 0) == 1 && (p.revents & POLLHUP) && !(p.revents & POLLIN);
}

/* The spare that took a request said so: it no longer reads the stream. */
static void drain_notify(void)
{
	char b[64];
	ssize_t n;
	while ((n = read(notify_r, b, sizeof b)) > 0)
		spare_pid = 0;
}

/*
 * Answers for a shim that died in slot i before it answered its request (phase TAKEN) or recorded
 * the start (ANSWERED), so that the agent's start neither hangs nor loses a running workload. The
 * workload it started, if any, is our child now (we are the nearest living subreaper).
 */
static void stand_in(int i, pid_t shim, int st)
{
	struct slot *s = slots_at(i);
	char line[LINE_MAX_BYTES];
	if (slots_phase(i) == SLOT_TAKEN) {
		if (s->exec_err) {
			/* Its user switch, chdir or exec failed: what the shim would have answered (without
			 * the operand). */
			const char *step = s->failed_step == STEP_USER ? "user: " : s->failed_step == STEP_CHDIR ? "chdir: " : "";
			snprintf(line, sizeof line, "%s E %d %s%s\n", s->req_id, s->exec_err, step, strerror(s->exec_err));
			respond(line);
			return;
		}
		/* Started only if it is our child (alive, or a zombie we hold: /proc still has it). */
		siginfo_t si;
		unsigned long long start = 0;
		if (s->pid > 0 && waitid(P_PID, (id_t)s->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0)
			start = read_start_time(s->pid);
		if (!start) {
			snprintf(line, sizeof line, "%s E %d mo-shim %d died (wait status %d) before it started the workload\n",
				 s->req_id, ECHILD, (int)shim, st);
			respond(line);
			return;
		}
		s->start_time = start;
		if (!s->started_at_ms)
			s->started_at_ms = now_ms();
		started_line(line, sizeof line, s->req_id, s->pid, start, shim, s->shim_start_time, s->cgroup);
		respond(line);
	}
	write_started_record(slots_dir(i), s->pid, s->start_time, shim, s->shim_start_time, s->started_at_ms, s->cgroup);
}

/* One reaped child: a shim (its slot says how far it got), or a workload we adopted. */
static void reaped(pid_t p, int st)
{
	int i = slots_of_shim(p);
	int phase = i >= 0 ? slots_phase(i) : SLOT_FREE;
	/* A spare's "took it" byte is written before it can exit, so once it is reaped the byte is
	 * there: read it first, so a shim that handed the stream back is not judged as a spare. */
	if (p == spare_pid)
		drain_notify();
	if (p == spare_pid) {
		spare_pid = 0;
		/* Ended without a whole request. EOF or an oversized frame: the launcher ends the same way
		 * (EOF checked again here: ending on a spare's word while the agent still writes would
		 * fail its starts). Killed while reading: part of a frame may be gone, so the stream
		 * cannot be trusted. Past SLOT_READING the spare took a whole frame: the stream is intact,
		 * at the next frame, and the next spare reads on. */
		if (phase <= SLOT_READING) {
			if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && !stream_at_eof()) {
				fprintf(stderr, "mo-shim --launcher: spare shim %d exited but the request stream is open\n", (int)p);
				if (i >= 0)
					slots_release(i);
				return;
			}
			if (WIFEXITED(st) && (WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 2))
				_exit(WEXITSTATUS(st));
			fprintf(stderr, "mo-shim --launcher: the spare shim reading requests died (status %d)\n", st);
			_exit(1);
		}
	}
	if (i >= 0) {
		if (phase == SLOT_TAKEN || phase == SLOT_ANSWERED)
			stand_in(i, p, st);
		slots_release(i);
	}
	char line[64];
	snprintf(line, sizeof line, "X %d %d\n", (int)p, st);
	respond(line);
}

/* Reaps p if it has exited; returns what waitpid did. */
static pid_t reap(pid_t p)
{
	int st;
	pid_t r = waitpid(p, &st, WNOHANG);
	if (r == p)
		reaped(p, st);
	return r;
}

/* Reaps every exited child and reports it, so the agent learns promptly that a workload ended. */
static void reap_shims(void)
{
	struct signalfd_siginfo ssi;
	while (read(launcher_sfd, &ssi, sizeof ssi) > 0)
		;
	for (;;) {
		siginfo_t si;
		memset(&si, 0, sizeof si);
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
			return;
		/* A workload whose shim died before it answered or recorded the start is our child only
		 * since that shim died (a zombie since then): the shim goes first, so that our answer
		 * for it reads the workload's /proc entry and precedes the workload's X line. */
		int i = slots_of_orphan(si.si_pid);
		if (i >= 0)
			reap(slots_owner(i));
		if (reap(si.si_pid) <= 0)
			return;
	}
}

/* The length of the whole frame at the start of inbuf, or -1 while it is not all there. */
static long frame_at_start(void)
{
	if (inbuf_have < 4)
		return -1;
	const unsigned char *h = (const unsigned char *)inbuf;
	uint32_t len = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
	return len <= FRAME_MAX && inbuf_have - 4 >= len ? (long)len : -1;
}

/* Handles the complete frames in inbuf while there are slots for their shims, and keeps the rest
 * at its start (a frame that waits for a slot stops the launcher reading more). */
static void handle_input(void)
{
	size_t off = 0;
	int i;
	while (inbuf_have - off >= 4) {
		const unsigned char *h = (const unsigned char *)inbuf + off;
		uint32_t len = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
		if (len > FRAME_MAX) {
			/* We cannot tell where the next frame starts: the stream is lost. */
			fprintf(stderr, "mo-shim --launcher: frame of %u bytes exceeds the %d byte limit\n", len,
				FRAME_MAX);
			_exit(2);
		}
		if (inbuf_have - off - 4 < len || (i = slots_free()) < 0)
			break;
		handle_frame(inbuf + off + 4, len, i);
		off += 4 + (size_t)len;
	}
	if (off > 0) {
		memmove(inbuf, inbuf + off, inbuf_have - off);
		inbuf_have -= off;
	}
}

static void __attribute__((noreturn)) launcher_main(void)
{
	ensure_std_fds();
	/* The agent ends us by closing stdin; its terminal's or group's signals must not (and a shim
	 * about to start would inherit the dispositions it wants anyway). No setsid: each shim
	 * makes its own session. */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	/* A workload that kills its shim is adopted by us rather than init, so its exit status still
	 * reaches the agent (an "X" line for a pid that is not a shim). */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	launcher_sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	devnull_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	int notify[2];
	if (pipe2(notify, O_CLOEXEC | O_NONBLOCK) == 0) {
		notify_r = notify[0];
		notify_w = notify[1];
	}
	/* Header + the largest frame: after handle_input a partial frame always fits (a whole one
	 * that waits for a slot stops the reading). */
	inbuf_cap = 4 + FRAME_MAX;
	inbuf = mmap(NULL, inbuf_cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (launcher_sfd < 0 || devnull_fd < 0 || notify_r < 0 || inbuf == MAP_FAILED || slots_map() < 0) {
		fprintf(stderr, "mo-shim --launcher: setup failed: %s\n", strerror(errno));
		_exit(1);
	}

	for (;;) {
		int slot = slots_free();
		if (slot >= 0 && frame_at_start() >= 0) {
			handle_input();
			continue;
		}
		if (!spare_pid && inbuf_have == 0 && slot >= 0 && mono_ms() >= next_spare_try_ms)
			fork_spare(slot);
		/* With a spare, the stream is its alone; without one, the launcher reads it (and retries
		 * the fork between frames) unless a whole frame waits for a slot. */
		int reading = spare_pid == 0 && frame_at_start() < 0;
		/* Without a spare the next start needs a slot, and shims free theirs without a word: while
		 * none is free, look again soon. */
		int timeout = spare_pid == 0 && slots_free() < 0 ? SLOT_WAIT_MS : reading && inbuf_have == 0 ? 100 : -1;
		struct pollfd pfd[3] = {
			{ .fd = launcher_sfd, .events = POLLIN },
			{ .fd = notify_r, .events = POLLIN },
			{ .fd = reading ? 0 : -1, .events = POLLIN },
		};
		if (poll(pfd, 3, timeout) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "mo-shim --launcher: poll: %s\n", strerror(errno));
			_exit(1);
		}
		if (pfd[1].revents & POLLIN)
			drain_notify();
		if (pfd[0].revents & POLLIN)
			reap_shims();
		if (reading && (pfd[2].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))) {
			ssize_t n = read(0, inbuf + inbuf_have, inbuf_cap - inbuf_have);
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n < 0) {
				fprintf(stderr, "mo-shim --launcher: read: %s\n", strerror(errno));
				_exit(1);
			}
			/* EOF: the agent is gone or done. Shims are in their own sessions and keep
			 * supervising; they get reparented. A partial frame is dropped with us. */
			if (n == 0)
				_exit(0);
			inbuf_have += (size_t)n;
			handle_input();
		}
	}
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "--launcher") == 0) {
		/* --cgroup FLAGS:DIR (repeated) and --cgroup-rel REL: see mo-cgroup.c. */
		int rel_given = 0;
		for (int i = 2; i < argc; i += 2) {
			if (i + 1 >= argc)
				usage("--launcher: an option without its value");
			if (strcmp(argv[i], "--cgroup") == 0) {
				if (cg_add_hierarchy(argv[i + 1]) < 0)
					usage("--cgroup: expected FLAGS:DIR (1|2 then roles from tmcpa, then an absolute dir)");
			} else if (strcmp(argv[i], "--cgroup-rel") == 0) {
				if (cg_set_rel(argv[i + 1]) < 0)
					usage("--cgroup-rel: expected an absolute path of at most 200 bytes");
				rel_given = 1;
			} else {
				usage("--launcher: unknown option");
			}
		}
		if (cg_enabled() != rel_given)
			usage("--cgroup and --cgroup-rel go together");
		launcher_main();
	}
	if (argc < 5 || strcmp(argv[3], "--") != 0)
		usage("bad arguments");
	if (strlen(argv[1]) == 0 || strlen(argv[1]) >= sizeof dir_path)
		usage("bad workload dir");
	if (parse_log_max(argv[2], &log_max) < 0)
		usage("log-max-bytes must be a positive integer");
	strcpy(dir_path, argv[1]);
	ensure_std_fds();
	shim_prepare();
	run_shim(&argv[4], NULL);
}
