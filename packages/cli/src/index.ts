/**
 * @mo/cli — the `mo` command line.
 *
 * ```sh
 * mo dev --agents 2                        # a scheduler + 2 agents on this machine (foreground)
 * mo start --name web --cpu 500m --memory 512Mi --wait -- python3 -m http.server 8080
 * mo status                                # nodes, counts, queue, recent workloads
 * mo status 01J…   |   mo nodes   |   mo logs -f 01J…   |   mo stop --grace 5s 01J…
 * mo --json status                         # any command: one JSON document on stdout
 * mo scheduler …   |   mo agent …          # run a daemon (its own flags)
 * ```
 *
 * Global flags: `--scheduler <addr>` (or several, `a,b,c`: the leader is found; env MO_SCHEDULER_ADDR,
 * default 127.0.0.1:7600), `--agent
 * <addr>` (one agent directly, env MO_AGENT_ADDR), `--json`, `--timeout <duration>`. Exit codes: 0 ok,
 * 1 failed, 2 usage, 3 unreachable, 4 a --wait-ed workload failed, 5 --wait-timeout, 6 a node the
 * request needs is unreachable (`ExitCode`).
 *
 * The `mo` executable is bin/mo (native/mo-front.c): a script's call (stdout not a terminal) goes
 * to the user's CLI helper (src/helper/: the fast path in a long-lived Node process, over a Unix
 * socket in a private directory), anything else to bin/mo.cjs. MO_CLI_HELPER=off turns it off.
 *
 * Exports: `run` (the executable's entry point), `execute` (one command line to an exit code, for
 * embedding and tests), `buildProgram` (the commander tree), `CliContext`, `ExitCode`, `UsageError`.
 */
export { buildProgram, execute, run } from './main.js';
export {
  CliContext,
  DEFAULT_AGENT_ADDR,
  DEFAULT_SCHEDULER_ADDR,
  DEFAULT_TIMEOUT_MS,
  type GlobalOptions,
  type Target,
} from './context.js';
export { ExitCode, UsageError } from './errors.js';
export type { CliIo } from './io.js';
