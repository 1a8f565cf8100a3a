/*
 * A spare shim: forked by the launcher ahead of any request, it makes everything a shim needs that
 * does not depend on the workload (shim_prepare), then reads the next frame from the request
 * stream itself, so a start costs neither the launcher's fork nor that setup. Only one spare exists
 * at a time and the launcher does not read meanwhile, so exactly one process reads the stream.
 * Once it has a request it is a shim like any other (take_request).
 */
#define _GNU_SOURCE
#include "launcher.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../mo-cgroup.h"
#include "shim.h"

/* Where this spare tells the launcher that it took a request (-1 otherwise). */
static int notify_fd = -1;

/* So the launcher forks the next spare. */
void hand_back_stream(void)
{
	if (notify_fd < 0)
		return;
	if (write(notify_fd, "t", 1) < 0) {
		/* the launcher is gone: nothing to hand back */
	}
	close(notify_fd);
	notify_fd = -1;
}

/* A spare shim ends without a request: its workload cgroup goes with it. */
static void __attribute__((noreturn)) spare_exit(int code)
{
	cg_release();
	_exit(code);
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

/* Exit codes the launcher interprets: 0 = EOF, 2 = oversized frame (the stream is lost). */
void spare_main(int notify)
{
	notify_fd = notify;
	shim_prepare();
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
