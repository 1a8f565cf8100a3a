// The audit log on a disk that really fills up (a small tmpfs; needs root): a line that cannot be
// written is not written at all (a short write is cut back: the file holds only whole lines), the
// writer says so once, and writes again once there is room.
import { afterAll, describe, expect, it } from '@jest/globals';
import { AuditLog, type AuditRecord } from '@mo/api';
import { canMountTmpfs, mountTmpfs, requireTool, type Tmpfs } from '@mo/testkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const disks: Tmpfs[] = [];
afterAll(async () => {
  for (const d of disks) await d.unmount();
});

const record = (n: number): AuditRecord => ({
  time: new Date().toISOString(),
  identity: 'client:alice',
  remote: '127.0.0.1:1',
  method: '/mo.v1.Scheduler/SubmitWorkload',
  // About 1 KiB a line, so that lines straddle the filesystem's 4 KiB pages: some writes are short.
  targets: { workload: `w${n}`, note: 'x'.repeat(240) },
  code: 'OK',
  message: 'y'.repeat(700),
});

describe('the audit log on a full disk', () => {
  it('writes whole lines or none, reports the failure once, and recovers when there is room', async () => {
    if (!requireTool(canMountTmpfs(), 'root (to mount a tmpfs)')) return;
    const disk = mountTmpfs('mo-audit-full', 256 * 1024);
    disks.push(disk);
    const path = join(disk.dir, 'audit.jsonl');
    const reports: Array<string | undefined> = [];
    const log = new AuditLog({ path, maxBytes: 1 << 20, keep: 1, onError: (e) => reports.push(e && e.message) });
    try {
      expect(log.append(record(0))).toBe(true);
      disk.fill();
      // The file's last page still has room for a few lines; then they fail.
      let n = 1;
      while (n < 50 && log.append(record(n))) n++;
      expect(n).toBeLessThan(50);
      for (let i = 0; i < 5; i++) expect(log.append(record(100 + i))).toBe(false);
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatch(/ENOSPC/);
      expect(log.counts).toEqual({ written: n, failed: 6 });

      const lines = readFileSync(path, 'utf8').split('\n');
      expect(lines.pop()).toBe(''); // ends with a newline: no half line
      expect(lines.map((l) => (JSON.parse(l) as AuditRecord).targets.workload)).toEqual(
        Array.from({ length: n }, (_, i) => `w${i}`),
      );

      disk.unfill();
      expect(log.append(record(200))).toBe(true);
      expect(reports).toEqual([reports[0], undefined]);
      expect(readFileSync(path, 'utf8').trimEnd().split('\n').pop()).toContain('"w200"');
    } finally {
      log.close();
    }
  });
});
