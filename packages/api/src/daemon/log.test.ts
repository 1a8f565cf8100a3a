// The logger keeps what an Error carries: message (as before), code, causes, and a stack at warn
// and error.
import { describe, expect, it } from '@jest/globals';
import { createLogger } from './log.js';

function lines(level: Parameters<typeof createLogger>[0]) {
  const out: Record<string, unknown>[] = [];
  const log = createLogger(level, { component: 'test' }, (l) => out.push(JSON.parse(l) as Record<string, unknown>));
  return { log, out };
}

describe('createLogger', () => {
  it('logs an Error field as its message, code, causes and (at warn and error) stack', () => {
    const { log, out } = lines('debug');
    const root = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:7600'), { code: 'ECONNREFUSED' });
    const err = new Error('register failed', { cause: new Error('dial failed', { cause: root }) });
    log.warn('cannot register', { err });
    log.debug('retrying', { err });
    expect(out[0]).toMatchObject({
      level: 'warn',
      msg: 'cannot register',
      component: 'test',
      err: 'register failed',
      errCause: ['dial failed', 'connect ECONNREFUSED 10.0.0.1:7600'],
      errStack: expect.stringMatching(/^Error: register failed\n\s+at /),
    });
    expect(out[0]).not.toHaveProperty('errCode');
    expect(out[1]).toMatchObject({ level: 'debug', err: 'register failed' });
    expect(out[1]).not.toHaveProperty('errStack');
  });

  it('keeps a numeric code (a gRPC status) and a non-Error cause, and stops on a cycle', () => {
    const { log, out } = lines('info');
    const a = Object.assign(new Error('a'), { code: 14 });
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    log.error('boom', { reason: a, other: new Error('x', { cause: 'plain words' }) });
    expect(out[0]).toMatchObject({ reason: 'a', reasonCode: 14, otherCause: ['plain words'] });
    expect((out[0]!.reasonCause as string[]).length).toBe(5);
  });

  it('filters by level and leaves other fields as they are', () => {
    const { log, out } = lines('warn');
    log.info('quiet');
    log.error('loud', { n: 1, s: 'x' });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ msg: 'loud', n: 1, s: 'x' });
  });
});
