// Runs the built `mo` executable as a user or script would, with a minimal environment.
import { execFile } from 'node:child_process';
import { CLI_BIN } from './agent-process.js';

export interface MoResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `mo <args>` with only PATH plus `env` in its environment (no MO_* leaks in from the test run).
 * Resolves with the exit code whatever it is; rejects if it could not be run or was killed (timeout).
 */
export function runMo(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<MoResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [CLI_BIN, ...args],
      { env: { PATH: process.env.PATH, ...options.env }, timeout: options.timeoutMs ?? 30_000 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(err); // not run, or killed
        resolve({ code: child.exitCode, stdout, stderr });
      },
    );
  });
}
