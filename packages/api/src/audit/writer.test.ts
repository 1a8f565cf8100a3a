// The audit log file on a real filesystem: 0600, whole lines, rotation by size with N files kept.
// (A full disk, for real: test/audit-full-disk.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatAuditLine, type AuditRecord } from './record.js';
import { AuditLog } from './writer.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), `mo-audit-writer-${process.pid}-`));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const record = (n: number): AuditRecord => ({
  time: new Date(1_700_000_000_000 + n).toISOString(),
  identity: 'client:alice',
  remote: '127.0.0.1:1',
  method: '/mo.v1.Scheduler/StopScheduledWorkload',
  targets: { workload: `w${String(n).padStart(6, '0')}` },
  code: 'OK',
});
const LINE = Buffer.byteLength(formatAuditLine(record(0)));
// 25 lines a file: the smallest file size allowed is one line's most (4 KiB).
const FILE = 25 * LINE;
const linesOf = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditRecord);

describe('AuditLog', () => {
  it('appends one JSON line per record to a file only its owner may read', () => {
    const path = join(dir, 'plain.jsonl');
    const log = new AuditLog({ path, maxBytes: 1 << 20, keep: 3 });
    for (let i = 0; i < 3; i++) expect(log.append(record(i))).toBe(true);
    log.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(linesOf(path).map((r) => r.targets.workload)).toEqual(['w000000', 'w000001', 'w000002']);
    expect(log.counts).toEqual({ written: 3, failed: 0 });
    expect(log.append(record(9))).toBe(false); // closed
  });

  it('appends to a file that is already there, counting its size', () => {
    const path = join(dir, 'again.jsonl');
    writeFileSync(path, formatAuditLine(record(0)).repeat(24));
    const log = new AuditLog({ path, maxBytes: FILE, keep: 1 });
    log.append(record(1)); // fits: 25 lines
    log.append(record(2)); // rotates first
    log.close();
    expect(linesOf(`${path}.1`)).toHaveLength(25);
    expect(linesOf(path).map((r) => r.targets.workload)).toEqual(['w000002']);
  });

  it('rotates by size: PATH, PATH.1 … PATH.keep, the oldest dropped, none past the size', () => {
    const sub = mkdtempSync(join(dir, 'rot-'));
    const path = join(sub, 'audit.jsonl');
    const log = new AuditLog({ path, maxBytes: FILE, keep: 2 });
    for (let i = 0; i < 110; i++) log.append(record(i));
    log.close();
    expect(readdirSync(sub).sort()).toEqual(['audit.jsonl', 'audit.jsonl.1', 'audit.jsonl.2']);
    for (const f of readdirSync(sub)) expect(statSync(join(sub, f)).size).toBeLessThanOrEqual(FILE);
    const ids = (f: string) => linesOf(join(sub, f)).map((r) => Number(r.targets.workload!.slice(1)));
    const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
    // Newest in PATH: 100..109; PATH.1 75..99; PATH.2 50..74; 0..49 rotated out.
    expect(ids('audit.jsonl')).toEqual(range(100, 10));
    expect(ids('audit.jsonl.1')).toEqual(range(75, 25));
    expect(ids('audit.jsonl.2')).toEqual(range(50, 25));
  });

  it('keeps only the current file with keep 0', () => {
    const sub = mkdtempSync(join(dir, 'keep0-'));
    const path = join(sub, 'audit.jsonl');
    const log = new AuditLog({ path, maxBytes: FILE, keep: 0 });
    for (let i = 0; i < 60; i++) log.append(record(i));
    log.close();
    expect(readdirSync(sub)).toEqual(['audit.jsonl']);
    expect(linesOf(path)).toHaveLength(10);
  });

  it('refuses to open where it cannot, naming the file', () => {
    const path = join(dir, 'no-such-dir', 'audit.jsonl');
    expect(() => new AuditLog({ path, maxBytes: 1 << 20, keep: 1 })).toThrow(`audit log ${path}: ENOENT`);
    expect(existsSync(path)).toBe(false);
  });

  it.each([
    [{ maxBytes: 100, keep: 1 }, /max bytes: at least 4096/],
    [{ maxBytes: 1 << 20, keep: -1 }, /keep: 0 to 100 files/],
    [{ maxBytes: 1 << 20, keep: 1.5 }, /keep: 0 to 100 files/],
  ])('refuses %j', (options, message) => {
    expect(() => new AuditLog({ path: join(dir, 'bad.jsonl'), ...options })).toThrow(message);
  });
});
