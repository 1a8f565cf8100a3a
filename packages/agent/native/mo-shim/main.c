/*
 * mo-shim: the tiny parent process of one workload, and the launcher that forks such parents.
 *
 *   mo-shim <workload-dir> <log-max-bytes> -- <argv0> [args...]     (standalone: one workload)
 *   mo-shim --launcher [--cgroup FLAGS:DIR]... [--cgroup-rel REL]    (launcher: see launcher.c)
 *
 * One static binary, two roles, because the launcher forks its shims without an exec:
 *  - the shim (shim.h): the workload's parent from its start to its exit record. shim.c, with
 *    exec.c (the workload child up to its exec: group, user, dir, fds), logs.c, records.c and
 *    finish.c;
 *  - the launcher (launcher.h): one per agent, forking shims for the agent's requests. launcher.c,
 *    with spare.c (a shim forked ahead that reads the next request) and protocol.c (requests in,
 *    lines out);
 * and what both use: common.c, ../mo-cgroup.c (a workload's cgroup) and ../mo-slots.c (how far
 * each of a launcher's shims got, for the launcher to answer for one that died).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../mo-cgroup.h"
#include "launcher.h"
#include "shim.h"

static void usage(const char *msg)
{
	fprintf(stderr,
		"mo-shim: %s\nusage: mo-shim <workload-dir> <log-max-bytes> -- <argv0> [args...]\n"
		"       mo-shim --launcher [--cgroup FLAGS:DIR]... [--cgroup-rel REL]\n",
		msg);
	exit(2);
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
