/*
 * The launcher's protocol with the agent, as launcher.c describes it: the payload of a request
 * frame parsed and checked whole (a spare shim and the launcher both read frames), and the lines
 * written back.
 */
#define _GNU_SOURCE
#include "launcher.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../mo-cgroup.h"
#include "shim.h"

void respond(const char *line)
{
	if (write_all(1, line, strlen(line)) < 0) {
		cg_release(); /* a spare's: it would stay behind, empty */
		_exit(0);
	}
}

void started_line(char *line, size_t cap, const char *id, pid_t pid, unsigned long long start_time, pid_t shim,
		  unsigned long long shim_start_time, const char *cgroup)
{
	snprintf(line, cap, "%s S %d %llu %d %llu%s%s\n", id, (int)pid, start_time, (int)shim, shim_start_time,
		 *cgroup ? " " : "", cgroup);
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

int parse_request(const char *buf, size_t len, struct request *r)
{
	const char *p = buf, *end = buf + len, *s;
	size_t count;
	memset(r, 0, sizeof *r);
	if (!(s = next_str(&p, end)) || !valid_id(s))
		return -1;
	r->id = s;
	if (!(s = next_str(&p, end)) || !*s || strlen(s) >= DIR_PATH_MAX)
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
