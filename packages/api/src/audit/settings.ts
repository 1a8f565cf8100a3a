// The audit log's daemon settings, shared by mo-scheduler and mo-agent: the flags and their MO_*
// variables, the defaults, and opening the log where a daemon starts.
//
// On by default, in the daemon's data dir: "who did what" should not need a flag to exist, and it
// is bounded (maxBytes × (keep + 1): 400 MiB at most with the defaults).
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { flagReader } from '../daemon/flags.js';
import { sizeBytes } from '../units.js';
import type { AuditOptions } from './interceptor.js';
import { AuditLog } from './writer.js';

export interface AuditSettings {
  /** The file; "off" for none; unset: <data dir>/audit.jsonl. */
  path?: string;
  maxBytes: number;
  keep: number;
  strict: boolean;
}

export const DEFAULT_AUDIT_SETTINGS: AuditSettings = { maxBytes: 100 * 1024 * 1024, keep: 3, strict: false };
export const AUDIT_FILE_NAME = 'audit.jsonl';

/** node:util parseArgs options for the audit flags. */
export const AUDIT_FLAG_OPTIONS = {
  'audit-log': { type: 'string' },
  'audit-log-max-bytes': { type: 'string' },
  'audit-log-keep': { type: 'string' },
  'audit-strict': { type: 'boolean' },
} as const;

export const AUDIT_HELP = `Audit log (a JSON line per call that changes something, and per refused call):
  --audit-log PATH|off      the file (0600)           MO_AUDIT_LOG           (<data-dir>/audit.jsonl)
  --audit-log-max-bytes N   rotated past this size    MO_AUDIT_LOG_MAX_BYTES (100Mi)
  --audit-log-keep N        rotated files kept        MO_AUDIT_LOG_KEEP      (3: PATH.1 to PATH.3)
  --audit-strict            a change whose line cannot be written is refused (UNAVAILABLE) and not made
                                                      MO_AUDIT_STRICT=1      (off)`;

/** The audit flags over the defaults; every error names the flag and its variable. */
export function parseAuditFlags(values: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv): AuditSettings {
  const { str, int, label } = flagReader(values, env);
  const settings: AuditSettings = { ...DEFAULT_AUDIT_SETTINGS };
  // An empty MO_AUDIT_LOG is unset (as a shell leaves it); an empty --audit-log is a mistake.
  const path = (values['audit-log'] as string | undefined) ?? (env.MO_AUDIT_LOG || undefined);
  if (path !== undefined) {
    if (path.trim() === '') throw new Error(`${label('audit-log', 'MO_AUDIT_LOG')}: expected a path or off`);
    settings.path = path;
  }
  const max = str('audit-log-max-bytes', 'MO_AUDIT_LOG_MAX_BYTES');
  if (max !== undefined) {
    const n = sizeBytes(max);
    if (n === undefined || n < 65536) {
      throw new Error(
        `${label('audit-log-max-bytes', 'MO_AUDIT_LOG_MAX_BYTES')}: expected a size of 64Ki or more, got "${max}"`,
      );
    }
    settings.maxBytes = n;
  }
  const keep = int('audit-log-keep', 'MO_AUDIT_LOG_KEEP', true);
  if (keep !== undefined) {
    if (keep > 100) throw new Error(`${label('audit-log-keep', 'MO_AUDIT_LOG_KEEP')}: at most 100, got ${keep}`);
    settings.keep = keep;
  }
  const strict = values['audit-strict'] === true ? '1' : env.MO_AUDIT_STRICT;
  if (strict !== undefined && strict !== '') {
    if (!['1', 'true', '0', 'false'].includes(strict)) {
      throw new Error(`${label('audit-strict', 'MO_AUDIT_STRICT')}: expected 1 or 0, got "${strict}"`);
    }
    settings.strict = strict === '1' || strict === 'true';
  }
  return settings;
}

/**
 * Opens the log a daemon's settings name (undefined when off); throws an Error naming the file when
 * it cannot be opened, so a daemon asked to audit does not start without it.
 */
export function openAuditLog(
  settings: AuditSettings,
  dataDir: string,
  onError?: (error: Error | undefined) => void,
): (AuditOptions & { log: AuditLog }) | undefined {
  if (settings.path === 'off') return undefined;
  const path = settings.path === undefined ? resolve(dataDir, AUDIT_FILE_NAME) : resolve(settings.path);
  if (settings.path === undefined) mkdirSync(dataDir, { recursive: true }); // the daemon's own dir
  const log = new AuditLog({ path, maxBytes: settings.maxBytes, keep: settings.keep, ...(onError ? { onError } : {}) });
  return { log, strict: settings.strict };
}
