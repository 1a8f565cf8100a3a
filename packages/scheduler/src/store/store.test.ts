// A deposed leader's background writes are expected to fail: logged at debug, every other failed
// write at error.
import { describe, expect, it } from '@jest/globals';
import { EtcdUnavailableError, FencedError } from './etcd/errors.js';
import { isDeposed, logPersistFailure } from './store.js';

function recorder() {
  const lines: Array<{ level: string; msg: string; fields?: object }> = [];
  return {
    lines,
    error: (msg: string, fields?: object) => lines.push({ level: 'error', msg, ...(fields ? { fields } : {}) }),
    debug: (msg: string, fields?: object) => lines.push({ level: 'debug', msg, ...(fields ? { fields } : {}) }),
  };
}

describe('isDeposed and logPersistFailure', () => {
  it('a fenced commit is logged at debug, naming the loss; any other failure at error', () => {
    const fenced = new FencedError('42', 'the leader key was created again');
    const unavailable = new EtcdUnavailableError('commit', ['127.0.0.1:2379'], 'deadline exceeded');
    expect(isDeposed(fenced)).toBe(true);
    expect(isDeposed(unavailable)).toBe(false);
    expect(isDeposed(undefined)).toBe(false);
    expect(isDeposed({ deposed: 'yes' })).toBe(false);

    const log = recorder();
    logPersistFailure(log, 'could not persist a workload', { id: 'W1' }, fenced);
    logPersistFailure(log, 'could not persist a workload', { id: 'W2' }, unavailable);
    expect(log.lines).toEqual([
      {
        level: 'debug',
        msg: 'could not persist a workload (no longer the leader)',
        fields: { id: 'W1', err: fenced.message },
      },
      { level: 'error', msg: 'could not persist a workload', fields: { id: 'W2', err: unavailable } },
    ]);
  });
});
