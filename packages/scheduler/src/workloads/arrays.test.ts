import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError, type NormalizedWorkloadSpec } from '@mo/api';
import { memberIds, memberName, memberSpec, validateArraySpec, validateCount } from './arrays.js';
import { GroupIndex } from './groups.js';

const spec = (over: Partial<NormalizedWorkloadSpec> = {}): NormalizedWorkloadSpec => ({
  name: '',
  argv: ['true'],
  env: { A: '1' },
  workingDir: '',
  cpuMillis: 0,
  memoryBytes: 0,
  labels: {},
  gracePeriodMs: 0,
  driver: 'process',
  ...over,
});

function refusal(fn: () => unknown): { field: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidArgumentError) return { field: err.field, message: err.message };
    throw err;
  }
  throw new Error('not refused');
}

describe('validateCount', () => {
  it.each([0, 1, 2000, 10_000])('accepts %d', (n) => expect(validateCount(n)).toBe(n));
  it.each([-1, 10_001, 1.5, Number.NaN])('refuses %d, naming count', (n) => {
    const err = refusal(() => validateCount(n));
    expect(err.field).toBe('count');
    expect(err.message).toContain('between 1 and 10000');
  });
});

describe('members of an array', () => {
  it('get their index, the count and the group in env, and a suffixed name when named', () => {
    const s = spec({ name: 'web' });
    expect(memberSpec(s, 7, 10, 'G1')).toEqual({
      ...s,
      name: 'web-7',
      env: { A: '1', MO_INDEX: '7', MO_COUNT: '10', MO_GROUP: 'G1' },
    });
    expect(s.env).toEqual({ A: '1' }); // the array's spec is not changed
    expect(memberName('', 3)).toBe('');
  });

  it('refuses an env that sets what the array sets', () => {
    expect(refusal(() => validateArraySpec(spec({ env: { MO_INDEX: '0' } }), 2, 'G')).field).toBe(
      'spec.env["MO_INDEX"]',
    );
  });

  it('refuses a name the index suffix would take past 63 characters', () => {
    const name = 'a'.repeat(60);
    expect(() => validateArraySpec(spec({ name }), 100, 'G')).not.toThrow(); // a-99: 63
    const err = refusal(() => validateArraySpec(spec({ name }), 1000, 'G'));
    expect(err.field).toBe('spec.name');
    expect(err.message).toContain('-999');
  });

  it('refuses an env with no room left for the three variables', () => {
    const env = Object.fromEntries(Array.from({ length: 1023 }, (_, i) => [`V${i}`, '']));
    expect(refusal(() => validateArraySpec(spec({ env }), 2, 'G')).field).toBe('spec.env');
  });

  it('have distinct ids in ascending order, so index order is id order', () => {
    const ids = memberIds(10_000, 1_700_000_000_000);
    expect(new Set(ids).size).toBe(10_000);
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every((id) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id) && id.startsWith(ids[0]!.slice(0, 10)))).toBe(true);
  });
});

describe('GroupIndex', () => {
  it('lists a group newest first from a cursor, counts it, and forgets it with its last member', () => {
    const g = new GroupIndex();
    for (const id of ['a1', 'a2', 'a3']) g.add({ id, groupId: 'A' });
    g.add({ id: 'b1', groupId: 'B' });
    g.add({ id: 'solo' }); // not in an array: ignored
    expect([...g.descending('A')]).toEqual(['a3', 'a2', 'a1']);
    expect([...g.descending('A', 'a3')]).toEqual(['a2', 'a1']);
    expect([...g.descending('nope')]).toEqual([]);
    expect([g.count('A'), g.count('B'), g.size]).toEqual([3, 1, 2]);
    g.delete({ id: 'b1', groupId: 'B' });
    expect([g.count('B'), g.size]).toEqual([0, 1]);
  });
});
