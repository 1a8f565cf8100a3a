// A drain moving a plain workload off its node (lifecycle.ts onMigrate): re-placed at once, no
// restart counted whatever its policy, its run there kept as a past allocation and stopped there.
import { describe, expect, it } from '@jest/globals';
import { workloadRecord } from '../testing/records.js';
import { onMigrate } from './lifecycle.js';
import type { RestartModeName } from './record.js';

const NOW = 100_000;
const WHY = 'draining node n1: forced';

describe('onMigrate', () => {
  it.each<RestartModeName>(['never', 'on-failure', 'always'])(
    'sends a running workload (restart %s) back to pending, its allocation stopped on its node',
    (mode) => {
      const r = workloadRecord({ restart: { mode }, restarts: 2, notBeforeMs: 5 });
      const before = structuredClone(r);
      const step = onMigrate(r, WHY, NOW)!;
      expect(r).toEqual(before);
      expect(step.next).toMatchObject({
        state: 'pending',
        reason: `${WHY}: to be placed elsewhere`,
        allocationId: '',
        pid: 0,
        runningSinceMs: 0,
        notBeforeMs: 0,
        restarts: 2,
        attempt: 1,
        stopRequested: false,
      });
      expect(step.next.pastAllocations).toEqual([
        { allocationId: 'A1', nodeId: 'N1', nodeName: 'n1', attempt: 1, state: 'stopped', endedAtMs: NOW },
      ]);
      expect(step.next.events.slice(-2).map((e) => e.state)).toEqual(['stopped', 'pending']);
      expect(step.effects).toEqual([{ kind: 'stop-copy', nodeId: 'N1', allocationId: 'A1', graceMs: 5000 }]);
      expect(step.persist).toBe(true);
    },
  );

  it('moves a starting one too', () => {
    expect(onMigrate(workloadRecord({ state: 'starting' }), WHY, NOW)?.next.state).toBe('pending');
  });

  it.each([
    ['a pending one (not placed)', workloadRecord({ state: 'pending', allocationId: '' })],
    ['one whose stop was asked for', workloadRecord({ stopRequested: true })],
    ['an unknown one (lost_after decides)', workloadRecord({ state: 'unknown' })],
    ['an ended one', workloadRecord({ state: 'succeeded' })],
  ])('leaves %s alone', (_, r) => {
    expect(onMigrate(r, WHY, NOW)).toBeUndefined();
  });
});
