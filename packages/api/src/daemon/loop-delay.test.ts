import { describe, expect, it } from '@jest/globals';
import { setTimeout as wait } from 'node:timers/promises';
import { EventLoopDelay } from './loop-delay.js';

describe('EventLoopDelay', () => {
  it('sees a blocked event loop in its max, and starts a new window after each snapshot', async () => {
    const d = new EventLoopDelay();
    try {
      await wait(30);
      const busyUntil = performance.now() + 150;
      while (performance.now() < busyUntil); // the loop is held for 150 ms
      await wait(30);
      const blocked = d.snapshot();
      expect(blocked.max).toBeGreaterThanOrEqual(0.1);
      expect(blocked.p50).toBeLessThanOrEqual(blocked.max);
      await wait(30);
      const after = d.snapshot();
      expect(after.max).toBeLessThan(blocked.max);
    } finally {
      d.close();
    }
  });
});
