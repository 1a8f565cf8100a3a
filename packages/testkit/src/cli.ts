// Runs the built `mo` executable (through execa) as a user or script would, with a minimal environment.
import { execa } from 'execa';
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
