import { describe, expect, it } from '@jest/globals';
import { LoopBudget } from './loop-budget.js';

/** Keeps the event loop busy for ms (the synchronous part of a start, made long). */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** n pieces of work asked for in one turn, each `ms` long; resolves with what ran, in order. */
async function burst(budget: LoopBudget, n: number, ms: number, log: string[]): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const wait = budget.take();
      if (wait) await wait;
      log.push(`piece ${i}`);
      busy(ms);
    }),
  );
}

describe('LoopBudget', () => {
  it('lets uncontended work go on synchronously', () => {
    const budget = new LoopBudget(5);
    expect(budget.take()).toBeUndefined();
    expect(budget.take()).toBeUndefined(); // the same turn, well within its share
    expect(budget.waiting).toBe(0);
  });

  it('spreads a burst over turns, in order, with timers and immediates running between', async () => {
    const budget = new LoopBudget(5);
    const log: string[] = [];
    // Queued before the burst: with the burst in one turn, both would run only after it all.
    setImmediate(() => log.push('immediate'));
    setTimeout(() => log.push('timer'), 0);
    await burst(budget, 8, 3, log);
    const pieces = log.filter((l) => l.startsWith('piece'));
    expect(pieces).toEqual(Array.from({ length: 8 }, (_, i) => `piece ${i}`));
    // 3 ms pieces in 5 ms shares: at most two per turn, so the others ran after the immediate
    // (this turn's check phase) and the timer (the next turn's timers phase).
    expect(log.indexOf('immediate')).toBeLessThan(log.indexOf('piece 2'));
    expect(log.indexOf('timer')).toBeLessThan(log.indexOf('piece 7'));
    expect(budget.waiting).toBe(0);
  });

  it('keeps arrival order: a piece asked for while others wait goes after them', async () => {
    const budget = new LoopBudget(1);
    const log: string[] = [];
    const first = burst(budget, 3, 2, log);
    // The share is spent and two wait: this one queues behind them even once a share opens.
    const wait = budget.take();
    expect(wait).toBeDefined();
    const late = wait!.then(() => log.push('late'));
    await Promise.all([first, late]);
    expect(log).toEqual(['piece 0', 'piece 1', 'piece 2', 'late']);
  });
});
