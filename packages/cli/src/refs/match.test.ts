import { describe, expect, it } from '@jest/globals';
import { decide, notFoundMessage, planLookup } from './match.js';

const ID = '01JABCDEFGHJKMNPQRSTVWXYZ0';

describe('planLookup', () => {
  it.each([
    [ID, { kind: 'exact', id: ID }],
    ['web', { kind: 'search', name: 'web' }],
    ['web-1.api', { kind: 'search', name: 'web-1.api' }],
    ['01jabc', { kind: 'search', name: '01jabc', idPrefix: '01JABC' }],
    ['01JABC', { kind: 'search', idPrefix: '01JABC' }],
    [ID.toLowerCase(), { kind: 'search', name: ID.toLowerCase(), idPrefix: ID }],
    ['01JABCDEFGHJKMNPQRSTVWXYZ0X', { kind: 'search' }], // too long for an id prefix, not a name
  ])('plans %j as %j', (ref, plan) => {
    if (Object.keys(plan).length === 1) {
      expect(() => planLookup(ref)).toThrow(/^id: .*not a workload id, id prefix/);
      return;
    }
    expect(planLookup(ref)).toEqual(plan);
  });

  it.each([
    ['', 'id: is empty'],
    ['ABC12', 'id: "ABC12": an id prefix needs at least 6 characters'],
    ['Web Server', 'id: "Web Server": not a workload id'],
  ])('refuses %j', (ref, message) => {
    expect(() => planLookup(ref)).toThrow(message);
  });

  it('names the flag the reference came from', () => {
    expect(() => planLookup('AB', '--workload')).toThrow(/^--workload: /);
  });
});

describe('decide', () => {
  const a = { id: 'A' };
  const b = { id: 'B' };
  it.each([
    ['one live name', { items: [a], total: 1 }, undefined, { kind: 'one', workload: a, by: 'name' }],
    ['one prefix', undefined, { items: [b], total: 1 }, { kind: 'one', workload: b, by: 'prefix' }],
    [
      'a name before a prefix',
      { items: [a], total: 1 },
      { items: [b], total: 1 },
      { kind: 'one', workload: a, by: 'name' },
    ],
    ['nothing', { items: [], total: 0 }, { items: [], total: 0 }, { kind: 'none' }],
    [
      'two of a name',
      { items: [a, b], total: 2 },
      undefined,
      { kind: 'ambiguous', by: 'name', candidates: [a, b], more: 0 },
    ],
    [
      'a prefix of many, past the first page',
      { items: [], total: 0 },
      { items: [a, b], total: 12 },
      { kind: 'ambiguous', by: 'prefix', candidates: [a, b], more: 10 },
    ],
  ])('%s', (_what, byName, byPrefix, expected) => {
    expect(decide(byName, byPrefix)).toEqual(expected);
  });
});

describe('notFoundMessage', () => {
  it.each([
    ['web', 'no workload "web": no live workload has that name'],
    ['01jabc', 'no workload "01jabc": no id starts with it and no live workload has that name'],
    ['01ja', 'no workload "01ja": no live workload has that name (id prefixes need 6+ characters)'],
  ])('%j', (ref, message) => {
    expect(notFoundMessage(ref, planLookup(ref))).toBe(message);
  });
});
