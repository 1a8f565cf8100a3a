// Runs the built `mo` executable as a user or script would, with a minimal environment.
import { execFile } from 'node:child_process';
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
export function runMo(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<MoResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [...CLI_NODE_FLAGS, CLI_BIN, ...args],
      {
        env: { PATH: process.env.PATH, ...testCliEnv(args.includes('--agent')), ...options.env },
        timeout: options.timeoutMs ?? 30_000,
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(err); // not run, or killed
        resolve({ code: child.exitCode, stdout, stderr });
      },
    );
  });
}
