// How fast `mo` submits when scripts call it: many `mo start` processes from a few shells at once
// (what a shell loop or `xargs -P4` does), and one `mo start --count N` (an array in one call).
// Both as workloads acknowledged per second of wall time; the workloads then run on the cluster.
import { execFile } from 'node:child_process';
import { msSince } from './lib.js';

/**
 * Runs `[file, ...args]` to completion and returns its wall time in ms; rejects on a non-zero exit.
 * Node's execFile, not execa: the wall time measured is the CLI's, and the targets are ratios to
 * `node -e 0` timed the same way, so no wrapper's per-call work belongs in either.
 */
export function timed([file, ...args]: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    execFile(file!, args, { env, maxBuffer: 16 * 2 ** 20 }, (err, _stdout, stderr) => {
      const ms = msSince(t0);
      if (err) reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(ms);
    });
  });
}

/** `total` runs of `command`, from `shells` sequential loops at once: runs per second of wall time. */
export async function parallelRuns(
  command: string[],
  env: NodeJS.ProcessEnv,
  total: number,
  shells: number,
): Promise<number> {
  const t0 = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: shells }, async () => {
      while (next < total) {
        next++;
        await timed(command, env);
      }
    }),
  );
  return total / (msSince(t0) / 1000);
}

/** One run of `command` that submits `count` workloads: workloads per second of its wall time. */
export async function oneCallRate(command: string[], env: NodeJS.ProcessEnv, count: number): Promise<number> {
  return count / ((await timed(command, env)) / 1000);
}
