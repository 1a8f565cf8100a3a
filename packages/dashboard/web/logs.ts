// The log viewer shared by a workload's page and a pipeline step's: the text, the status line
// (aria-live) and "Follow again"; log-follow.ts follows, reconnects and says how it goes.
import { useEffect, useRef, useState } from 'preact/hooks';
import { followWithReconnect, statusText, type FollowStatus } from './log-follow.js';
import { LogText } from './log-seam.js';
import type { LogSource } from './types.js';
import { Section, html, useApp } from './ui.js';

/** Log text kept in the page: a chatty workload must not grow the tab without bound. */
const MAX_LOG_CHARS = 200_000;

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
