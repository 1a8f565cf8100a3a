// Humanised values for terminal output: sizes, durations, states, exits and command lines.
import type { ExitStatus__Output, WorkloadState__Output, WorkloadStatus__Output } from '@mo/api';

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** `1536` → `1.5 KiB`; one decimal below 10 of a unit, whole numbers above (a column stays narrow). */
export function humanBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '-';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${trimNumber(value)} ${BYTE_UNITS[unit]}`;
}

/** `500` → `500ms`, `1500` → `1.5s`, `192000` → `3m12s`, `7500000` → `2h5m`, `2 days` → `2d0h`. */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${trimNumber(seconds)}s`;
  const s = Math.floor(seconds);
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3600), Math.floor((s % 3600) / 60)];
  if (d > 0) return `${d}d${h}h`;
  if (h > 0) return `${h}h${m}m`;
  return `${m}m${s % 60}s`;
}

/** One decimal below 10 (`1.5`), none above (`42`); never `1.0`. */
function trimNumber(value: number): string {
  return value < 10 ? String(Math.round(value * 10) / 10) : String(Math.round(value));
}

/** `0.123` → `12.3%`. */
export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** `WORKLOAD_STATE_RUNNING` → `running`. */
export function stateName(state: WorkloadState__Output | string): string {
  return state.replace(/^WORKLOAD_STATE_/, '').toLowerCase();
}

const ENDED_STATES: ReadonlySet<string> = new Set([
  'WORKLOAD_STATE_SUCCEEDED',
  'WORKLOAD_STATE_FAILED',
  'WORKLOAD_STATE_STOPPED',
  'WORKLOAD_STATE_LOST',
]);

export function hasEnded(w: WorkloadStatus__Output): boolean {
  return ENDED_STATES.has(w.state);
}

/** `exit 0`, `SIGKILL`, or '' when the process has not ended (or ended unobserved, as when lost). */
export function exitText(exit: ExitStatus__Output | null | undefined): string {
  if (!exit) return '';
  if (exit.signal) return exit.signal;
  if (exit.exited) return `exit ${exit.exitCode}`;
  return '';
}

// Arguments made only of these characters read the same with or without quotes.
const SHELL_SAFE = /^[A-Za-z0-9_\-+=.,/:@%^]+$/;

/**
 * argv for display, quoted the way a POSIX shell would need it, so `sh -c 'echo hi'` does not read
 * as four words. Display only: the agent always receives argv as a list.
 */
export function commandLine(argv: readonly string[]): string {
  return argv.map((arg) => (SHELL_SAFE.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`)).join(' ');
}

/** Cuts `text` to at most `max` characters, marking the cut with `…`. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** `2024-05-01T10:00:00.000Z (3m12s ago)`, or `-` for an unset (0) timestamp. */
export function timestamp(ms: number, now: number): string {
  if (!ms) return '-';
  const iso = new Date(ms).toISOString();
  return ms <= now ? `${iso} (${humanDuration(now - ms)} ago)` : iso;
}
