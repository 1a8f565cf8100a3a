// The log viewer shared by a workload's page and a pipeline step's: follows the logs live, and when
// the stream breaks (a network blip, a scheduler restart, an agent cut off) while the workload or
// step is still active, reconnects with capped backoff and joins the new text at the seam
// (log-seam.ts says how). A stream that ends normally is done; an error answer is shown, not retried.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Api, type LogSource } from './api.js';
import { LogText, RESUME_TAIL_LINES } from './log-seam.js';
import { Section, html, useApp } from './ui.js';

/** Log text kept in the page: a chatty workload must not grow the tab without bound. */
const MAX_LOG_CHARS = 200_000;
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 10_000;
/**
 * Consecutive 408 / 429 answers retried (the stream cap can still count the connection that just
 * broke); any other 4xx is final at once, and so is a 4xx past this.
 */
const MAX_BUSY_RETRIES = 5;

export type FollowStatus =
  | { kind: 'connecting' }
  | { kind: 'following'; reconnects: number; gap: boolean }
  | { kind: 'retrying'; why: string; inMs: number; attempt: number }
  | { kind: 'ended' }
  | { kind: 'stopped'; why: string };

export interface FollowOptions {
  api: Api;
  source: LogSource;
  log: LogText;
  /** The log's text changed. */
  onText: () => void;
  onStatus: (s: FollowStatus) => void;
  /** Whether the workload or step is still running: only then is a broken stream reopened. */
  isActive: () => boolean;
  signal: AbortSignal;
}

function describe(e: unknown): string {
  if (e instanceof ApiError) return `${e.code}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
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
  let retryMs = FIRST_RETRY_MS;
  let reconnects = 0;
  let attempt = 0;
  let busy = 0;
  o.onStatus({ kind: 'connecting' });
  for (;;) {
    try {
      await o.api.followLogs(o.source, (t) => o.log.push(t) && o.onText(), o.signal, {
        tailLines: o.log.text ? RESUME_TAIL_LINES : 0, // nothing shown yet: all of it
        onOpen: () => {
          retryMs = FIRST_RETRY_MS; // an answered request resets the backoff
          attempt = 0;
          busy = 0;
          o.onStatus({ kind: 'following', reconnects, gap: false });
        },
      });
      if (o.log.flush()) o.onText();
      return o.onStatus({ kind: 'ended' });
    } catch (e) {
      if (o.signal.aborted) return;
      if (e instanceof ApiError && (e.status === 408 || e.status === 429)) busy++;
      if (!retryable(e, busy)) return o.onStatus({ kind: 'stopped', why: describe(e) });
      if (!o.isActive())
        return o.onStatus({ kind: 'stopped', why: `${describe(e)} (no longer running: not reconnecting)` });
      attempt++;
      const wait = Math.round(retryMs * (0.75 + Math.random() / 4)); // jittered: viewers do not return in step
      o.onStatus({ kind: 'retrying', why: describe(e), inMs: wait, attempt });
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
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
      return `connection lost (${s.why}); reconnecting in ${Math.ceil(s.inMs / 1000)} s, attempt ${s.attempt}`;
    case 'ended':
      return 'ended';
    case 'stopped':
      return `stopped: ${s.why}`;
  }
}

/**
 * A log that follows `source` live. `active` says whether the workload or step still runs (read at
 * each break); `label` names the log for screen readers ("workload logs", "step build logs").
 */
export function LogViewer({
  source,
  active,
  label,
  title = 'Logs',
}: {
  source: LogSource;
  active: boolean;
  label: string;
  title?: string;
}) {
  const { api } = useApp();
  const [text, setText] = useState('');
  const [status, setStatus] = useState<FollowStatus>({ kind: 'connecting' });
  const [gap, setGap] = useState(false);
  const [round, setRound] = useState(0); // "Follow again" starts a new round
  const activeRef = useRef(active);
  activeRef.current = active;
  const pre = useRef<HTMLPreElement>(null);
  const key = JSON.stringify(source);
  useEffect(() => {
    const abort = new AbortController();
    const log = new LogText(MAX_LOG_CHARS);
    setText('');
    setGap(false);
    void followWithReconnect({
      api,
      source,
      log,
      onText: () => {
        setText(log.text);
        if (log.gap) setGap(true);
      },
      onStatus: setStatus,
      isActive: () => activeRef.current,
      signal: abort.signal,
    });
    return () => abort.abort();
  }, [api, key, round]);
  useEffect(() => {
    const el = pre.current;
    if (el) el.scrollTop = el.scrollHeight; // follow the tail, as `mo logs -f` does
  }, [text]);
  const done = status.kind === 'ended' || status.kind === 'stopped';
  return html`<${Section} title=${title}>
    <p class="meta">
      <span aria-live="polite" class=${`log-status log-${status.kind}`}>Logs: ${statusText(status, gap)}</span>
      ${done && html` <button type="button" onClick=${() => setRound((r) => r + 1)}>Follow again</button>`}
    </p>
    <pre class="logs" ref=${pre} tabindex="0" aria-label=${label}>${text}</pre>
  <//>`;
}
