/*
 * The launcher (`mo-shim --launcher`): one small long-lived process per agent that forks the
 * agent's shims and tells it how each start went and when each shim exited.
 *
 * Launcher mode exists because spawning a shim from Node costs a fork() of the whole agent, whose
 * price grows with the agent's RSS. One small long-lived launcher per agent forks shims instead
 * (no exec). It keeps one *spare* shim forked ahead: the spare sets itself up (session, subreaper,
 * signalfd, output pipes) and then reads the next request from the stream itself, so a start
 * costs neither a fork nor that setup (spare.c). Exactly one process reads the stream at a time:
 * the spare while there is one (the launcher forks the next after the spare's handshake, or its
 * exit), else the launcher, which then forks a shim per request. Protocol (parsed in protocol.c):
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
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shim.h"

/* How often a launcher with no free slot (mo-slots.c) looks for one. */
#define SLOT_WAIT_MS 5

static int launcher_sfd = -1;
/* Spare shims tell the launcher on this pipe that they took a request. */
static int notify_r = -1, notify_w = -1;
/* The spare shim that owns the request stream now; 0 if none (then the launcher reads it). */
static pid_t spare_pid;
static long long next_spare_try_ms;
/* Frame buffer: mmap'd (not static) so a shim can drop it with munmap; only touched pages count. */
static char *inbuf;
static size_t inbuf_cap, inbuf_have;

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
		close(launcher_sfd);
		close(notify_r);
		munmap(inbuf, inbuf_cap); /* the launcher's; never used by the spare */
		spare_main(notify_w);
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

void launcher_main(void)
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
