// An audit line: the shared shape, and every field capped whatever a caller sent.
import { describe, expect, it } from '@jest/globals';
import { cap, formatAuditLine, LINE_MAX_BYTES, TARGET_IDS_MAX, type AuditRecord } from './record.js';

const base: AuditRecord = {
  time: '2026-01-02T03:04:05.678Z',
  identity: 'client:alice',
  remote: '127.0.0.1:50000',
  method: '/mo.v1.Scheduler/StopScheduledWorkload',
  targets: { workload: '01ABC' },
  code: 'OK',
};

describe('formatAuditLine', () => {
  it('writes one JSON object on one line, in the shared shape', () => {
    const line = formatAuditLine(base);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(line).toBe(
      '{"time":"2026-01-02T03:04:05.678Z","identity":"client:alice","remote":"127.0.0.1:50000",' +
        '"method":"/mo.v1.Scheduler/StopScheduledWorkload","targets":{"workload":"01ABC"},"code":"OK"}\n',
    );
  });

  it('carries the message of a call that failed, and the stage of a write-ahead line', () => {
    expect(JSON.parse(formatAuditLine({ ...base, code: 'NOT_FOUND', message: 'no workload "x"' }))).toMatchObject({
      code: 'NOT_FOUND',
      message: 'no workload "x"',
    });
    const received = JSON.parse(formatAuditLine({ ...base, code: undefined, stage: 'received' })) as object;
    expect(received).toMatchObject({ stage: 'received' });
    expect(received).not.toHaveProperty('code');
  });

  it('keeps a newline or a quote a caller sent inside its field', () => {
    const line = formatAuditLine({ ...base, targets: { workload: 'a\n"b' } });
    expect(line.split('\n')).toHaveLength(2);
    expect((JSON.parse(line) as AuditRecord).targets.workload).toBe('a\n"b');
  });

  it('caps every field, and lists at most a few ids per kind', () => {
    const huge = 'é'.repeat(100_000);
    const line = formatAuditLine({
      ...base,
      identity: huge,
      remote: huge,
      method: huge,
      message: huge,
      code: 'INVALID_ARGUMENT',
      targets: {
        workloads: Array.from({ length: 1000 }, (_, i) => `w${i}`),
        a: huge,
        b: huge,
        c: huge,
        d: huge,
        e: huge,
        f: huge,
        g: huge,
        h: huge,
      },
    });
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(LINE_MAX_BYTES);
    const r = JSON.parse(line) as AuditRecord;
    expect(r.identity.endsWith('…')).toBe(true);
    expect(Buffer.byteLength(r.identity)).toBeLessThanOrEqual(256);
    expect(r.code).toBe('INVALID_ARGUMENT');
    expect(r.time).toBe(base.time);
  });

  it('names how many ids it left out', () => {
    const r = JSON.parse(
      formatAuditLine({ ...base, targets: { workloads: Array.from({ length: 20 }, (_, i) => `w${i}`) } }),
    ) as AuditRecord;
    expect(r.targets.workloads).toHaveLength(TARGET_IDS_MAX + 1);
    expect(r.targets.workloads![TARGET_IDS_MAX]).toBe(`+${20 - TARGET_IDS_MAX} more`);
  });
});

describe('cap', () => {
  it.each([
    ['short', 10, 'short'],
    ['abcdefghij', 10, 'abcdefghij'],
    ['abcdefghijk', 10, 'abcdefg…'],
    ['ééééé', 8, 'éé…'],
    ['😀😀😀', 9, '😀…'],
  ])('cap(%j, %d) = %j', (s, max, expected) => {
    expect(cap(s, max)).toBe(expected);
    expect(Buffer.byteLength(cap(s, max))).toBeLessThanOrEqual(max);
  });
});
