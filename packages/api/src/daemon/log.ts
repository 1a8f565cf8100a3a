// Structured logs: one JSON object per line on stderr, filtered by level. An Error in a field is
// logged as its message (the field's value, as before), its code, the messages of its causes and,
// at warn and error, its stack: `err`, `errCode`, `errCause`, `errStack`.
import { writeSync } from 'node:fs';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function isLogLevel(value: string): value is LogLevel {
  return value in ORDER;
}

export function createLogger(
  level: LogLevel,
  base: Record<string, unknown> = {},
  write: (line: string) => void = toStderr,
): Logger {
  const min = ORDER[level];
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < min) return;
    const entry: Record<string, unknown> = { ts: new Date().toISOString(), level: lvl, msg, ...base, ...fields };
    for (const [k, v] of Object.entries(entry)) if (v instanceof Error) Object.assign(entry, errorFields(k, v, lvl));
    write(JSON.stringify(entry) + '\n');
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/**
 * The lines of one turn of the event loop, written to stderr together at its end: a burst of
 * workload ends is one write, not one per line (stderr on a pipe or the journal's socket is a
 * synchronous write, and each wakes the reader). On exit whatever is queued is written at once.
 */
let queued: string[] = [];
let flushing = false;
let exitHooked = false;

/** Writes the queued log lines now (also before a direct write to stderr, so the order holds). */
export function flushLogs(): void {
  flushing = false;
  if (queued.length === 0) return;
  const text = queued.join('');
  queued = [];
  process.stderr.write(text);
}

function toStderr(line: string): void {
  queued.push(line);
  if (flushing) return;
  flushing = true;
  setImmediate(flushLogs);
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    if (queued.length === 0) return;
    try {
      writeSync(2, queued.join(''));
    } catch {
      // stderr is gone: nothing to tell
    }
    queued = [];
  });
}

/** Causes followed at most this deep (a cycle, or a very long chain, stops there). */
const MAX_CAUSES = 5;

/** The fields an Error at `key` becomes (see the top of this file). */
export function errorFields(key: string, err: Error, level: LogLevel): Record<string, unknown> {
  const out: Record<string, unknown> = { [key]: err.message };
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out[`${key}Code`] = code;
  const causes: string[] = [];
  for (let c: unknown = err.cause; c !== undefined && c !== null && causes.length < MAX_CAUSES;) {
    causes.push(c instanceof Error ? c.message : String(c));
    c = c instanceof Error ? c.cause : undefined;
  }
  if (causes.length > 0) out[`${key}Cause`] = causes;
  // Stacks where someone will look for one; a debug line (retries, per-call detail) stays short.
  if (ORDER[level] >= ORDER.warn && err.stack) out[`${key}Stack`] = err.stack;
  return out;
}
