import { describe, expect, it } from '@jest/globals';
import { matchesFilter, walkStart, type WorkloadFilter } from './filter.js';
import type { WorkloadRecord } from './record.js';

const record = {
  id: '01JABCDEFGHJKMNPQRSTVWXYZ0',
  state: 'running',
  nodeId: 'n-1',
  spec: { name: 'web', labels: { team: 'a', tier: 'front' } },
} as unknown as WorkloadRecord;

describe('matchesFilter', () => {
  it.each<[string, WorkloadFilter, boolean]>([
    ['no filter', {}, true],
    ['its state', { states: new Set(['running', 'pending']) }, true],
    ['another state', { states: new Set(['failed']) }, false],
    ['its node', { nodeId: 'n-1' }, true],
    ['another node', { nodeId: 'n-2' }, false],
    ['its name', { name: 'web' }, true],
    ['another name', { name: 'we' }, false],
    ['a prefix of its id', { idPrefix: '01JABC' }, true],
    ['a prefix of another id', { idPrefix: '01JABD' }, false],
    ['one of its labels', { labels: { team: 'a' } }, true],
    ['all of its labels', { labels: { team: 'a', tier: 'front' } }, true],
    ['a label value it lacks', { labels: { team: 'b' } }, false],
    ['a label key it lacks', { labels: { team: 'a', zone: '' } }, false],
    ['an inherited key', { labels: { constructor: '' } }, false],
    [
      'every filter at once',
      { states: new Set(['running']), nodeId: 'n-1', name: 'web', idPrefix: '01J', labels: { tier: 'front' } },
      true,
    ],
  ])('%s: %s', (_what, filter, expected) => {
    expect(matchesFilter(record, filter)).toBe(expected);
  });
});

describe('walkStart', () => {
  it.each([
    [undefined, undefined, undefined],
    ['01JB', undefined, '01JB'],
    [undefined, '01JA', '01JA\uffff'],
    ['01JB', '01JA', '01JA\uffff'], // a cursor past the prefix's ids: start at their end
    ['01JA5', '01JA', '01JA5'], // a cursor among them: start there
  ])('cursor %j, prefix %j: %j', (before, prefix, expected) => {
    expect(walkStart(before, prefix)).toBe(expected);
  });
});
