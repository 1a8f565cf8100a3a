// What RunJob, ScaleJob and RevertJob do to a job's record (pure), and what the decisions read of
// a job (rolloutOf): its count, and which older versions run the same task.
import { describe, expect, it } from '@jest/globals';
import type { JobEntry } from './book.js';
import { decideRevert, decideRun, decideScale, rolloutOf } from './run.js';
import { parseJobSpec } from './spec.js';

const NOW = 5_000;
const text = (o: { count?: number; env?: string; maxParallel?: number } = {}) => `
name: web
count: ${o.count ?? 3}
command: [sleep, "60"]
env: { V: "${o.env ?? '1'}" }
update: { max_parallel: ${o.maxParallel ?? 1} }
`;

function entryOf(...texts: string[]): JobEntry {
  let e: JobEntry | undefined;
  for (const t of texts) {
    const d = decideRun(e, parseJobSpec(t), NOW);
    e = { job: d.job!, versions: [...(e?.versions ?? []), ...(d.version ? [d.version] : [])], deployments: [] };
  }
  return e!;
}

describe('decideRun', () => {
  it('makes a new job version 1 at its count', () => {
    const d = decideRun(undefined, parseJobSpec(text()), NOW);
    expect(d).toMatchObject({
      kind: 'create',
      job: { name: 'web', version: 1, count: 3, stopped: false, lastGoodVersion: 0 },
    });
    expect(d.version).toMatchObject({ version: 1, submittedAtMs: NOW });
    expect(d.version!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes nothing for the same spec, written another way', () => {
    const e = entryOf(text());
    const same = `{"name": "web", "command": ["sleep", "60"], "count": 3, "env": {"V": "1"}, "update": {"max_parallel": 1}}`;
    expect(decideRun(e, parseJobSpec(same), NOW)).toEqual({
      kind: 'none',
      changes: [],
      job: undefined,
      version: undefined,
    });
  });

  it('runs a stopped job again on the same spec, without a new version', () => {
    const e = entryOf(text());
    e.job.stopped = true;
    expect(decideRun(e, parseJobSpec(text()), NOW)).toMatchObject({
      kind: 'none',
      job: { stopped: false, version: 1 },
      version: undefined,
    });
  });

  it('scales when only count changed (compared at the count the job runs at)', () => {
    const e = entryOf(text());
    expect(decideRun(e, parseJobSpec(text({ count: 5 })), NOW)).toMatchObject({
      kind: 'scale',
      changes: [{ path: 'count', from: 3, to: 5 }],
      job: { version: 1, count: 5 },
      version: undefined,
    });
    e.job.count = 5; // ScaleJob said 5: the file at 5 is no change, the file at 3 a scale back
    expect(decideRun(e, parseJobSpec(text({ count: 5 })), NOW).kind).toBe('none');
    expect(decideRun(e, parseJobSpec(text({ count: 3 })), NOW).kind).toBe('scale');
  });

  it('makes the next version of anything else, numbered after the highest kept', () => {
    const e = entryOf(text(), text({ env: '2' }));
    expect(e.job.version).toBe(2);
    e.job.version = 1; // reverted
    const d = decideRun(e, parseJobSpec(text({ env: '3' })), NOW);
    expect(d).toMatchObject({ kind: 'update', job: { version: 3 }, version: { version: 3 } });
    expect(d.changes).toEqual([{ path: 'task.env.V', from: '1', to: '3' }]);
  });
});

describe('decideScale and decideRevert', () => {
  it('scales to 0..10000, naming the field otherwise', () => {
    const e = entryOf(text());
    expect(decideScale(e, 0, NOW)).toMatchObject({ count: 0, version: 1 });
    expect(() => decideScale(e, 10_001, NOW)).toThrow(/^count: must be between 0 and 10000, got 10001/);
    expect(() => decideScale(e, 1.5, NOW)).toThrow(/^count: /);
  });

  it('reverts to a kept version at its count; an unknown one is NOT_FOUND naming the version', () => {
    const e = entryOf(text(), text({ env: '2', count: 4 }));
    expect(decideRevert(e, 1, NOW)).toMatchObject({ version: 1, count: 3, stopped: false });
    expect(decideRevert(e, 2, NOW)).toBeUndefined();
    expect(() => decideRevert(e, 9, NOW)).toThrow(/^version: no version of job "web" "9" \(kept: 1, 2\)/);
  });
});

describe('rolloutOf', () => {
  it("reads the job's count, and versions that differ in count or update only as the same task", () => {
    const e = entryOf(
      text(),
      text({ count: 4, maxParallel: 2 }),
      text({ env: '2' }),
      text({ env: '2', maxParallel: 3 }),
    );
    expect(e.versions.map((v) => v.version)).toEqual([1, 2, 3, 4]);
    e.job.count = 7;
    const job = rolloutOf(e.job, e.versions);
    expect(job).toMatchObject({ version: 4, count: 7, hasChecks: false, sameTaskVersions: [3] });
    const atTwo = rolloutOf({ ...e.job, version: 2 }, e.versions);
    expect(atTwo.sameTaskVersions).toEqual([1]);
  });
});
