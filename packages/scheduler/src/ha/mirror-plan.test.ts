import { describe, expect, it } from '@jest/globals';
import {
  artifactKey,
  MIRROR_RETRY,
  nextFetches,
  planChange,
  planReconcile,
  retryDelayMs,
  toMirrorRecord,
  type LocalCopy,
  type MirrorRecord,
} from './mirror-plan.js';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

const rec = (pipelineId: string, stepId: string, path: string, sha256 = SHA_A, sizeBytes = 10): MirrorRecord => ({
  pipelineId,
  stepId,
  path,
  sha256,
  sizeBytes,
});
const copy = (r: MirrorRecord, over: Partial<LocalCopy> = {}): LocalCopy => ({
  key: artifactKey(r),
  pipelineId: r.pipelineId,
  sizeBytes: r.sizeBytes,
  sha256: r.sha256,
  ...over,
});
const byKey = (...rs: MirrorRecord[]) => new Map(rs.map((r) => [artifactKey(r), r]));

describe('planReconcile', () => {
  it('fetches what is missing or differs, hashes what has the size but no known digest, keeps the rest', () => {
    const same = rec('P1', 'build', 'dist/app');
    const missing = rec('P1', 'build', 'report');
    const otherSize = rec('P1', 'test', 'junit.xml');
    const otherSha = rec('P2', 'build', 'app');
    const unknown = rec('P2', 'build', 'lib');
    const plan = planReconcile(
      byKey(same, missing, otherSize, otherSha, unknown),
      [
        copy(same),
        copy(otherSize, { sizeBytes: 3 }),
        copy(otherSha, { sha256: SHA_B }),
        copy(unknown, { sha256: undefined }),
      ],
      ['P1', 'P2'],
    );
    expect(plan).toEqual({
      fetch: ['P1/build/report', 'P1/test/junit.xml', 'P2/build/app'],
      hash: ['P2/build/lib'],
      remove: [],
      removePipelines: [],
    });
  });

  it('removes copies no record names, and whole pipelines that have no record left', () => {
    const kept = rec('P1', 'build', 'app');
    const plan = planReconcile(
      byKey(kept),
      [copy(kept), copy(rec('P1', 'build', 'old')), copy(rec('P9', 'build', 'app'))],
      ['P1', 'P9', 'P8'], // P8: a directory with only a temp file
    );
    expect(plan).toEqual({ fetch: [], hash: [], remove: ['P1/build/old'], removePipelines: ['P9', 'P8'] });
  });

  it('fetches everything into an empty directory and removes everything when no record is left', () => {
    const a = rec('P1', 's', 'a');
    const b = rec('P2', 's', 'b');
    expect(planReconcile(byKey(a, b), [], []).fetch).toEqual(['P1/s/a', 'P2/s/b']);
    expect(planReconcile(new Map(), [copy(a), copy(b)], ['P1', 'P2']).removePipelines).toEqual(['P1', 'P2']);
  });
});

describe('planChange', () => {
  it('fetches a new or replaced artifact, keeps one already here, hashes one of unknown digest', () => {
    const r = rec('P1', 's', 'a');
    const records = byKey(r);
    expect(planChange('P1/s/a', r, undefined, records)).toEqual({ kind: 'fetch' });
    expect(planChange('P1/s/a', r, copy(r, { sha256: SHA_B }), records)).toEqual({ kind: 'fetch' });
    expect(planChange('P1/s/a', r, copy(r), records)).toEqual({ kind: 'keep' });
    expect(planChange('P1/s/a', r, copy(r, { sha256: undefined }), records)).toEqual({ kind: 'hash' });
  });

  it("removes a deleted artifact, and its pipeline's directory with the last record of it", () => {
    const other = rec('P1', 's', 'b');
    expect(planChange('P1/s/a', undefined, undefined, byKey(other))).toEqual({ kind: 'remove' });
    expect(planChange('P1/s/b', undefined, undefined, new Map())).toEqual({ kind: 'remove', pipelineId: 'P1' });
  });
});

describe('toMirrorRecord', () => {
  it('reads a stored record and refuses any other shape', () => {
    const r = { ...rec('P1', 's', 'a'), storedAtMs: 1, allocationId: 'x' };
    expect(toMirrorRecord(r)).toEqual(rec('P1', 's', 'a'));
    expect(toMirrorRecord(null)).toBeUndefined();
    expect(toMirrorRecord({ ...r, sha256: '' })).toBeUndefined();
    expect(toMirrorRecord({ ...r, sizeBytes: -1 })).toBeUndefined();
    expect(toMirrorRecord({ ...r, sizeBytes: '10' })).toBeUndefined();
  });
});

describe('retries', () => {
  it('doubles from 250 ms to at most 10 s, jittered within [half, whole]', () => {
    expect(retryDelayMs(1, 1)).toBe(MIRROR_RETRY.firstMs);
    expect(retryDelayMs(2, 1)).toBe(500);
    expect(retryDelayMs(3, 0)).toBe(500);
    expect(retryDelayMs(30, 1)).toBe(MIRROR_RETRY.maxMs);
    expect(retryDelayMs(30, 0)).toBe(MIRROR_RETRY.maxMs / 2);
  });

  it('starts at most the free slots, none before its retry time, and says when to look again', () => {
    const notBefore = new Map([
      ['b', 2000],
      ['d', 1500],
    ]);
    expect(nextFetches(['a', 'b', 'c', 'd'], notBefore, 4, 1000)).toEqual({ start: ['a', 'c'], wakeAtMs: 1500 });
    expect(nextFetches(['a', 'b', 'c'], notBefore, 1, 1000)).toEqual({ start: ['a'] });
    expect(nextFetches(['a', 'b'], notBefore, 0, 1000)).toEqual({ start: [] });
    expect(nextFetches(['b'], notBefore, 2, 2000)).toEqual({ start: ['b'] });
  });
});
