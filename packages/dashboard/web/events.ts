// The live event stream: GET /api/v1/events read with fetch and the SSE parser (EventSource cannot
// send Authorization), resumed with Last-Event-ID after a drop so no event is missed, reconnecting
// with capped, jittered backoff. Pages subscribe by kind (workload | node | pipeline | job).
import { createSseParser } from '../src/sse.js';
import { ApiError, type Api } from './api.js';

export type EventKind = 'workload' | 'node' | 'pipeline' | 'job';
export type StreamState = 'connecting' | 'live' | 'retrying' | 'refused';

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

type Listener = (data: { id?: string } & Record<string, unknown>) => void;

export class EventStream {
  private readonly listeners = new Map<EventKind, Set<Listener>>();
  private readonly stateListeners = new Set<(s: StreamState) => void>();
  private readonly abort = new AbortController();
  private lastEventId = '';
  private retryMs = FIRST_RETRY_MS;
  state: StreamState = 'connecting';

  constructor(private readonly api: Api) {
    void this.run();
  }

  on(kind: EventKind, fn: Listener): () => void {
    let set = this.listeners.get(kind);
    if (!set) this.listeners.set(kind, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  onState(fn: (s: StreamState) => void): () => void {
    this.stateListeners.add(fn);
    return () => this.stateListeners.delete(fn);
  }

  close(): void {
    this.abort.abort();
  }

  private setState(s: StreamState): void {
    this.state = s;
    for (const fn of this.stateListeners) fn(s);
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        const res = await this.api.events(this.lastEventId, signal);
        if (res.status === 401 || res.status === 403) throw new ApiError(res.status, 'UNAUTHENTICATED', 'refused');
        if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
        this.setState('live');
        this.retryMs = FIRST_RETRY_MS; // a connection that opened resets the backoff
        await this.read(res.body);
      } catch (e) {
        if (signal.aborted) return;
        if (e instanceof ApiError) return this.setState('refused'); // a new token is needed, not a retry
      }
      this.setState('retrying');
      const wait = this.retryMs * (0.5 + Math.random() / 2);
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const parser = createSseParser((m) => {
      this.lastEventId = m.lastEventId;
      const set = this.listeners.get(m.event as EventKind);
      if (!set || set.size === 0) return;
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(m.data) as typeof event;
      } catch {
        return; // one bad message must not end the stream
      }
      // A ClusterEvent (PipelineEvent) carries the workload, node or pipeline under its kind.
      const inner = event[m.event];
      const data = (inner && typeof inner === 'object' ? inner : event) as Parameters<Listener>[0];
      for (const fn of set) fn(data);
    }, this.lastEventId);
    const decoder = new TextDecoder();
    const reader = body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parser.feed(decoder.decode(value, { stream: true }));
      if (parser.retryMs !== undefined) this.retryMs = Math.max(parser.retryMs, FIRST_RETRY_MS);
    }
  }
}
