// Runs the built `mo` executable (through execa) as a user or script would, with a minimal environment.
import { execa } from 'execa';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BIN, CLI_NODE_FLAGS } from './agent-process.js';
import { testPki } from './pki.js';

export interface MoResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * MO_CA_CERT, MO_CLIENT_CERT and MO_CLIENT_KEY for the run's admin client certificate, or with
 * `asScheduler` the scheduler's (what `mo --agent` needs: an agent serves NodeAgent to it alone).
 */
export function testCliEnv(asScheduler = false): Record<string, string> {
  const pki = testPki();
  const pair = asScheduler ? pki.scheduler : pki.client;
  return { MO_CA_CERT: pki.ca, MO_CLIENT_CERT: pair.cert, MO_CLIENT_KEY: pair.key };
}

/**
 * `mo <args>` with only PATH, the run's credentials (testCliEnv: the admin client's, the
 * scheduler's for `--agent`) and `env` in its environment (no other MO_* leaks in from the test
 * run; `env` may override or blank them).
 * Resolves with the exit code whatever it is; rejects if it could not be run or was killed (timeout).
 */
export async function runMo(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<MoResult> {
  const r = await execa(process.execPath, [...CLI_NODE_FLAGS, CLI_BIN, ...args], {
    env: { PATH: process.env.PATH, ...testCliEnv(args.includes('--agent')), ...options.env },
    extendEnv: false,
    timeout: options.timeoutMs ?? 30_000,
    reject: false,
    stripFinalNewline: false,
  });
  if (r.exitCode === undefined) throw r; // not run, or killed (timeout): execa's error says which
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A private runtime directory for the `mo` front (CLI_FRONT): pass `env` to its calls; `stop()`
 * kills the CLI helpers started there and removes it.
 */
export function cliHelperRuntime(): { env: { XDG_RUNTIME_DIR: string }; helpers(): number[]; stop(): void } {
  const root = mkdtempSync(join(tmpdir(), 'mo-front-'));
  const helpers = () => cliHelpersUnder(root);
  return {
    env: { XDG_RUNTIME_DIR: root },
    helpers,
    stop() {
      for (const pid of helpers()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The pids of CLI helpers serving a socket under `root` (their MO_CLI_HELPER_SERVE says where). */
export function cliHelpersUnder(root: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const env = readFileSync(`/proc/${p}/environ`, 'utf8').split('\0');
      if (env.some((e) => e.startsWith(`MO_CLI_HELPER_SERVE=${root}/`))) pids.push(Number(p));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}
