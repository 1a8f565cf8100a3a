// followWithReconnect against a scripted followLogs: which breaks are reconnected (and how), which
// ends and errors are final. The browser half of it is in dashboard-render.test.ts.
import { describe, expect, it } from '@jest/globals';
import { ApiError } from '../web/errors.js';
import { followWithReconnect, statusText, type FollowStatus } from '../web/log-follow.js';
import { LogText } from '../web/log-seam.js';
import type { FollowLogsOptions as CallOptions } from '../web/types.js';

/** One connection: what it writes, then how it ends (a thrown error, or a normal end). */
type Script = { text?: string; open?: boolean; fail?: unknown };

const broken = (): TypeError => new TypeError('network error');
const refused = (status: number, code: string): ApiError => new ApiError(status, code, 'no');

async function run(scripts: Script[], active = true, abortAfter = Infinity) {
  const calls: CallOptions[] = [];
  const statuses: FollowStatus[] = [];
  const abort = new AbortController();
  const log = new LogText(10_000);
  const api = {
    followLogs: async (_s: unknown, onText: (t: string) => void, _sig: AbortSignal, o: CallOptions = {}) => {
      calls.push({ tailLines: o.tailLines });
      if (calls.length >= abortAfter) abort.abort();
      const step = scripts.shift() ?? {};
      if (step.open !== false) o.onOpen?.();
      if (step.text) onText(step.text);
      if (step.fail) throw step.fail;
    },
  };
  await followWithReconnect({
    api,
    source: { pipelineId: 'P1', stepId: 'deploy' },
    log,
    onText: () => undefined,
    onStatus: (s) => statuses.push(s),
    isActive: () => active,
    signal: abort.signal,
    retryMs: { first: 4, max: 16 },
  });
  return { calls, statuses, log, last: statuses.at(-1)! };
}

describe('followWithReconnect', () => {
  it('stops at a normal end without reconnecting', async () => {
    const r = await run([{ text: 'a\n' }]);
    expect(r.calls).toHaveLength(1);
    expect(r.last).toEqual({ kind: 'ended' });
  });

  it('reconnects a broken stream with the tail, and joins the text at the seam', async () => {
    const r = await run([{ text: 'a\nb\n', fail: broken() }, { text: 'a\nb\nc\n' }]);
    expect(r.calls.map((c) => c.tailLines)).toEqual([0, 500]);
    expect(r.log.text).toBe('a\nb\nc\n');
    expect(r.statuses.map((s) => s.kind)).toEqual(['connecting', 'following', 'retrying', 'following', 'ended']);
    expect(r.statuses[3]).toEqual({ kind: 'following', reconnects: 1 });
    expect(statusText(r.statuses[2]!, false)).toMatch(
      /^connection lost \(network error\); reconnecting in 1 s, attempt 1$/,
    );
    expect(statusText(r.statuses[3]!, false)).toBe('following (reconnected)');
  });

  it('asks for all of the log again when nothing was shown before the break', async () => {
    const r = await run([{ open: false, fail: refused(503, 'UNAVAILABLE') }, { text: 'a\n' }]);
    expect(r.calls.map((c) => c.tailLines)).toEqual([0, 0]);
    expect(r.log.text).toBe('a\n');
  });

  it('backs off, doubling up to the cap, and an answered request starts it over', async () => {
    const down = { open: false, fail: refused(503, 'UNAVAILABLE') };
    const r = await run([down, down, down, down, { fail: broken() }, down, {}]);
    const waits = r.statuses.flatMap((s) => (s.kind === 'retrying' ? [s.inMs] : []));
    // first 4, cap 16, jittered down by at most a quarter
    const bounds = [4, 8, 16, 16, 4, 8];
    expect(waits).toHaveLength(bounds.length);
    waits.forEach((w, i) => {
      expect(w).toBeLessThanOrEqual(bounds[i]!);
      expect(w).toBeGreaterThanOrEqual(bounds[i]! * 0.75 - 1);
    });
    expect(r.last).toEqual({ kind: 'ended' });
  });

  it.each([
    [404, 'NOT_FOUND'],
    [403, 'PERMISSION_DENIED'],
    [401, 'UNAUTHENTICATED'],
    [400, 'FAILED_PRECONDITION'],
  ])('shows a %i answer and does not retry it', async (status, code) => {
    const r = await run([{ open: false, fail: refused(status, code) }, {}]);
    expect(r.calls).toHaveLength(1);
    expect(r.last).toEqual({ kind: 'stopped', why: `${code}: no` });
  });

  it('retries 429 (the stream cap) a few times, then shows it', async () => {
    const busy = { open: false, fail: refused(429, 'RESOURCE_EXHAUSTED') };
    const r = await run(Array.from({ length: 10 }, () => busy));
    expect(r.calls).toHaveLength(5);
    expect(r.last).toEqual({ kind: 'stopped', why: 'RESOURCE_EXHAUSTED: no' });
  });

  it('does not reconnect once the workload no longer runs', async () => {
    const r = await run([{ text: 'a\n', fail: broken() }, {}], false);
    expect(r.calls).toHaveLength(1);
    expect(r.last.kind).toBe('stopped');
    expect(statusText(r.last, false)).toBe(
      'stopped: connection lost (network error); it no longer runs, so not reconnecting',
    );
  });

  it('ends quietly when the viewer goes away (aborted)', async () => {
    const r = await run(
      Array.from({ length: 5 }, () => ({ open: false, fail: broken() })),
      true,
      2,
    );
    expect(r.calls).toHaveLength(2);
    expect(r.last.kind).toBe('retrying'); // no "stopped": nobody is left to read it
  });
});
