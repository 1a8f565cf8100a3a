/**
 * @mo/cli — the `mo` command line.
 *
 * ```sh
 * mo agent --data-dir /var/lib/mo          # run the node agent (its own flags)
 * mo start --name web --env PORT=8080 --memory 512Mi -- python3 -m http.server 8080
 * mo status                                # node facts, metrics and workloads
 * mo status 01J…   |   mo logs -f 01J…   |   mo stop --grace 5s 01J…
 * mo --json status                         # any command: one JSON document on stdout
 * ```
 *
 * Global flags: `--agent <addr>` (env MO_AGENT_ADDR, default 127.0.0.1:7610), `--json`,
 * `--timeout <ms>`. Exit codes: 0 ok, 1 failed, 2 usage, 3 agent unreachable (`ExitCode`).
 *
 * Exports: `run` (the executable's entry point), `execute` (one command line to an exit code, for
 * embedding and tests), `buildProgram` (the commander tree), `CliContext`, `ExitCode`, `UsageError`.
 */
export { buildProgram, execute, run } from './main.js';
export { CliContext, DEFAULT_AGENT_ADDR, DEFAULT_TIMEOUT_MS, type GlobalOptions } from './context.js';
export { ExitCode, UsageError } from './errors.js';
export type { CliIo } from './io.js';
