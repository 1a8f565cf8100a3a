// How much disk the workloads' logs may take (--max-log-disk) and whose logs go when they take
// more: pure rules, applied by LogRetention. Running workloads' logs are capped per file by the
// shim (--log-max-bytes, one rotated copy) and are never removed; ended workloads' logs are, the
// longest-ended first. Their records (and exit codes) stay until the count retention (--max-ended).
import { sizeBytes } from '@mo/api';

/** The default share of the data dir's filesystem, and its cap: journald's SystemMaxUse rule. */
export const DEFAULT_LOG_DISK_PERCENT = 10;
export const DEFAULT_LOG_DISK_CAP_BYTES = 4 * 2 ** 30;

/** --max-log-disk as written: a size, or a share of the data dir's filesystem. */
export type LogBudgetSetting = { bytes: number } | { percent: number };

/**
 * Parses `2Gi`, `500M`, `1073741824` or `15%`. Throws an Error saying what was expected; the
 * caller prefixes the flag's name.
 */
export function parseLogBudget(text: string): LogBudgetSetting {
  const t = text.trim();
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(t);
  if (percent) return checkLogBudget({ percent: Number(percent[1]) });
  const bytes = sizeBytes(t);
  if (bytes === undefined) {
    throw new Error(
      `expected a size like 2Gi or 500M, or a share of the data dir's filesystem like 10%, got "${text}"`,
    );
  }
  return checkLogBudget({ bytes });
}

/** Returns the setting when it is usable: at least one byte, or a share above 0% up to 100%. */
export function checkLogBudget(setting: LogBudgetSetting): LogBudgetSetting {
  if ('bytes' in setting) {
    if (!Number.isSafeInteger(setting.bytes) || setting.bytes < 1) {
      throw new Error(`expected at least 1 byte, got ${setting.bytes}`);
    }
  } else if (!(setting.percent > 0 && setting.percent <= 100)) {
    throw new Error(`expected a share above 0% and at most 100%, got ${setting.percent}%`);
  }
  return setting;
}

/**
 * The budget in bytes. Unset: DEFAULT_LOG_DISK_PERCENT of the filesystem, at most
 * DEFAULT_LOG_DISK_CAP_BYTES (the cap also when the filesystem's size is unknown, 0).
 */
export function logBudgetBytes(setting: LogBudgetSetting | undefined, filesystemBytes: number): number {
  if (setting && 'bytes' in setting) return setting.bytes;
  if (filesystemBytes <= 0) return DEFAULT_LOG_DISK_CAP_BYTES;
  const share = Math.floor((filesystemBytes * (setting?.percent ?? DEFAULT_LOG_DISK_PERCENT)) / 100);
  return setting ? Math.max(1, share) : Math.max(1, Math.min(share, DEFAULT_LOG_DISK_CAP_BYTES));
}

/** One workload's logs as last measured. */
export interface WorkloadLogs {
  id: string;
  bytes: number;
  /** When it ended; undefined while it runs (or starts): its logs are not removable. */
  endedAtMs?: number;
}

/**
 * The ended workloads whose logs to remove so the total fits maxBytes: longest-ended first, no
 * more than needed. When the running workloads' logs alone exceed the budget, every ended
 * workload's logs go and the total still exceeds it (the shim's per-file cap bounds those).
 */
export function logsToRemove(workloads: readonly WorkloadLogs[], maxBytes: number): string[] {
  let total = 0;
  for (const w of workloads) total += w.bytes;
  if (total <= maxBytes) return [];
  const removable = workloads
    .filter((w) => w.endedAtMs !== undefined && w.bytes > 0)
    .sort((a, b) => a.endedAtMs! - b.endedAtMs! || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const out: string[] = [];
  for (const w of removable) {
    if (total <= maxBytes) break;
    out.push(w.id);
    total -= w.bytes;
  }
  return out;
}
