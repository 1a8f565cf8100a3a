// Shared helpers for `pnpm bench`: the suite/row contract, statistics, /proc readers, a bounded
// worker pool, table printing and JSON output under <repo>/bench-results/.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repo root (scripts/bench/ is two levels below it). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RESULTS_DIR = join(REPO_ROOT, 'bench-results');

/** A target: the measured value must be ≤ or ≥ the limit. */
export interface Target {
  op: '<=' | '>=';
  limit: number;
}

/** One line of a suite's table. `target`/`pass` are null for informational figures. */
export interface Row {
  metric: string;
  value: number;
  unit: string;
  target: string | null;
  pass: boolean | null;
}

export interface SuiteContext {
  /** Extra env for the daemons a suite starts (e.g. NODE_OPTIONS for --cpu-prof). */
  daemonEnv: Record<string, string>;
  log: (msg: string) => void;
}

export interface SuiteResult {
  rows: Row[];
  /** Anything else worth keeping (percentile summaries, sample counts, notes). */
  raw: Record<string, unknown>;
}

export interface Suite {
  name: string;
  description: string;
  run(ctx: SuiteContext): Promise<SuiteResult>;
}

export function row(metric: string, value: number, unit: string, target?: Target): Row {
  if (!target) return { metric, value, unit, target: null, pass: null };
  const pass = target.op === '<=' ? value <= target.limit : value >= target.limit;
  const sym = target.op === '<=' ? '≤' : '≥';
  return { metric, value, unit, target: `${sym} ${target.limit}${unit ? ` ${unit}` : ''}`, pass };
}

// ---- statistics ---------------------------------------------------------------------------------

/** Percentile (0..100) of an ascending-sorted array, linear interpolation between closest ranks. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(idx);
  const hi = Math.ceil(idx);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (idx - lo);
}

export interface Summary {
  n: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function summarize(samples: readonly number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.reduce((acc, v) => acc + v, 0) / (s.length || 1);
  return {
    n: s.length,
    min: s[0] ?? NaN,
    mean,
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    max: s[s.length - 1] ?? NaN,
  };
}

export function round(v: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Milliseconds elapsed since a process.hrtime.bigint() reading. */
export function msSince(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

// ---- /proc --------------------------------------------------------------------------------------

/** The `Key:` line of /proc/<pid>/status, or undefined if the process is gone. */
function statusField(pid: number, key: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const line = text.split('\n').find((l) => l.startsWith(`${key}:`));
  return line?.slice(key.length + 1).trim();
}

/** Resident set size in bytes (VmRSS), or undefined if the process is gone (or a zombie). */
export function readRssBytes(pid: number): number | undefined {
  const v = statusField(pid, 'VmRSS'); // "12345 kB"
  if (v === undefined) return undefined;
  return Number(v.split(/\s+/)[0]) * 1024;
}

export function readPpid(pid: number): number | undefined {
  const v = statusField(pid, 'PPid');
  return v === undefined ? undefined : Number(v);
}

/** Process state letter (R, S, Z, ...) or undefined if gone. */
export function readState(pid: number): string | undefined {
  return statusField(pid, 'State')?.[0];
}

export function readComm(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** argv of a process (NUL-separated cmdline), or undefined if gone. */
export function readCmdline(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((s, i, a) => i < a.length - 1 || s !== '');
  } catch {
    return undefined;
  }
}

/** Memory figures are in MiB (VmRSS is reported in KiB). */
export const MiB = 1024 * 1024;

// ---- concurrency --------------------------------------------------------------------------------

/**
 * Runs `task(i)` for i = 0.. with at most `concurrency` in flight, until `count` tasks were started
 * or `shouldContinue()` returns false. Task errors are collected, never thrown.
 */
export async function pool(
  concurrency: number,
  count: number,
  task: (i: number) => Promise<void>,
  shouldContinue: () => boolean = () => true,
): Promise<{ started: number; errors: unknown[] }> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < count && shouldContinue()) {
      const i = next++;
      try {
        await task(i);
      } catch (err) {
        errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { started: next, errors };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Rejects with a clear message if `p` does not settle within `ms`. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

// ---- output -------------------------------------------------------------------------------------

export function machineInfo(): { cpus: number; cpuModel: string; node: string; kernel: string } {
  const list = cpus();
  return { cpus: list.length, cpuModel: list[0]?.model ?? 'unknown', node: process.version, kernel: release() };
}

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  return v.toFixed(abs >= 100 ? 1 : abs >= 1 ? 2 : 3);
}

/** Prints `metric | value | target | ok` as an aligned table. */
export function printTable(title: string, rows: readonly Row[]): void {
  const cells = rows.map((r) => [
    r.metric,
    `${formatValue(r.value)}${r.unit ? ` ${r.unit}` : ''}`,
    r.target ?? '',
    r.pass === null ? '' : r.pass ? 'ok' : 'FAIL',
  ]);
  const header = ['metric', 'value', 'target', 'ok'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((s, i) => (i === 1 ? s.padStart(widths[i]!) : s.padEnd(widths[i]!)))
      .join(' | ')
      .trimEnd();
  console.log(`\n== ${title} ==`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const c of cells) console.log(line(c));
}

/** Writes bench-results/<name>.json (pretty-printed) and returns its path. */
export function writeJson(name: string, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(path, JSON.stringify(data, null, 2) + '\n');
  return path;
}

// ---- emergency cleanup --------------------------------------------------------------------------

const cleanups = new Set<() => void>();

/**
 * Registers a synchronous last-resort cleanup (kill what a suite started, remove its temp dirs),
 * run by `runCleanups()` when the bench is interrupted. Suites still clean up in their own
 * `finally`; call the returned function there to unregister.
 */
export function registerCleanup(fn: () => void): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

const deferredDirs = new Set<string>();

/**
 * Removes `dir` when the whole run ends (runDeferredRemovals), not now: on this VM a burst of
 * deletions stalls file creation for minutes, and the next suite would measure that instead of mo.
 */
export function removeLater(dir: string): void {
  deferredDirs.add(dir);
}

/** Removes every directory given to removeLater (run.ts calls it after the last suite). */
export function runDeferredRemovals(): void {
  for (const dir of deferredDirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    } catch (err) {
      console.error(`could not remove ${dir}: ${String(err)}`);
    }
  }
  deferredDirs.clear();
}

export function runCleanups(): void {
  for (const fn of cleanups) {
    try {
      fn();
    } catch (err) {
      console.error(`cleanup failed: ${String(err)}`);
    }
  }
  cleanups.clear();
  runDeferredRemovals(); // after the cleanups: they stop the processes using those directories
}
