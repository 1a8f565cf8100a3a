// Following a log live: when the stream breaks (a network blip, a scheduler restart, an agent cut
// off) while the workload or step is still active, reconnect with capped, jittered backoff and join
// the new text at the seam (log-seam.ts says how). A stream that ends normally is done (the
// workload ended); an error answer (4xx) is shown, not retried. No DOM: test/log-follow.test.ts.
import { ApiError } from './errors.js';
import { RESUME_TAIL_LINES, type LogText } from './log-seam.js';
import type { FollowLogsOptions, LogSource } from './types.js';

/** What is used of the API client (Api.followLogs): a test gives an object literal. */
export interface LogFollower {
  followLogs(
    source: LogSource,
    onText: (text: string) => void,
    signal: AbortSignal,
    options?: FollowLogsOptions,
  ): Promise<void>;
}

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 10_000;
/**
 * Consecutive 408 / 429 answers retried (the stream cap can still count the connection that just
 * broke); any other 4xx is final at once, and so is a 4xx past this.
 */
const MAX_BUSY_RETRIES = 5;

export type FollowStatus =
  | { kind: 'connecting' }
  | { kind: 'following'; reconnects: number }
  | { kind: 'retrying'; why: string; inMs: number; attempt: number }
  | { kind: 'ended' }
  | { kind: 'stopped'; why: string };

export interface FollowOptions {
  api: LogFollower;
  source: LogSource;
  log: LogText;
  /** The log's text changed. */
  onText: () => void;
  onStatus: (s: FollowStatus) => void;
  /** Whether the workload or step is still running: only then is a broken stream reopened. */
  isActive: () => boolean;
  signal: AbortSignal;
  /** The first wait before a reconnect and its cap (tests shorten them). */
  retryMs?: { first: number; max: number };
}

function describe(e: unknown): string {
  if (e instanceof ApiError) return `${e.code}: ${e.message}`;
  return `connection lost (${e instanceof Error ? e.message : String(e)})`;
}

/** Whether an error is worth another try: a broken connection or a 5xx, not a refusal. */
function retryable(e: unknown, busyRetries: number): boolean {
  if (!(e instanceof ApiError)) return true; // fetch's TypeError: the connection failed or broke
  if (e.status === 408 || e.status === 429) return busyRetries < MAX_BUSY_RETRIES;
  return e.status >= 500;
}

/** Resolves after ms, or at once when the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** Follows until the stream ends normally, fails for good, or the signal aborts. */
export async function followWithReconnect(o: FollowOptions): Promise<void> {
  const { first, max } = o.retryMs ?? { first: FIRST_RETRY_MS, max: MAX_RETRY_MS };
  let retryMs = first;
  let reconnects = 0;
  let attempt = 0;
  let busy = 0;
  o.onStatus({ kind: 'connecting' });
  for (;;) {
    try {
      await o.api.followLogs(o.source, (t) => o.log.push(t) && o.onText(), o.signal, {
        tailLines: o.log.text ? RESUME_TAIL_LINES : 0, // nothing shown yet: all of it
        onOpen: () => {
          retryMs = first; // an answered request resets the backoff
          attempt = 0;
          busy = 0;
          o.onStatus({ kind: 'following', reconnects });
        },
      });
      if (o.log.flush()) o.onText();
      return o.onStatus({ kind: 'ended' });
    } catch (e) {
      if (o.signal.aborted) return;
      if (e instanceof ApiError && (e.status === 408 || e.status === 429)) busy++;
      if (!retryable(e, busy)) return o.onStatus({ kind: 'stopped', why: describe(e) });
      if (!o.isActive())
        return o.onStatus({ kind: 'stopped', why: `${describe(e)}; it no longer runs, so not reconnecting` });
      attempt++;
      const wait = Math.round(retryMs * (0.75 + Math.random() / 4)); // jittered: viewers do not return in step
      o.onStatus({ kind: 'retrying', why: describe(e), inMs: wait, attempt });
      retryMs = Math.min(retryMs * 2, max);
      await sleep(wait, o.signal);
      if (o.signal.aborted) return;
      reconnects++;
      o.log.reconnect();
    }
  }
}

export function statusText(s: FollowStatus, gap: boolean): string {
  switch (s.kind) {
    case 'connecting':
      return 'connecting…';
    case 'following':
      if (s.reconnects === 0) return 'following';
      return gap ? 'following (reconnected; some output may be missing)' : 'following (reconnected)';
    case 'retrying':
      return `${s.why}; reconnecting in ${Math.ceil(s.inMs / 1000)} s, attempt ${s.attempt}`;
    case 'ended':
      return 'ended';
    case 'stopped':
      return `stopped: ${s.why}`;
  }
}
