// A full garbage collection in a daemon, on a test's request: what a test needs to tell memory a
// daemon holds from garbage V8 has not collected yet (an idle process may not collect for minutes).
// Only daemons started with debugGcEnv() can do it; the hook (debug-gc-hook.ts) is never part of
// a daemon's own code.
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

const HOOK = fileURLToPath(new URL('./debug-gc-hook.js', import.meta.url));
const MARK = '"msg":"debug gc"';

/** Environment for startSchedulerProcess/startAgentProcess: preloads the hook (keeps NODE_OPTIONS). */
export function debugGcEnv(): Record<string, string> {
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${HOOK}`.trim() };
}

export interface DebugGcResult {
  /** JS heap used before and after the collection, and ArrayBuffer memory before and after. */
  heapUsedBefore: number;
  heapUsed: number;
  /** What V8 holds for its heap after the collection (used or not). */
  heapTotal: number;
  arrayBuffersBefore: number;
  arrayBuffers: number;
  external: number;
  /** Bytes resident in the young generation (V8's new space) after the collection. */
  youngGeneration: number;
}

/** Runs a full GC in a daemon started with debugGcEnv() and returns its figures. */
export async function collectGarbage(daemon: { pid: number; logs(): string }): Promise<DebugGcResult> {
  // Whole lines only: the last one may still be arriving.
  const lines = () =>
    daemon
      .logs()
      .split('\n')
      .slice(0, -1)
      .filter((l) => l.includes(MARK));
  const seen = lines().length;
  process.kill(daemon.pid, 'SIGUSR2');
  await waitFor('the daemon to collect garbage', () => lines().length > seen, { timeoutMs: 10_000, intervalMs: 20 });
  return JSON.parse(lines().at(-1)!) as DebugGcResult;
}
