import { describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { CallRateLimiter } from './call-rates.js';

describe('CallRateLimiter', () => {
  it('gives each identity its own bucket per class and says when to retry', () => {
    const l = new CallRateLimiter({
      mutating: { ratePerSecond: 10, burst: 3 },
      register: null,
      heartbeat: { ratePerSecond: 1, burst: 1 },
    });
    for (let i = 0; i < 3; i++) expect(l.check('token:ci', 'mutating', 0)).toBeUndefined();
    const refused = l.check('token:ci', 'mutating', 0)!;
    expect(refused.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(refused.retryAfterMs).toBe(100);
    expect(refused.message).toBe('token:ci: more than 10 mutating calls/s (burst 3); retry in 100 ms');
    // Another identity is not affected; 100 ms later one more call passes.
    expect(l.check('client:alice', 'mutating', 0)).toBeUndefined();
    expect(l.check('token:ci', 'mutating', 100)).toBeUndefined();
    // Unlimited and unlimited-by-default classes.
    for (let i = 0; i < 100; i++) expect(l.check('agent:n1', 'register', 0)).toBeUndefined();
    for (let i = 0; i < 100; i++) expect(l.check('token:ci', 'read', 0)).toBeUndefined();
    expect(l.check('agent:n1', 'heartbeat', 0)).toBeUndefined();
    expect(l.check('agent:n1', 'heartbeat', 0)?.retryAfterMs).toBe(1000);
  });
});
