import { describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { ReplicaAcks, REPLICA_LIMITS, type ReplicaRef } from './replica-acks.js';

const art = (path: string, sha256 = 'a'.repeat(64)): ReplicaRef => ({ pipelineId: 'P', stepId: 's', path, sha256 });

/** A tracker on a clock the test moves. */
function world(options: { liveForMs?: number; maxMirrors?: number; rememberPerMirror?: number } = {}) {
  const clock = { ms: 1_000_000 };
  const acks = new ReplicaAcks({ ...options, now: () => clock.ms });
  return { clock, acks };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'OK';
  } catch (err) {
    return grpc.status[(err as { code: number }).code]!;
  }
}

describe('ReplicaAcks', () => {
  it('waits for nothing when no mirror has reported (a single scheduler)', async () => {
    const { acks } = world();
    expect(acks.live()).toEqual([]);
    await expect(acks.waitFor(art('x'), 60_000)).resolves.toEqual([]);
  });

  it('answers once every live mirror has reported the artifact with its sha256', async () => {
    const { acks } = world();
    acks.report('f1:7600', []);
    acks.report('f2:7600', []);
    let missing: string[] | undefined;
    const waiting = acks.waitFor(art('x'), 60_000).then((m) => (missing = m));
    acks.report('f1:7600', [art('x')]);
    // Another content of the same path is not this artifact.
    acks.report('f2:7600', [art('x', 'b'.repeat(64))]);
    await Promise.resolve();
    expect(missing).toBeUndefined();
    expect(acks.waiting).toBe(1);
    acks.report('f2:7600', [art('x')]);
    await waiting;
    expect(missing).toEqual([]);
    expect(acks.waiting).toBe(0);
  });

  it('counts a report that came before the wait (the mirror was quicker than the commit)', async () => {
    const { acks } = world();
    acks.report('f1:7600', [art('x')]);
    await expect(acks.waitFor(art('x'), 60_000)).resolves.toEqual([]);
  });

  it('names the mirrors that lag when the wait times out', async () => {
    const { acks } = world();
    acks.report('f1:7600', []);
    acks.report('f2:7600', []);
    const waiting = acks.waitFor(art('x'), 30);
    acks.report('f1:7600', [art('x')]);
    await expect(waiting).resolves.toEqual(['f2:7600']);
    expect(acks.waiting).toBe(0);
  });

  it('ends the wait when the signal aborts (the scheduler stops)', async () => {
    const { acks } = world();
    acks.report('f1:7600', []);
    const stop = new AbortController();
    const waiting = acks.waitFor(art('x'), 60_000, stop.signal);
    stop.abort();
    await expect(waiting).resolves.toEqual(['f1:7600']);
  });

  it('waits only for mirrors heard from within liveForMs', async () => {
    const { clock, acks } = world({ liveForMs: 30_000 });
    acks.report('old:7600', []);
    clock.ms += 20_000;
    acks.report('new:7600', []);
    expect(acks.live().sort()).toEqual(['new:7600', 'old:7600']);
    clock.ms += 15_000;
    expect(acks.live()).toEqual(['new:7600']);
    const waiting = acks.waitFor(art('x'), 60_000);
    acks.report('new:7600', [art('x')]);
    await expect(waiting).resolves.toEqual([]);
  });

  it('bounds the mirrors (silent ones are forgotten first), their memory, a report and a name', () => {
    const { clock, acks } = world({ maxMirrors: 2, rememberPerMirror: 2, liveForMs: 1000 });
    acks.report('a', []);
    acks.report('b', []);
    expect(codeOf(() => acks.report('c', []))).toBe('RESOURCE_EXHAUSTED');
    clock.ms += 2000;
    acks.report('b', []);
    expect(codeOf(() => acks.report('c', []))).toBe('OK'); // 'a' was silent: forgotten
    expect(acks.live().sort()).toEqual(['b', 'c']);

    // Only the newest two tokens are remembered.
    acks.report('b', [art('1'), art('2'), art('3')]);
    return Promise.all([
      expect(acks.waitFor(art('3'), 0)).resolves.not.toContain('b'),
      expect(acks.waitFor(art('1'), 0)).resolves.toContain('b'),
    ]).then(() => {
      const many = Array.from({ length: REPLICA_LIMITS.maxPerReport + 1 }, (_, i) => art(String(i)));
      expect(codeOf(() => acks.report('b', many))).toBe('INVALID_ARGUMENT');
      expect(codeOf(() => acks.report('', []))).toBe('INVALID_ARGUMENT');
      expect(codeOf(() => acks.report('b', [art('../x')]))).toBe('INVALID_ARGUMENT');
      expect(codeOf(() => acks.report('b', [art('x', 'nothex')]))).toBe('INVALID_ARGUMENT');
      expect(codeOf(() => acks.report('b', [{ ...art('x'), stepId: 'Bad Step' }]))).toBe('INVALID_ARGUMENT');
      expect(codeOf(() => acks.report('x'.repeat(REPLICA_LIMITS.maxMirrorBytes + 1), []))).toBe('INVALID_ARGUMENT');
    });
  });
});
