import { describe, expect, it } from '@jest/globals';
import type { WireSchedulerClient } from '@mo/api/wire';
import { WirePool, wireKey, type WireParts } from './wire-pool.js';

const base: WireParts = {
  address: '10.0.0.1:7600',
  deadlineMs: 10_000,
  env: {},
  tls: { ca: Buffer.from('ca'), cert: Buffer.from('cert'), key: Buffer.from('key') },
};

describe('the CLI helper connection pool', () => {
  it('keys a connection by everything it was made from', () => {
    const k = wireKey(base);
    expect(wireKey({ ...base, env: { PATH: '/bin' } })).toBe(k);
    for (const other of [
      { ...base, address: '10.0.0.2:7600' },
      { ...base, deadlineMs: 5_000 },
      { ...base, token: 'mo_a_b' },
      { ...base, env: { https_proxy: 'http://p:3128' } },
      { ...base, tls: { ...base.tls!, cert: Buffer.from('rotated') } },
      { ...base, tls: { ca: Buffer.from('ca') } },
    ]) {
      expect(wireKey(other)).not.toBe(k);
    }
    const { tls: _tls, ...insecure } = base;
    expect(wireKey(insecure)).not.toBe(k);
  });

  it('hands the same client to calls made the same way, and closes them all on close()', async () => {
    const made: Array<{ closed: boolean }> = [];
    const make = () => {
      const c = { closed: false, close: () => (c.closed = true) };
      made.push(c);
      return c as unknown as WireSchedulerClient;
    };
    const pool = new WirePool();
    const a = await pool.use(base, make, async (c) => c);
    const b = await Promise.all([1, 2].map(() => pool.use(base, make, async (c) => c)));
    const c = await pool.use({ ...base, token: 'mo_x_y' }, make, async (x) => x);
    expect(b).toEqual([a, a]);
    expect(c).not.toBe(a);
    expect(made).toHaveLength(2);
    expect(pool.size).toBe(2);
    pool.close();
    expect(made.every((m) => m.closed)).toBe(true);
    expect(pool.size).toBe(0);
  });
});
