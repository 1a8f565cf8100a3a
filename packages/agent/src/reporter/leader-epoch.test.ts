import { describe, expect, it } from '@jest/globals';
import { judgeEpoch, LeaderEpochs } from './leader-epoch.js';

describe('judgeEpoch', () => {
  it('obeys the highest epoch and newer ones, refuses older ones', () => {
    expect(judgeEpoch(0, 7)).toEqual({ kind: 'obey', newer: true });
    expect(judgeEpoch(7, 7)).toEqual({ kind: 'obey', newer: false });
    expect(judgeEpoch(7, 9)).toEqual({ kind: 'obey', newer: true });
    expect(judgeEpoch(9, 7)).toEqual({ kind: 'refuse', highest: 9 });
  });

  it('treats epoch 0 as no election: always obeyed, never newer', () => {
    expect(judgeEpoch(0, 0)).toEqual({ kind: 'obey', newer: false });
    expect(judgeEpoch(9, 0)).toEqual({ kind: 'obey', newer: false });
  });
});

describe('LeaderEpochs', () => {
  it('keeps the highest, tells listeners of each newer one, and throws FAILED_PRECONDITION naming the field', () => {
    const epochs = new LeaderEpochs();
    const heard: number[] = [];
    const off = epochs.onNewer((e) => heard.push(e));
    epochs.check(0);
    epochs.check(4);
    epochs.check(4);
    epochs.check(11);
    expect(epochs.highest).toBe(11);
    expect(heard).toEqual([4, 11]);
    expect(() => epochs.check(4)).toThrow(/leader_epoch: 4 is older than 11/);
    expect(() => epochs.check(4)).toThrow(expect.objectContaining({ code: 9 }));
    expect(epochs.highest).toBe(11);
    off();
    epochs.check(12);
    expect(heard).toEqual([4, 11]);
  });
});
