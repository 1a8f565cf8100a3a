// GET /api/v1/events: live events as Server-Sent Events, over the journal and cursor the gRPC
// Watch reads (events/cluster-watch.ts), so the sequence is the same: `id:` is the event's seq,
// `event:` its topic (workload | node; `caught_up` once the replay is sent, `error` before the
// scheduler ends a stream), `data:` the ClusterEvent as JSON. `?topic=pipeline` streams pipeline
// events instead (`event: pipeline`, a PipelineEvent), on WatchPipelines' own sequence: they are
// numbered apart, so one stream never mixes the two id spaces. A client resumes after a disconnect
// with `Last-Event-ID` (EventSource sends it) or `?after=N`, with no gap and no duplicate; a resume
// from before the retained window is refused (400 OUT_OF_RANGE: relist, then watch).
// Filters: `?topic=workload,node`, `?workload=ID`, `?pipeline=ID`; `?initial=true` sends the
// current state first. Bounds are the Watch's: a slot of the `watch` (`watch_pipelines`) stream
// cap, a writer whose buffer is bounded, a reader lagging past the journal's (queue's) bound or
// taking nothing for the stall timeout is cut off. A comment line every heartbeatMs keeps proxies
// from closing an idle stream.
import {
  BoundedWriter,
  every,
  InvalidArgumentError,
  responseJson,
  statusName,
  type ClusterEvent,
  type StreamLimits,
  type StreamSlot,
  type WatchPipelinesRequest__Output,
  type WatchRequest__Output,
} from '@mo/api';
import { clusterEventBytes, type ClusterEvents } from '../events/cluster-events.js';
import { ClusterWatchSource } from '../events/cluster-watch.js';
import { QueueWatchSource } from '../events/queue-watch.js';
import { pumpWatch, type WatchSource } from '../events/watch-stream.js';
import type { PipelineEvent as EnginePipelineEvent } from '../pipelines/manager.js';
import { toEvent } from '../server/pipeline-convert.js';
import { WATCH_QUEUE, WATCH_QUEUE_BYTES } from '../server/pipeline-service.js';
import type { PipelineCalls } from '../service/pipeline-calls.js';
import type { SchedulerCalls } from '../service/scheduler-calls.js';
import { route, type Route, type RouteInput } from './api.js';
import { ResponseCall } from './stream-call.js';

export const TOPICS = ['workload', 'node', 'pipeline'] as const;
export type Topic = (typeof TOPICS)[number];
/** Without ?topic=: the cluster's (pipeline events are numbered apart: a stream of their own). */
const DEFAULT_TOPICS: readonly Topic[] = ['workload', 'node'];

/** A comment every 15 s: proxies commonly drop a connection idle for 30-60 s. */
export const HEARTBEAT_MS = 15_000;
/** Bytes written to one stream and not yet taken by its socket (then the writer waits). */
const SSE_BUFFER_BYTES = 64 * 1024;

export type EventsRequest =
  | { kind: 'cluster'; watch: WatchRequest__Output; topics: ReadonlySet<Topic> }
  | { kind: 'pipelines'; watch: WatchPipelinesRequest__Output };

const SEQ_RE = /^\d{1,15}$/;

/** The query (and Last-Event-ID, which wins: EventSource resends the first URL) as a WatchRequest. */
export function parseEventsQuery(query: URLSearchParams, lastEventId: string | undefined): EventsRequest {
  for (const key of query.keys()) {
    if (!['topic', 'workload', 'pipeline', 'after', 'initial'].includes(key)) {
      throw new InvalidArgumentError(
        key.slice(0, 64),
        'is not a parameter of /api/v1/events (topic, workload, pipeline, after, initial)',
      );
    }
  }
  const topics = new Set<Topic>();
  for (const t of query.getAll('topic').flatMap((v) => v.split(','))) {
    if (!(TOPICS as readonly string[]).includes(t)) {
      throw new InvalidArgumentError(
        'topic',
        `unknown topic ${JSON.stringify(t.slice(0, 64))} (known: ${TOPICS.join(', ')})`,
      );
    }
    topics.add(t as Topic);
  }
  let afterSeq = 0;
  const after = lastEventId ?? query.get('after') ?? undefined;
  if (after !== undefined && after !== '') {
    const field = lastEventId !== undefined ? 'Last-Event-ID' : 'after';
    if (!SEQ_RE.test(after)) {
      throw new InvalidArgumentError(
        field,
        `must be an event's seq (a non-negative integer), got ${JSON.stringify(after.slice(0, 32))}`,
      );
    }
    afterSeq = Number(after);
  }
  const initial = query.get('initial');
  if (initial !== null && !['true', 'false', '1', '0'].includes(initial)) {
    throw new InvalidArgumentError('initial', `must be true or false, got ${JSON.stringify(initial.slice(0, 32))}`);
  }
  if (topics.has('pipeline')) {
    // Pipeline events have their own sequence (WatchPipelines'): one id space per stream.
    if (topics.size > 1) {
      throw new InvalidArgumentError(
        'topic',
        'pipeline events are numbered apart from workload and node events: open one stream with topic=pipeline and another for the rest',
      );
    }
    if (query.has('workload'))
      throw new InvalidArgumentError('workload', 'filters workload events, not topic=pipeline');
    if (initial !== null)
      throw new InvalidArgumentError(
        'initial',
        'is for workload and node events (pipeline events replay what is kept)',
      );
    return { kind: 'pipelines', watch: { pipelineId: query.get('pipeline') ?? '', afterSeq } };
  }
  if (query.has('pipeline')) throw new InvalidArgumentError('pipeline', 'filters pipeline events: add topic=pipeline');
  return {
    kind: 'cluster',
    watch: {
      workloadId: query.get('workload') ?? '',
      afterSeq,
      initialState: initial === 'true' || initial === '1',
      replayRetained: false,
    },
    topics: topics.size > 0 ? topics : new Set(DEFAULT_TOPICS),
  };
}

/** An event's topic (`caught_up` for the marker). */
function topicOf(e: ClusterEvent): Topic | 'caught_up' {
  if (e.workload) return 'workload';
  if (e.node) return 'node';
  return 'caught_up';
}

/** Each event's SSE text, made once whatever the number of streams (events are shared objects). */
const texts = new WeakMap<ClusterEvent, string>();

export function sseText(e: ClusterEvent): string {
  let text = texts.get(e);
  if (text === undefined) {
    text = `id: ${e.seq}\nevent: ${topicOf(e)}\ndata: ${responseJson('ClusterEvent', e)}\n\n`;
    texts.set(e, text);
  }
  return text;
}

/** The watch source's events in the stream's topics, as SSE text. */
class SseSource implements WatchSource<string> {
  constructor(
    private readonly inner: WatchSource<ClusterEvent>,
    private readonly topics: ReadonlySet<string>,
  ) {}

  next(): { message: string; bytes: number } | undefined {
    for (;;) {
      const item = this.inner.next();
      if (!item) return undefined;
      const topic = topicOf(item.message);
      if (topic !== 'caught_up' && !this.topics.has(topic)) continue;
      const text = sseText(item.message);
      return { message: text, bytes: Buffer.byteLength(text) };
    }
  }

  wait(signal: AbortSignal): Promise<void> {
    return this.inner.wait(signal);
  }

  close(): void {
    this.inner.close();
  }
}

export interface EventsContext {
  calls: SchedulerCalls;
  pipelines: PipelineCalls;
  events: ClusterEvents;
  streams: StreamLimits;
  heartbeatMs?: number;
}

/** The response as an event stream: headers now, heartbeats, errors in-band; `pump` feeds it. */
function startSse(
  ctx: EventsContext,
  res: RouteInput['res'],
  slot: StreamSlot,
  what: string,
  source: WatchSource<string>,
): void {
  let headed = false;
  const head = () => {
    if (headed) return;
    headed = true;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no', // nginx: do not buffer the stream
    });
  };
  const call = new ResponseCall<undefined, string>(undefined, res, {
    head,
    encode: (text) => text,
    onError: (err) => {
      // Said in the stream (the status is long sent), then the stream ends; the client may resume.
      const body = JSON.stringify({ code: statusName(err.code ?? 2), message: err.details ?? '' });
      if (!res.writableEnded && !res.destroyed) res.end(`event: error\ndata: ${body}\n\n`);
    },
  });
  call.once('cancelled', slot.release);
  head();
  res.write(': mo events\n\n'); // the headers go out now, not with the first event
  // ResponseCall has the parts of a grpc-js server stream BoundedWriter uses.
  const out = new BoundedWriter<string>(call as unknown as ConstructorParameters<typeof BoundedWriter<string>>[0], {
    what,
    slot,
    maxBufferedBytes: SSE_BUFFER_BYTES,
  });
  const heartbeat = every(ctx.heartbeatMs ?? HEARTBEAT_MS, () => {
    if (!res.writableEnded && !res.destroyed) res.write(': heartbeat\n\n');
  });
  void pumpWatch(out, source).finally(() => heartbeat.cancel());
}

function openClusterStream(
  ctx: EventsContext,
  r: Extract<EventsRequest, { kind: 'cluster' }>,
  { res }: RouteInput,
): undefined {
  const start = ctx.calls.watchStart(r.watch); // INVALID_ARGUMENT, OUT_OF_RANGE, NOT_FOUND: before any byte
  const slot = ctx.streams.acquire('watch'); // RESOURCE_EXHAUSTED (429) past the cap
  const source = new ClusterWatchSource<ClusterEvent>(ctx.events.journal, {
    key: r.watch.workloadId || undefined,
    afterSeq: start.afterSeq,
    snapshot: start.snapshot,
    caughtUp: (seq) => ({ seq, atMs: Date.now(), caughtUp: true }),
    sizeOf: clusterEventBytes,
  });
  startSse(ctx, res, slot, 'events', new SseSource(source, r.topics));
  return undefined;
}

/** Each pipeline event's SSE text, made once whatever the number of streams. */
const pipelineTexts = new WeakMap<EnginePipelineEvent, { message: string; bytes: number }>();

function pipelineSse(e: EnginePipelineEvent): { message: string; bytes: number } {
  let item = pipelineTexts.get(e);
  if (!item) {
    const message = `id: ${e.seq}\nevent: pipeline\ndata: ${responseJson('PipelineEvent', toEvent(e))}\n\n`;
    item = { message, bytes: Buffer.byteLength(message) };
    pipelineTexts.set(e, item);
  }
  return item;
}

function openPipelineStream(
  ctx: EventsContext,
  r: Extract<EventsRequest, { kind: 'pipelines' }>,
  { res }: RouteInput,
): undefined {
  const live: { source?: QueueWatchSource<EnginePipelineEvent, string> } = {};
  // Replay taken and live events subscribed in one tick (the source drops what it has by seq).
  const { replay, unsubscribe } = ctx.pipelines.watch(r.watch, (e) => live.source?.push(e));
  let slot: StreamSlot;
  try {
    slot = ctx.streams.acquire('watch_pipelines');
  } catch (err) {
    unsubscribe();
    throw err;
  }
  const source = new QueueWatchSource<EnginePipelineEvent, string>({
    what: 'pipeline events',
    afterSeq: r.watch.afterSeq,
    replay,
    toMessage: pipelineSse,
    maxQueued: WATCH_QUEUE,
    maxQueuedBytes: WATCH_QUEUE_BYTES,
  });
  live.source = source;
  res.once('close', unsubscribe);
  startSse(ctx, res, slot, 'pipeline events', source);
  return undefined;
}

export function eventRoutes(ctx: EventsContext): Route[] {
  return [
    route<EventsRequest>({
      method: 'GET',
      path: '/api/v1/events',
      rpc: '/mo.v1.Scheduler/Watch',
      request: (i) => {
        const last = i.req.headers['last-event-id'];
        return parseEventsQuery(i.query, Array.isArray(last) ? last[0] : last);
      },
      respond: (r, i) => (r.kind === 'cluster' ? openClusterStream(ctx, r, i) : openPipelineStream(ctx, r, i)),
    }),
  ];
}
