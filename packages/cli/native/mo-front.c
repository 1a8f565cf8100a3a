/*
 * mo-front: the `mo` executable. Starting Node costs ~100 ms of CPU on a small machine, so a
 * script calling `mo start` in a loop is bound by Node's start, not by mo. Like Bazel's client
 * and Gradle's daemon, this small program hands the call to a long-lived helper of the same user
 * (the CLI's fast path in a Node process: src/helper/) over a Unix socket and relays its output
 * and exit code; anything else runs the Node CLI (bin/mo.cjs) as before, by exec.
 *
 * The helper is used only when stdout is not a terminal (scripts: no colour, no prompt, which
 * are per-terminal state), MO_CLI_HELPER is not "off", and the socket's directory is private
 * ($XDG_RUNTIME_DIR/mo, or /tmp/mo-UID: a directory of this user, mode 0700). The socket's name
 * carries the fast bundle's size, mtime and inode, so a rebuilt or upgraded mo never talks to an
 * old helper. When there is none, this call runs the Node CLI and starts one in the background
 * (at most every 10 s); it exits after a minute without calls.
 *
 * Wire (src/helper/protocol.ts): one request frame, u32 big-endian length then NUL-terminated
 * strings ("mo-cli/1", cwd, argc, args..., envc, env...); answer frames of a type byte and a u32
 * length: 'A' accepted (the command runs), 'O' stdout, 'E' stderr, 'X' exit code, 'F' not for
 * the helper (run the Node CLI). Closed before 'A': nothing ran, so the Node CLI runs it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* The largest request: argv and environment beyond this run the Node CLI instead. */
#define MAX_REQUEST (1 << 20)
#define SPAWN_EVERY_S 10

/* bin/: where this program, bin/mo.cjs and ../dist are (short enough for every path made of it). */
static char bindir[PATH_MAX - 64];

static void die(const char *what)
{
	fprintf(stderr, "mo: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Runs the Node CLI: `node [flags from bin/mo.cjs's #! line] bin/mo.cjs args...`. */
static void exec_node(int argc, char **argv, const char *serve)
{
	char script[PATH_MAX], node[PATH_MAX], line[256];
	char *args[16 + argc];
	int n = 0;

	snprintf(script, sizeof script, "%s/mo.cjs", bindir);
	/* The package ships its Node beside bin/ (/usr/lib/mo/node); a checkout uses PATH's. */
	snprintf(node, sizeof node, "%s/../node", bindir);
	args[n++] = access(node, X_OK) == 0 ? node : "node";
	/* The flags of the #! line (`#!/usr/bin/env -S node --flag ...`), so both ways agree. */
	FILE *f = fopen(script, "re");
	if (f && fgets(line, sizeof line, f)) {
		char *save = NULL, *tok = strtok_r(line, " \t\n", &save);
		int after_node = 0;
		for (; tok && n < 12; tok = strtok_r(NULL, " \t\n", &save)) {
			if (after_node)
				args[n++] = strdup(tok);
			else if (strcmp(tok, "node") == 0)
				after_node = 1;
		}
	}
	if (f)
		fclose(f);
	args[n++] = script;
	if (serve) {
		/* The helper's own environment: only what Node needs. Each call brings its own (a
		 * token in this one would otherwise live on in the helper). */
		char *keep[] = { "PATH", "HOME", "MO_CLI_HELPER_IDLE_MS", "MO_NO_COMPILE_CACHE", NULL };
		char *vals[sizeof keep / sizeof keep[0]];
		for (int i = 0; keep[i]; i++)
			vals[i] = getenv(keep[i]) ? strdup(getenv(keep[i])) : NULL;
		clearenv();
		for (int i = 0; keep[i]; i++)
			if (vals[i])
				setenv(keep[i], vals[i], 1);
		setenv("MO_CLI_HELPER_SERVE", serve, 1);
	} else {
		unsetenv("MO_CLI_HELPER_SERVE");
		for (int i = 1; i < argc; i++)
			args[n++] = argv[i];
	}
	args[n] = NULL;
	execvp(args[0], args);
	die(args[0]);
}

/* The private directory of this user's helper sockets, or -1 when there is none safe to use. */
static int socket_dir(char *out, size_t size)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (xdg && xdg[0] == '/')
		snprintf(out, size, "%s/mo", xdg);
	else
		snprintf(out, size, "/tmp/mo-%u", (unsigned)getuid());
	if (mkdir(out, 0700) < 0 && errno != EEXIST)
		return -1;
	/* Not a symlink, ours, and nobody else's to enter. */
	if (lstat(out, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077))
		return -1;
	return 0;
}

/* Starts a helper in the background (its own session, no terminal), at most every 10 s. */
static void spawn_helper(int argc, char **argv, const char *sock)
{
	char stamp[PATH_MAX + 8];
	struct stat st;

	snprintf(stamp, sizeof stamp, "%s.spawn", sock);
	if (stat(stamp, &st) == 0 && time(NULL) - st.st_mtime < SPAWN_EVERY_S)
		return;
	int fd = open(stamp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	close(fd);
	pid_t pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		setsid();
		if (fork() != 0)
			_exit(0);
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		exec_node(argc, argv, sock);
		_exit(127);
	}
	/* The intermediate child exits at once; the helper is reparented. */
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Reads exactly len bytes: 1, or 0 at end of stream, -1 on error. */
static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len > 0) {
		ssize_t r = read(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		p += r;
		len -= (size_t)r;
	}
	return 1;
}

/* Appends s and its NUL; 0 when the request would pass MAX_REQUEST. */
static int put(char *buf, size_t *len, const char *s)
{
	size_t n = strlen(s) + 1;
	if (*len + n > MAX_REQUEST)
		return 0;
	memcpy(buf + *len, s, n);
	*len += n;
	return 1;
}

static char *build_request(int argc, char **argv, size_t *out_len)
{
	static char buf[4 + MAX_REQUEST];
	char cwd[PATH_MAX], num[16];
	size_t len = 0;
	int envc = 0;
	char *body = buf + 4;

	if (!getcwd(cwd, sizeof cwd))
		return NULL;
	snprintf(num, sizeof num, "%d", argc - 1);
	if (!put(body, &len, "mo-cli/1") || !put(body, &len, cwd) || !put(body, &len, num))
		return NULL;
	for (int i = 1; i < argc; i++)
		if (!put(body, &len, argv[i]))
			return NULL;
	for (char **e = environ; *e; e++)
		envc++;
	snprintf(num, sizeof num, "%d", envc);
	if (!put(body, &len, num))
		return NULL;
	for (char **e = environ; *e; e++)
		if (!put(body, &len, *e))
			return NULL;
	buf[0] = (char)(len >> 24);
	buf[1] = (char)(len >> 16);
	buf[2] = (char)(len >> 8);
	buf[3] = (char)len;
	*out_len = len + 4;
	return buf;
}

/*
 * Runs the call through the helper at `sock`: its exit code, or -1 when the helper took nothing
 * (none listening, it declined, or it closed before accepting), so the Node CLI runs it.
 */
static int through_helper(int argc, char **argv, const char *sock)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	static char chunk[65536];
	size_t req_len;
	int accepted = 0;

	if (strlen(sock) >= sizeof addr.sun_path)
		return -1;
	strcpy(addr.sun_path, sock);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
		int err = errno;
		close(fd);
		if (err == ENOENT || err == ECONNREFUSED)
			spawn_helper(argc, argv, sock);
		return -1;
	}
	char *req = build_request(argc, argv, &req_len);
	if (!req || write_all(fd, req, req_len) < 0) {
		close(fd);
		return -1;
	}
	for (;;) {
		unsigned char head[5];
		int r = read_all(fd, head, sizeof head);
		if (r <= 0)
			break;
		uint32_t len = (uint32_t)head[1] << 24 | (uint32_t)head[2] << 16 | (uint32_t)head[3] << 8 | head[4];
		char type = (char)head[0];
		if (type == 'A' && len == 0) {
			accepted = 1;
			continue;
		}
		if (type == 'F' && !accepted) {
			close(fd);
			return -1;
		}
		if (!accepted || (type != 'O' && type != 'E' && type != 'X'))
			break;
		if (type == 'X') {
			unsigned char code = 1;
			if (len != 1 || read_all(fd, &code, 1) <= 0)
				break;
			close(fd);
			return code;
		}
		int out = type == 'O' ? 1 : 2;
		while (len > 0) {
			size_t n = len < sizeof chunk ? len : sizeof chunk;
			if (read_all(fd, chunk, n) <= 0)
				goto lost;
			/* A closed stdout (`mo ps | head -1`) ends the call as it would end Node's. */
			if (write_all(out, chunk, n) < 0)
				return out == 1 ? 141 : 1;
			len -= (uint32_t)n;
		}
	}
lost:
	close(fd);
	if (!accepted)
		return -1;
	fprintf(stderr, "mo: the CLI helper (%s) went away before the command finished; "
			"it may have been done or not: check with mo ps\n",
		sock);
	return 1;
}

int main(int argc, char **argv)
{
	char self[PATH_MAX], dir[PATH_MAX - 128], sock[PATH_MAX];
	struct stat st;

	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n < 0)
		die("/proc/self/exe");
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	*slash = '\0';
	if (strlen(self) >= sizeof bindir) {
		fprintf(stderr, "mo: %s: path too long\n", self);
		return 1;
	}
	memcpy(bindir, self, strlen(self) + 1);

	const char *mode = getenv("MO_CLI_HELPER");
	int wanted = !(mode && strcmp(mode, "off") == 0) && !isatty(1) && argc > 1;
	if (wanted && socket_dir(dir, sizeof dir) == 0) {
		char bundle[PATH_MAX];
		snprintf(bundle, sizeof bundle, "%s/../dist/bundle/fast.cjs", bindir);
		if (stat(bundle, &st) == 0) {
			snprintf(sock, sizeof sock, "%s/cli-%lld-%lld-%llu.sock", dir, (long long)st.st_size,
				 (long long)st.st_mtime, (unsigned long long)st.st_ino);
			int code = through_helper(argc, argv, sock);
			if (code >= 0)
				return code;
		}
	}
	exec_node(argc, argv, NULL);
	return 127;
}
