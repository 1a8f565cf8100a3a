// Display helpers: state names as words with a tone (the tone is colour; the word is always shown,
// so nothing is told by colour alone), sizes and times.
import { ms, type Int64 } from './types.js';

export type Tone = 'ok' | 'run' | 'wait' | 'bad' | 'off';

const TONES: Record<string, Tone> = {
  RUNNING: 'run',
  STARTING: 'run',
  RETRYING: 'run',
  COMPENSATING: 'run',
  UP: 'ok',
  SUCCEEDED: 'ok',
  PENDING: 'wait',
  WAITING: 'wait',
  AWAITING_APPROVAL: 'wait',
  UNKNOWN: 'wait',
  FAILED: 'bad',
  LOST: 'bad',
  DOWN: 'bad',
  STOPPED: 'off',
  CANCELLED: 'off',
  SKIPPED: 'off',
  HEALTHY: 'ok',
  UNHEALTHY: 'bad',
};

/** "WORKLOAD_STATE_AWAITING_APPROVAL" -> "AWAITING_APPROVAL". */
function bare(state: string | undefined): string {
  return (state ?? '').toUpperCase().replace(/^(WORKLOAD_STATE|STEP_STATE|NODE_STATE|PIPELINE_STATE|HEALTH)_/, '');
}

/** "WORKLOAD_STATE_AWAITING_APPROVAL" -> "awaiting approval". */
export function stateLabel(state: string | undefined): string {
  return bare(state).toLowerCase().replace(/_/g, ' ') || 'unknown';
}

export function stateTone(state: string | undefined): Tone {
  return TONES[bare(state)] ?? 'off';
}

export function bytes(v: Int64 | undefined | null): string {
  let n = ms(v);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${n.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

export function cpu(millis: number | undefined): string {
  return `${((millis ?? 0) / 1000).toFixed(1)} CPU`;
}

export function time(v: Int64 | undefined | null): string {
  const t = ms(v);
  return t > 0 ? new Date(t).toLocaleString() : '—';
}

/** The exit of a workload or step, in words. */
export function exitText(e: { exited?: boolean; exitCode?: number; signal?: string } | null | undefined): string {
  if (!e) return '—';
  if (e.signal) return `killed by ${e.signal}`;
  return e.exited ? `exit code ${e.exitCode ?? 0}` : '—';
}

/** A 0..1 fraction, clamped, for bars. */
export function fraction(part: number, whole: number): number {
  return whole > 0 ? Math.min(1, Math.max(0, part / whole)) : 0;
}
