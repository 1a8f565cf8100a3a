import { describe, expect, it } from '@jest/globals';
import { shouldConfirm } from '../prompt.js';
import { planStop } from './stop.js';

describe('planStop', () => {
  it.each([
    [['a', 'b'], {}, { kind: 'refs', refs: ['a', 'b'] }],
    [[], { label: ['team=x'] }, { kind: 'select', labels: { team: 'x' } }],
    [[], { name: 'web', label: ['a=1'] }, { kind: 'select', labels: { a: '1' }, name: 'web' }],
  ])('stops %j with %j', (refs, flags, expected) => {
    expect(planStop(refs, flags)).toEqual(expected);
  });

  it.each([
    [[], {}, 'id: give one or more workload ids, or --label k=v / --name N'],
    [['a'], { label: ['a=1'] }, '--label: give workload ids or selectors (--label, --name), not both'],
    [['a'], { name: 'web' }, '--name: give workload ids or selectors'],
    [[], { name: '' }, '--name: is empty'],
    [[], { label: ['x'] }, '--label: expected k=v'],
  ])('refuses %j with %j', (refs, flags, message) => {
    expect(() => planStop(refs, flags)).toThrow(message);
  });
});

describe('shouldConfirm', () => {
  it.each([
    [1, false, true, false],
    [2, false, true, true],
    [2, true, true, false],
    [2, false, false, false], // a script: nobody to ask, go ahead (as kubectl delete does)
  ])('%i workloads, --yes %s, at a terminal %s: ask %s', (count, yes, tty, ask) => {
    expect(shouldConfirm(count, yes, tty)).toBe(ask);
  });
});
