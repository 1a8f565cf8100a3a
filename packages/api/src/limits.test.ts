import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from './errors.js';
import { LIMITS, limitsMarkdown } from './limits.js';
import { PROTO_ROOT } from './proto.js';
import { newStringMap, quote, validateArgvShape, validateEnv, validateLabels } from './validation.js';

const fieldOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return (err as InvalidArgumentError).field;
  }
};

describe('the documented limits', () => {
  it('README.md carries the table limits.ts builds', () => {
    const readme = readFileSync(join(PROTO_ROOT, '..', 'README.md'), 'utf8');
    const block = /<!-- limits:start -->\n([\s\S]*?)\n<!-- limits:end -->/.exec(readme)?.[1];
    expect(block?.trim()).toBe(limitsMarkdown());
  });

  it('names the argument that takes argv past its total size', () => {
    const big = 'a'.repeat(60 * 1024);
    expect(fieldOf(() => validateArgvShape(['x', big, big, big]))).toBe('spec.argv[3]');
    expect(fieldOf(() => validateArgvShape(['x', big, big]))).toBeUndefined();
  });

  it('names the variable that takes env past its total size, and a too-long name', () => {
    const v = 'v'.repeat(60 * 1024);
    expect(fieldOf(() => validateEnv({ A: v, B: v, C: v }))).toBe('spec.env["C"]');
    expect(fieldOf(() => validateEnv({ ['K'.repeat(LIMITS.envKeyBytes + 1)]: '' }))).toMatch(/^spec\.env\["KKK/);
  });

  it('keeps __proto__ and constructor as ordinary variables and labels', () => {
    const wire = JSON.parse('{"__proto__":"x","constructor":"y","PATH":"/bin"}') as Record<string, string>;
    const env = validateEnv(wire);
    expect(Object.keys(env)).toEqual(['__proto__', 'constructor', 'PATH']);
    expect(env['__proto__']).toBe('x');
    expect(Object.getPrototypeOf(env)).toBeNull();
    expect(newStringMap()['toString']).toBeUndefined();
    const labels = validateLabels(JSON.parse('{"constructor":"y"}') as Record<string, string>);
    expect(labels['constructor']).toBe('y');
  });

  it('cuts an echoed caller string to 128 characters', () => {
    const err = (() => {
      try {
        validateEnv({ ['-'.repeat(3_000_000)]: 'x' });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err?.message.length).toBeLessThan(400);
    expect(quote('q'.repeat(1000)).length).toBeLessThanOrEqual(130);
  });
});
