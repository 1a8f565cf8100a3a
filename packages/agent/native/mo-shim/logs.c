/*
 * The workload's output: the shim copies its stdout and stderr pipes into stdout.log and
 * stderr.log in the workload dir, each capped at log_max bytes with one rotated copy (.1), so a
 * chatty workload costs bounded disk and a restarted agent still finds its recent output.
 */
#define _GNU_SOURCE
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define COPY_BUF_SIZE (64 * 1024)

static char copy_buf[COPY_BUF_SIZE];
unsigned long long log_max;
struct logstream streams[2];
int log_errno;
/* The workload dir (the shim's dir_path, which outlives the shim's use of it). The log paths are
 * made from it on the stack when a file is opened or rotated (rare): kept in `streams` they were
 * four PATH_MAX buffers, four pages written in every shim (16 KiB of its ~80 KiB private). */
static const char *logs_dir;

static void log_path(char *out, size_t size, const struct logstream *s, const char *suffix)
{
	snprintf(out, size, "%s/%.8s.log%s", logs_dir, s->name, suffix);
}

void logs_init(const char *dir)
{
	logs_dir = dir;
	for (int i = 0; i < 2; i++) {
		struct logstream *s = &streams[i];
		s->name = i == 0 ? "stdout" : "stderr";
		/* Opened by log_write on the first output: a workload that prints nothing costs no log
		 * files (two inodes fewer per start). If it cannot be opened then, the output is dropped
		 * and the next write tries again: we supervise the workload and record its exit anyway. */
		s->log_fd = -1;
	}
}

static int open_log(struct logstream *s, int trunc)
{
	char path[PATH_MAX];
	log_path(path, sizeof path, s, "");
	/* 0600: the agent's, like its records (the workload's user, or any other, need not read them). */
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | (trunc ? O_TRUNC : 0), 0600);
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
	char path[PATH_MAX], rotated[PATH_MAX];
	log_path(path, sizeof path, s, "");
	log_path(rotated, sizeof rotated, s, ".1");
	if (rename(path, rotated) == 0) {
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

ssize_t pump(struct logstream *s)
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

/* logBytes in the exit record, so the agent's log retention need not stat the files. */
unsigned long long logs_bytes(void)
{
	unsigned long long bytes = 0;
	for (int i = 0; i < 2; i++)
		bytes += streams[i].size + streams[i].rotated_size;
	return bytes;
}
