// GET /api/v1/events: live events as Server-Sent Events, over the journal and cursor the gRPC
// Watch reads (events/cluster-watch.ts), so the sequence is the same: `id:` is the event's seq,
// `event:` its topic (workload | node | pipeline | job; `caught_up` once the replay is sent, `error`
// before the scheduler ends a stream), `data:` the ClusterEvent as JSON (a pipeline event's
// `pipeline` is a PipelineEvent, whose own `seq` is WatchPipelines'). A client resumes after a
// disconnect with `Last-Event-ID` (EventSource sends it) or `?after=N`, with no gap and no
// duplicate; a resume from before the retained window is refused (400 OUT_OF_RANGE: relist, then
// watch). Filters: `?topic=workload,node,pipeline,job` (default: all four), `?workload=ID`,
// `?pipeline=ID`, `?job=NAME` (that job's events: a reverse proxy's feed); `?initial=true` sends the current workloads and nodes first. Bounds are the
// Watch's: a slot of the `watch` stream cap, a writer whose buffer is bounded, a reader lagging
// past the journal's bound or taking nothing for the stall timeout is cut off. A comment line
// every heartbeatMs keeps proxies from closing an idle stream.
import {
  BoundedWriter,
  every,
  InvalidArgumentError,
  responseJson,
  statusName,
  type ClusterEvent,
  type StreamLimits,
  type StreamSlot,
  type WatchRequest__Output,
} from '@mo/api';
import { pumpWatch, type WatchSource } from '../events/watch-stream.js';
import type { SchedulerCalls } from '../service/scheduler-calls.js';
import { route, type Route, type RouteInput } from './api.js';
import { ResponseCall } from './stream-call.js';

export const TOPICS = ['workload', 'node', 'pipeline', 'job'] as const;
export type Topic = (typeof TOPICS)[number];

/** A comment every 15 s: proxies commonly drop a connection idle for 30-60 s. */
export const HEARTBEAT_MS = 15_000;
/** Bytes written to one stream and not yet taken by its socket (then the writer waits). */
const SSE_BUFFER_BYTES = 64 * 1024;

export interface EventsRequest {
  watch: WatchRequest__Output;
  topics: ReadonlySet<Topic>;
}

const SEQ_RE = /^\d{1,15}$/;

/** The query (and Last-Event-ID, which wins: EventSource resends the first URL) as a WatchRequest. */
export function parseEventsQuery(query: URLSearchParams, lastEventId: string | undefined): EventsRequest {
  for (const key of query.keys()) {
    if (!['topic', 'workload', 'pipeline', 'job', 'after', 'initial'].includes(key)) {
      throw new InvalidArgumentError(
        key.slice(0, 64),
        'is not a parameter of /api/v1/events (topic, workload, pipeline, job, after, initial)',
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
  const pipelineId = query.get('pipeline') ?? '';
  const workloadId = query.get('workload') ?? '';
  // A pipeline's stream is its events alone; a workload's has no pipeline events.
  if (pipelineId && topics.size > 0 && !(topics.size === 1 && topics.has('pipeline')))
    throw new InvalidArgumentError('topic', "with pipeline= the stream is that pipeline's events (topic=pipeline)");
  if (workloadId && topics.has('pipeline'))
    throw new InvalidArgumentError('topic', "with workload= the stream is that workload's events (no pipeline topic)");
  const job = query.get('job') ?? '';
  if (job && topics.size > 0 && !(topics.size === 1 && topics.has('job')))
    throw new InvalidArgumentError('topic', "with job= the stream is that job's events (topic=job)");
  if (job && (workloadId || pipelineId))
    throw new InvalidArgumentError('job', 'cannot be combined with workload= or pipeline=');
  const only: Topic[] | undefined = pipelineId ? ['pipeline'] : workloadId ? ['workload'] : job ? ['job'] : undefined;
  const chosen: ReadonlySet<Topic> = topics.size > 0 ? topics : new Set(only ?? TOPICS);
  return {
    watch: {
      workloadId,
      pipelineId,
      includePipelines: chosen.has('pipeline'),
      includeJobs: chosen.has('job'),
      job,
      afterSeq,
      initialState: initial === 'true' || initial === '1',
      replayRetained: false,
    },
    topics: chosen,
  };
}

/** An event's topic (`caught_up` for the marker). */
function topicOf(e: ClusterEvent): Topic | 'caught_up' {
  if (e.workload) return 'workload';
  if (e.node) return 'node';
  if (e.pipeline) return 'pipeline';
  if (e.job) return 'job';
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

function openStream(ctx: EventsContext, r: EventsRequest, { res }: RouteInput): undefined {
  const start = ctx.calls.watchStart(r.watch); // INVALID_ARGUMENT, OUT_OF_RANGE, NOT_FOUND: before any byte
  const slot = ctx.streams.acquire('watch'); // RESOURCE_EXHAUSTED (429) past the cap
  startSse(ctx, res, slot, 'events', new SseSource(ctx.calls.watchSource(start), r.topics));
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
      respond: (r, i) => openStream(ctx, r, i),
    }),
  ];
}
