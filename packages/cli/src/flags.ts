// Pure parsers for flag values (env, labels, sizes, durations, counts). Each error names its flag,
// so a wrong value is caught before anything is sent to the agent.
// The unit grammars come from @mo/api/units, which loads nothing else (no grpc: `mo --help` and
// the fast path stay light).
import { cpuMillis, durationMs, sizeBytes } from '@mo/api/units';
import { UsageError } from './errors.js';

/** Commander collector for repeatable flags (`--env A=1 --env B=2`). */
export function collect(value: string, previous: readonly string[] = []): string[] {
  return [...previous, value];
}

/**
 * Parses `K=V` pairs; the value may itself contain `=` and may be empty. A repeated key keeps its
 * last value, as in a shell where the later assignment wins.
 */
export function parseKeyValues(flag: string, values: readonly string[], shape = 'K=V'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of values) {
    const eq = raw.indexOf('=');
    if (eq <= 0) throw new UsageError(`expected ${shape}, got ${JSON.stringify(raw)}`, flag);
    out[raw.slice(0, eq)] = raw.slice(eq + 1);
  }
  return out;
}

export function parseEnv(values: readonly string[], flag = '--env'): Record<string, string> {
  return parseKeyValues(flag, values, 'K=V');
}

export function parseLabels(values: readonly string[], flag = '--label'): Record<string, string> {
  return parseKeyValues(flag, values, 'k=v');
}

// Kubernetes quantity suffixes: decimal (k, M, G, T) and binary (Ki, Mi, Gi, Ti). Lower-case m/g
// are refused on purpose: in Kubernetes "m" means milli, so guessing would be wrong half the time.
/** Parses a byte size: `1048576`, `512Mi`, `1G`, `1.5Gi`. Must be at least one byte. */
export function parseSize(value: string, flag = '--memory'): number {
  const bytes = sizeBytes(value);
  if (bytes === undefined) {
    throw new UsageError(`expected bytes or a size like 512Mi, 1Gi or 1G, got ${JSON.stringify(value)}`, flag);
  }
  if (bytes < 1) throw new UsageError(`must be at least 1 byte, got ${JSON.stringify(value)}`, flag);
  if (!Number.isSafeInteger(bytes)) throw new UsageError(`too large: ${JSON.stringify(value)}`, flag);
  return bytes;
}

/**
 * Parses a duration into whole milliseconds: `500ms`, `10s`, `1.5s`, `1m30s`, `2h`. A unit is
 * required: a bare `10` could mean seconds or milliseconds, and guessing wrong kills a workload
 * (or gives up on a call) 1000 times too early; the error says how to write it.
 */
export function parseDuration(value: string, flag: string): number {
  const bare = /^\s*(\d+(?:\.\d+)?)\s*$/.exec(value);
  if (bare) {
    const n = bare[1]!;
    throw new UsageError(
      `${JSON.stringify(value)} has no unit; use a unit: ${n}s or ${Math.round(Number(n) * 1000)}ms`,
      flag,
    );
  }
  const ms = durationMs(value);
  if (ms === undefined) {
    throw new UsageError(`expected a duration like 10s, 500ms or 1m30s, got ${JSON.stringify(value)}`, flag);
  }
  if (!Number.isSafeInteger(ms)) throw new UsageError(`too large: ${JSON.stringify(value)}`, flag);
  return ms;
}

/** A call deadline: a duration with a unit (`5s`, `500ms`), above 0. */
export function parseTimeout(value: string, flag = '--timeout'): number {
  const ms = parseDuration(value, flag);
  if (ms <= 0) throw new UsageError(`must be greater than 0, got ${JSON.stringify(value)}`, flag);
  return ms;
}

/** A non-negative whole number (`--tail 20`), at most `max` (wire fields may be int32). */
export function parseCount(value: string, flag: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw new UsageError(`expected a whole number, got ${JSON.stringify(value)}`, flag);
  if (n > max) throw new UsageError(`must be at most ${max}, got ${JSON.stringify(value)}`, flag);
  return n;
}

/**
 * CPU as Kubernetes writes it, into millicores: `500m` is half a core, `0.5` and `2` are cores.
 * At least one millicore; finer than that cannot be declared.
 */
export function parseCpuMillis(value: string, flag = '--cpu'): number {
  const millis = cpuMillis(value) ?? Number.NaN;
  if (!Number.isFinite(millis)) {
    throw new UsageError(`expected cores (0.5, 2) or millicores (500m), got ${JSON.stringify(value)}`, flag);
  }
  if (!Number.isInteger(Math.round(millis * 1e6) / 1e6) || millis < 1) {
    throw new UsageError(`must be a whole number of millicores, at least 1m, got ${JSON.stringify(value)}`, flag);
  }
  if (!Number.isSafeInteger(millis)) throw new UsageError(`too large: ${JSON.stringify(value)}`, flag);
  return Math.round(millis);
}

/** One of a fixed set of words (`--restart on-failure`); the error lists them. */
export function parseChoice<T extends string>(value: string, flag: string, choices: readonly T[]): T {
  const v = value.trim().toLowerCase();
  const found = choices.find((c) => c === v);
  if (found === undefined) {
    throw new UsageError(`expected ${choices.join(', ')}; got ${JSON.stringify(value)}`, flag);
  }
  return found;
}
