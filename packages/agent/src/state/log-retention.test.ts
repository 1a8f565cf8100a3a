// LogRetention over real files: measures workloads' logs, removes the longest-ended ones' when
// the total is over its budget, never a running one's, and tells the runner which.
import { afterEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@mo/api';
import type { WorkloadRecord } from '../workloads/record.js';
import { LOG_FILES, LogRetention } from './log-retention.js';

const quiet: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
} as unknown as Logger;
const dirs: string[] = [];
const retentions: LogRetention[] = [];
afterEach(async () => {
  for (const r of retentions.splice(0)) await r.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(maxBytes: number) {
  const root = mkdtempSync(join(tmpdir(), 'mo-log-retention-'));
  dirs.push(root);
  const records: WorkloadRecord[] = [];
  const removed: string[] = [];
  const retention = new LogRetention({
    maxBytes,
    list: () => records,
    dirOf: (id) => join(root, id),
    onRemoved: (id, atMs) => {
      removed.push(id);
      records.find((r) => r.spec.id === id)!.logsRemovedAtMs = atMs;
    },
    logger: quiet,
  });
  retentions.push(retention);
  /** A workload with `bytes` of stdout (and one line of stderr); ended at endedAtMs unless undefined. */
  const workload = (id: string, bytes: number, endedAtMs?: number) => {
    mkdirSync(join(root, id), { recursive: true });
    writeFileSync(join(root, id, 'stdout.log'), Buffer.alloc(bytes - 4, 0x61));
    writeFileSync(join(root, id, 'stderr.log'), 'err\n');
    const record = {
      spec: { id },
      state: endedAtMs === undefined ? 'running' : 'failed',
      createdAtMs: 1,
      events: [],
      ...(endedAtMs !== undefined && { exit: { exitCode: 1, finishedAtMs: endedAtMs } }),
    } as unknown as WorkloadRecord;
    records.push(record);
    return record;
  };
  const hasLogs = (id: string) => LOG_FILES.some((f) => existsSync(join(root, id, f)));
  return { root, retention, workload, removed, hasLogs };
}

describe('LogRetention', () => {
  it('removes the longest-ended workloads’ logs until the total fits, and keeps running ones', async () => {
    const { retention, workload, removed, hasLogs } = setup(1000);
    workload('running', 400);
    workload('newest', 200, 3000);
    workload('oldest', 200, 1000);
    workload('middle', 200, 2000);
    await retention.pass(true); // full: measures the running one too
    expect(removed).toEqual([]); // exactly 1000

    const r = workload('later', 150, 4000);
    await retention.pass(); // after an end: only the newly ended are measured
    expect(removed).toEqual(['oldest']);
    expect(hasLogs('oldest')).toBe(false);
    expect(['running', 'newest', 'middle', 'later'].every(hasLogs)).toBe(true);
    expect(r.logsRemovedAtMs).toBeUndefined();
  });

  it('takes an ended workload’s log bytes from its exit record when the shim counted them', async () => {
    const { retention, workload, removed } = setup(1000);
    const counted = workload('counted', 100, 1);
    counted.exit!.logBytes = 5000; // what the shim wrote in its exit record: no stat needed
    workload('other', 100, 2);
    await retention.pass();
    expect(removed).toEqual(['counted']);
  });

  it('makes room for running workloads’ logs as they grow, measured at the full passes', async () => {
    const { root, retention, workload, removed } = setup(1000);
    workload('running', 100);
    workload('a', 300, 1);
    workload('b', 300, 2);
    await retention.pass(true);
    expect(removed).toEqual([]);
    writeFileSync(join(root, 'running', 'stdout.log.1'), Buffer.alloc(500)); // rotated: 600 in all
    await retention.pass();
    expect(removed).toEqual([]); // a pass after an end does not measure running workloads
    await retention.pass(true);
    expect(removed).toEqual(['a']);
    await retention.pass(true); // nothing more to do, nothing removed twice
    expect(removed).toEqual(['a']);
  });

  it('runs a pass shortly after one is asked for (a burst of asks shares it)', async () => {
    const { retention, workload, removed } = setup(100);
    workload('a', 80, 1);
    workload('b', 80, 2);
    for (let i = 0; i < 5; i++) retention.soon(10);
    const deadline = Date.now() + 5000;
    while (removed.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(removed).toEqual(['a']);
  });
});
