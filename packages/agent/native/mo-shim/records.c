/*
 * The shim's records in the workload dir, `started` and `exit` (one-line JSON each), from which a
 * restarted agent learns what happened while it was away. Written so that a reader never sees a
 * partial record and a full disk cannot lose one.
 *
 * Records are written to <dir>/<name>.tmp and renamed to <dir>/<name>, so readers never see a
 * partial file. A full disk must not lose them, so writing one never needs a new block once its
 * temp file holds RECORD_SLOT bytes: it is overwritten in place and cut to its length (shrinking
 * frees blocks, it never takes one). The agent's spare workload dirs come with both temp files of
 * that size (see workload-store.ts); without them the shim reserves exit.tmp itself right after
 * the handshake (reserve_exit_record). Every record fits: the exec error record, the largest, is
 * under 3 * LINE_MAX_BYTES.
 */
#define _GNU_SOURCE
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* Off the start path: called after the handshake. Keeps exit.tmp open for the exit record. */
void reserve_exit_record(void)
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

/* Not fsynced: it only covers an agent crash between spawn and the agent's own record; after a
 * host crash the boot id tells the agent the workload is gone anyway. */
void write_started_record(const char *dir, pid_t pid, unsigned long long start_time, pid_t shim,
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

/* msg is at most LINE_MAX_BYTES (the handshake's E line carries it too). */
void write_exec_error_record(int err, const char *msg)
{
	char esc[2 * LINE_MAX_BYTES], line[3 * LINE_MAX_BYTES];
	json_escape(esc, sizeof esc, msg);
	snprintf(line, sizeof line, "{\"execError\":\"%s\",\"errno\":%d,\"finishedAtMs\":%lld,\"logBytes\":0}\n",
		 esc, err, now_ms());
	write_exit_record(line);
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

/* Fsynced, unlike `started`. oom_killed: as docker's OOMKilled, the kernel killed a process of the
 * workload for its memory limit. */
void write_exit_status_record(int status, unsigned long long log_bytes, int log_err, int oom_killed)
{
	char line[512], sigbuf[16], extra[256];
	int n = snprintf(extra, sizeof extra, ",\"logBytes\":%llu", log_bytes);
	if (log_err) {
		char esc[128];
		json_escape(esc, sizeof esc, strerror(log_err));
		snprintf(extra + n, sizeof extra - (size_t)n, ",\"logError\":\"%s\"", esc);
	}
	if (oom_killed)
		strncat(extra, ",\"oomKilled\":true", sizeof extra - strlen(extra) - 1);
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		snprintf(line, sizeof line, "{\"signal\":\"%s\",\"signo\":%d,\"finishedAtMs\":%lld%s}\n",
			 signal_name(sig, sigbuf, sizeof sigbuf), sig, now_ms(), extra);
	} else {
		snprintf(line, sizeof line, "{\"exitCode\":%d,\"finishedAtMs\":%lld%s}\n", WEXITSTATUS(status),
			 now_ms(), extra);
	}
	write_exit_record(line);
}
