/*
 * What the shim and the launcher both use: clocks, whole writes, a process's start time, the
 * bounds of what the agent may send, and /dev/null. See common.c.
 */
#ifndef MO_SHIM_COMMON_H
#define MO_SHIM_COMMON_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

/* Launcher response lines (and a standalone shim's handshake) must stay <= PIPE_BUF (4096) to be
 * written atomically; 512 leaves room and bounds what a line can cost the agent to parse. */
#define LINE_MAX_BYTES 512
#define REQ_ID_MAX 64
/* A workload dir: shorter than PATH_MAX so "<dir>/<name>.tmp" always fits in a PATH_MAX buffer. */
#define DIR_PATH_MAX (PATH_MAX - 64)

/* Opened once by the launcher and inherited by its shims, saving an open() per start. */
extern int devnull_fd;

long long now_ms(void);
long long mono_ms(void);
void sleep_ms(long ms);
/* Writes all of buf, retrying on EINTR, EAGAIN and short writes; returns -1 on error. */
int write_all(int fd, const char *buf, size_t len);
/* A process's start time (field 22 of /proc/<pid>/stat); 0 if it cannot be read. */
unsigned long long read_start_time(pid_t pid);
/* fds 0-2 must be valid, else our own opens could land on them and be clobbered by dup2. */
void ensure_std_fds(void);
/* Parses a positive decimal byte count; returns -1 if s is anything else. */
int parse_log_max(const char *s, unsigned long long *out);

#endif
