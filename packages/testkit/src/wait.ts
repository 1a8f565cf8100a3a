// Polling helpers for tests: wait for a condition with a deadline and a clear failure message.
import { sleep as timerSleep } from '@mo/api/timers';

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 10_000, intervalMs = 25 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`,
      );
    }
    await sleep(intervalMs);
  }
}

/** A held (ref'd) sleep: a test waiting on it keeps running. */
export function sleep(ms: number): Promise<void> {
  return timerSleep(ms, undefined, { ref: true });
}

/** True if a process with this pid exists and is not a zombie. */
export async function isAlive(pid: number): Promise<boolean> {
  const { readFile } = await import('node:fs/promises');
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/**
 * Real components (promtool, systemd-analyze, docker, ...): under CI=true a missing one fails the
 * test; elsewhere the test is skipped with a printed reason.
 */
export function requireTool(available: boolean, what: string): boolean {
  if (available) return true;
  if (process.env.CI === 'true') throw new Error(`${what} is required in CI but was not found`);
  console.warn(`SKIPPED: ${what} not found (set CI=true to make this a failure)`);
  return false;
}
