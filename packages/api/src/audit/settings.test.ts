// The daemons' audit flags and variables, and where the log goes by default.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_AUDIT_SETTINGS, openAuditLog, parseAuditFlags } from './settings.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), `mo-audit-settings-${process.pid}-`));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('parseAuditFlags', () => {
  it('gives the defaults without flags: on, in the data dir, 100 MiB × 3 rotated, not strict', () => {
    expect(parseAuditFlags({}, {})).toEqual({ maxBytes: 100 * 2 ** 20, keep: 3, strict: false });
    expect(parseAuditFlags({}, { MO_AUDIT_LOG: '', MO_AUDIT_STRICT: '' })).toEqual(DEFAULT_AUDIT_SETTINGS);
  });

  it('reads flags, else MO_* variables (the flag wins)', () => {
    expect(
      parseAuditFlags(
        {
          'audit-log': '/var/log/mo/audit.jsonl',
          'audit-log-max-bytes': '10Mi',
          'audit-log-keep': '0',
          'audit-strict': true,
        },
        { MO_AUDIT_LOG: '/elsewhere', MO_AUDIT_LOG_KEEP: '7' },
      ),
    ).toEqual({ path: '/var/log/mo/audit.jsonl', maxBytes: 10 * 2 ** 20, keep: 0, strict: true });
    expect(
      parseAuditFlags(
        {},
        { MO_AUDIT_LOG: 'off', MO_AUDIT_LOG_MAX_BYTES: '1G', MO_AUDIT_LOG_KEEP: '7', MO_AUDIT_STRICT: '1' },
      ),
    ).toEqual({ path: 'off', maxBytes: 1e9, keep: 7, strict: true });
  });

  it.each<[Record<string, unknown>, NodeJS.ProcessEnv, string]>([
    [{ 'audit-log': ' ' }, {}, '--audit-log (MO_AUDIT_LOG): expected a path or off'],
    [
      { 'audit-log-max-bytes': 'lots' },
      {},
      '--audit-log-max-bytes (MO_AUDIT_LOG_MAX_BYTES): expected a size of 64Ki or more, got "lots"',
    ],
    [
      {},
      { MO_AUDIT_LOG_MAX_BYTES: '1000' },
      '--audit-log-max-bytes (MO_AUDIT_LOG_MAX_BYTES): expected a size of 64Ki or more',
    ],
    [{ 'audit-log-keep': 'x' }, {}, '--audit-log-keep (MO_AUDIT_LOG_KEEP): expected a positive integer, got "x"'],
    [{ 'audit-log-keep': '101' }, {}, '--audit-log-keep (MO_AUDIT_LOG_KEEP): at most 100, got 101'],
    [{}, { MO_AUDIT_STRICT: 'yes' }, '--audit-strict (MO_AUDIT_STRICT): expected 1 or 0, got "yes"'],
  ])('refuses %j %j naming the flag', (values, env, message) => {
    expect(() => parseAuditFlags(values, env)).toThrow(message);
  });
});

describe('openAuditLog', () => {
  it('opens <data dir>/audit.jsonl by default, making the data dir', () => {
    const dataDir = join(dir, 'data');
    const audit = openAuditLog(DEFAULT_AUDIT_SETTINGS, dataDir);
    expect(audit?.log.path).toBe(join(dataDir, 'audit.jsonl'));
    expect(audit?.strict).toBe(false);
    audit?.log.close();
    expect(existsSync(join(dataDir, 'audit.jsonl'))).toBe(true);
  });

  it('opens none when off, and the named file otherwise', () => {
    expect(openAuditLog({ ...DEFAULT_AUDIT_SETTINGS, path: 'off' }, dir)).toBeUndefined();
    const audit = openAuditLog({ ...DEFAULT_AUDIT_SETTINGS, path: join(dir, 'x.jsonl'), strict: true }, '/nonexistent');
    expect(audit).toMatchObject({ strict: true, log: { path: join(dir, 'x.jsonl') } });
    audit?.log.close();
  });
});
