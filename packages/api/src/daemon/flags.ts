// Reading a daemon's flags: each value comes from its flag, else its MO_* variable, and every
// error names both ("--max-ended (MO_MAX_ENDED): expected a positive integer, got "x"").
import { durationMs } from '../units.js';
import { parseAddress } from './http.js';
import { isLogLevel, type LogLevel } from './log.js';

export interface FlagReader {
  /** "--flag (ENV)", for messages. */
  label(flag: string, envName: string): string;
  str(flag: string, envName: string): string | undefined;
  /** A positive integer (or zero with allowZero). */
  int(flag: string, envName: string, allowZero?: boolean): number | undefined;
  /** host:port. */
  address(flag: string, envName: string): string | undefined;
  /** "500ms", "5s", "1m30s" or plain milliseconds; positive (or zero with allowZero). */
  duration(flag: string, envName: string, allowZero?: boolean): number | undefined;
  /** A number from 0 to 1. */
  fraction(flag: string, envName: string): number | undefined;
  /** --log-level / MO_LOG_LEVEL. */
  logLevel(): LogLevel | undefined;
}

/** `values` are node:util parseArgs values (string flags), `env` the process environment. */
export function flagReader(values: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv): FlagReader {
  const label = (flag: string, envName: string) => `--${flag} (${envName})`;
  const str = (flag: string, envName: string) => (values[flag] as string | undefined) ?? env[envName];
  return {
    label,
    str,
    int(flag, envName, allowZero = false) {
      const raw = str(flag, envName);
      if (raw === undefined) return undefined;
      const n = Number(raw);
      if (!Number.isSafeInteger(n) || n < 0 || (!allowZero && n === 0)) {
        throw new Error(`${label(flag, envName)}: expected a positive integer, got "${raw}"`);
      }
      return n;
    },
    address(flag, envName) {
      const raw = str(flag, envName);
      if (raw === undefined) return undefined;
      try {
        parseAddress(raw);
      } catch (err) {
        throw new Error(`${label(flag, envName)}: ${(err as Error).message}`, { cause: err });
      }
      return raw;
    },
    duration(flag, envName, allowZero = false) {
      const raw = str(flag, envName);
      if (raw === undefined) return undefined;
      const n = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : durationMs(raw);
      if (n === undefined) {
        throw new Error(`${label(flag, envName)}: expected a duration like 500ms, 5s or 2m, got "${raw}"`);
      }
      if (!Number.isSafeInteger(n) || n < 0 || (!allowZero && n === 0))
        throw new Error(`${label(flag, envName)}: must be positive, got "${raw}"`);
      return n;
    },
    fraction(flag, envName) {
      const raw = str(flag, envName);
      if (raw === undefined) return undefined;
      const n = Number(raw);
      if (raw.trim() === '' || !(n >= 0 && n <= 1)) {
        throw new Error(`${label(flag, envName)}: expected a number from 0 to 1, got "${raw}"`);
      }
      return n;
    },
    logLevel() {
      const raw = str('log-level', 'MO_LOG_LEVEL');
      if (raw !== undefined && !isLogLevel(raw)) {
        throw new Error(`${label('log-level', 'MO_LOG_LEVEL')}: expected debug|info|warn|error, got "${raw}"`);
      }
      return raw;
    },
  };
}
