// The audit suite: what the audit log costs. One line appended (format + one write(2) on the
// temp dir's filesystem), and a submit's round trip against three schedulers at once: audit log
// off, on (the default), and --audit-strict (a second, write-ahead line per change). The
// schedulers have no agents (the workloads stay pending: placement is not what is measured) and
// are measured round by round, in turn, so machine load weighs on all three alike.
import { AuditLog, type AuditRecord } from '@mo/api';
import { startSchedulerProcess, type SchedulerProcess } from '@mo/testkit';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { msSince, removeLater, round, row, summarize, type Suite, type SuiteContext, type SuiteResult } from './lib.js';

const APPEND_LINES = 200_000;
const ROUNDS = 6;
const SUBMITS_PER_ROUND = 150;

export const auditSuite: Suite = {
  name: 'audit',
  description: 'audit log: one line appended; submit round trip with the log off, on, strict',
  run,
};

async function run(ctx: SuiteContext): Promise<SuiteResult> {
  const dir = mkdtempSync(join(tmpdir(), 'mo-bench-audit-'));
  removeLater(dir);
  const appendUs = measureAppend(join(dir, 'append.jsonl'));

  const modes = { off: ['--audit-log', 'off'], on: [], strict: ['--audit-strict'] } as const;
  // Submits as fast as they go from one caller: past the default rate per identity.
  const common = ['--rate-limit', 'mutating=off'];
  const schedulers: Record<string, SchedulerProcess> = {};
  const samples: Record<string, number[]> = { off: [], on: [], strict: [] };
  try {
    for (const [mode, args] of Object.entries(modes)) {
      schedulers[mode] = await startSchedulerProcess({ extraArgs: [...common, ...args], env: ctx.daemonEnv });
    }
    for (const s of Object.values(schedulers)) await submitMany(s, 50, []); // warm up
    for (let r = 0; r < ROUNDS; r++) {
      for (const mode of Object.keys(modes)) await submitMany(schedulers[mode]!, SUBMITS_PER_ROUND, samples[mode]!);
    }
  } finally {
    for (const s of Object.values(schedulers)) {
      removeLater(s.dataDir);
      await s.kill('SIGTERM');
    }
  }
  const p50 = (mode: string) => round(summarize(samples[mode]!).p50, 3);
  const p99 = (mode: string) => round(summarize(samples[mode]!).p99, 3);
  ctx.log(`audit: append ${appendUs} µs/line; submit p50 off ${p50('off')} on ${p50('on')} strict ${p50('strict')} ms`);
  return {
    rows: [
      row('audit line appended', appendUs, 'µs', { op: '<=', limit: 20 }),
      row('submit p50, audit log off', p50('off'), 'ms'),
      row('submit p50, audit log on', p50('on'), 'ms'),
      row('submit p50, --audit-strict', p50('strict'), 'ms'),
      row('submit p99, audit log off', p99('off'), 'ms'),
      row('submit p99, audit log on', p99('on'), 'ms'),
      row('submit p99, --audit-strict', p99('strict'), 'ms'),
    ],
    raw: { appendLines: APPEND_LINES, submitsPerMode: ROUNDS * SUBMITS_PER_ROUND },
  };
}

/** Median µs per line over 5 batches, after a warm-up batch. */
function measureAppend(path: string): number {
  const log = new AuditLog({ path, maxBytes: 1024 * 2 ** 20, keep: 0 });
  const record: AuditRecord = {
    time: '',
    identity: 'client:alice',
    remote: '127.0.0.1:50000',
    method: '/mo.v1.Scheduler/SubmitWorkload',
    targets: { workload: '01M8SN2S2GPVMVF63X5DRHXFVD' },
    code: 'OK',
  };
  const batch = APPEND_LINES / 5;
  const perLine: number[] = [];
  try {
    for (let b = 0; b < 6; b++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < batch; i++) log.append({ ...record, time: new Date().toISOString() });
      if (b > 0) perLine.push((msSince(t0) * 1000) / batch);
    }
  } finally {
    log.close();
  }
  return round(summarize(perLine).p50, 2);
}

async function submitMany(s: SchedulerProcess, n: number, out: number[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await s.client.submitWorkload({ spec: { argv: ['true'] } });
    out.push(msSince(t0));
  }
}
