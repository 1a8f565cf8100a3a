// GET /api/v1/events (Server-Sent Events) against a real scheduler and agent: a stream cut off
// mid-way and resumed with Last-Event-ID (or ?after=) misses no event and repeats none, on the same
// sequence the gRPC Watch sends; topic and workload filters; heartbeats; resumes outside the window
// refused; the watch stream cap counts SSE streams too; the guard as for Watch.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TokenClient, type ClusterEvent__Output } from '@mo/api';
import {
  apiCall,
  openEventStream,
  startCluster,
  testTokenOptions,
  waitFor,
  type ApiCallOptions,
  type Cluster,
  type EventStreamReader,
  type SseEvent,
} from '@mo/testkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

let cluster: Cluster;
let admin: TokenClient;
let operator: string;
let reader: string;
const open: EventStreamReader[] = [];

const events = async (path: string, o: ApiCallOptions = {}) => {
  const s = await openEventStream(cluster.scheduler.httpAddress, path, { token: reader, ...o });
  open.push(s);
  return s;
};
const submit = async (argv: string[]): Promise<string> => {
  const r = await apiCall(cluster.scheduler.httpAddress, '/api/v1/workloads', {
    token: operator,
    method: 'POST',
    body: { spec: { argv } },
  });
  expect(r.status).toBe(200);
  return r.json<{ workload: { id: string } }>().workload.id;
};

interface Payload {
  seq: number;
  workload?: { id: string; state: string };
  node?: { id: string };
}
const payload = (e: SseEvent) => JSON.parse(e.data) as Payload;
const isEvent = (e: SseEvent) => e.event === 'workload' || e.event === 'node';
const ENDED = new Set(['WORKLOAD_STATE_SUCCEEDED', 'WORKLOAD_STATE_STOPPED']);
const ended = (id: string) => (e: SseEvent) =>
  e.event === 'workload' && payload(e).workload!.id === id && ENDED.has(payload(e).workload!.state);

beforeAll(async () => {
  cluster = await startCluster({
    agents: 1,
    schedulerArgs: ['--sse-heartbeat', '300ms', '--max-streams', 'watch=3', '--events-retained', '500'],
  });
  const bootstrap = readFileSync(join(cluster.scheduler.dataDir, 'bootstrap-token'), 'utf8').trim();
  admin = new TokenClient(cluster.scheduler.grpcAddress, testTokenOptions(bootstrap));
  operator = (await admin.create({ name: 'sse-operator', access: 'ACCESS_LEVEL_OPERATE', ttlMs: 0 })).secret;
  reader = (await admin.create({ name: 'sse-reader', access: 'ACCESS_LEVEL_READ', ttlMs: 0 })).secret;
});

afterAll(async () => {
  for (const s of open) s.close();
  admin?.close();
  await cluster?.stop();
});

describe('GET /api/v1/events', () => {
  it('resumes a stream cut off mid-way with Last-Event-ID: no gap, no duplicate, the gRPC Watch sequence', async () => {
    const first = await events('/api/v1/events');
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(/^text\/event-stream/);
    const caught = await first.waitFor((e) => e.event === 'caught_up');
    const startSeq = Number(caught.id);

    const early: string[] = [];
    for (let i = 0; i < 4; i++) early.push(await submit(['true']));
    await first.waitFor(ended(early[3]!));
    first.close();
    const seen1 = first.events.filter(isEvent);
    const lastId = seen1[seen1.length - 1]!.id!;

    // While nobody listens: more events.
    const late: string[] = [];
    for (let i = 0; i < 4; i++) late.push(await submit(['true']));
    await waitFor('the late ones to end', async () => {
      const r = await apiCall(cluster.scheduler.httpAddress, `/api/v1/workloads/${late[3]}`, { token: reader });
      return ENDED.has(r.json<{ state: string }>().state);
    });

    const second = await events('/api/v1/events', { headers: { 'last-event-id': lastId } });
    for (const id of late) await second.waitFor(ended(id));
    const seen2 = second.events.filter(isEvent);
    second.close();

    const seqs = [...seen1, ...seen2].map((e) => Number(e.id));
    expect(seqs[0]).toBe(startSeq + 1);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => startSeq + 1 + i)); // +1 each: no gap, no repeat
    for (const e of [...seen1, ...seen2]) expect(payload(e).seq).toBe(Number(e.id));

    // The gRPC Watch from the same point sends the same events.
    const grpcSeqs: number[] = [];
    const abort = new AbortController();
    for await (const e of cluster.scheduler.client.watch(
      { afterSeq: startSeq },
      abort.signal,
    ) as AsyncIterable<ClusterEvent__Output>) {
      if (e.caughtUp) break;
      if (e.seq <= seqs[seqs.length - 1]!) grpcSeqs.push(e.seq);
    }
    abort.abort();
    expect(grpcSeqs).toEqual(seqs);
  });

  it('resumes with ?after=N, refuses one outside the window (400 OUT_OF_RANGE) and a bad Last-Event-ID', async () => {
    const live = await events('/api/v1/events');
    const latest = Number((await live.waitFor((e) => e.event === 'caught_up')).id);
    live.close();
    const id = await submit(['true']);
    const resumed = await events(`/api/v1/events?after=${latest}`);
    await resumed.waitFor(ended(id));
    expect(Number(resumed.events.find(isEvent)!.id)).toBe(latest + 1);
    resumed.close();

    const ahead = await apiCall(cluster.scheduler.httpAddress, `/api/v1/events?after=${latest + 1_000_000}`, {
      token: reader,
    });
    expect(ahead.status).toBe(400);
    expect(ahead.json()).toMatchObject({
      code: 'OUT_OF_RANGE',
      message: expect.stringMatching(/^after_seq \d+ is ahead/),
    });
    const bad = await apiCall(cluster.scheduler.httpAddress, '/api/v1/events', {
      token: reader,
      headers: { 'last-event-id': 'yesterday' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^Last-Event-ID: /) });
    const topic = await apiCall(cluster.scheduler.httpAddress, '/api/v1/events?topic=weather', { token: reader });
    expect(topic.json()).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^topic: /) });
  });

  it('filters by topic and by workload, and sends heartbeat comments', async () => {
    const nodes = await events('/api/v1/events?topic=node&initial=true');
    await nodes.waitFor((e) => e.event === 'caught_up');
    const quiet = await submit(['true']);
    const watched = await submit(['sleep', '0.2']);
    const one = await events(`/api/v1/events?workload=${watched}&initial=true`);
    await one.waitFor(ended(watched));
    await waitFor('heartbeats', () => one.comments() >= 3, { timeoutMs: 5000 });
    expect(nodes.events.filter(isEvent).every((e) => e.event === 'node')).toBe(true);
    expect(nodes.events.some((e) => e.event === 'node')).toBe(true); // the snapshot names the node
    expect(one.events.filter(isEvent).every((e) => payload(e).workload?.id === watched)).toBe(true);
    expect(one.events.some((e) => e.event === 'workload' && payload(e).workload!.id === quiet)).toBe(false);
    nodes.close();
    one.close();
  });

  it('streams pipeline events on the same sequence as workload events, filtered and resumable', async () => {
    // The latest seq now: everything after it, unfiltered, must come with no gap.
    const probe = await events('/api/v1/events?initial=true&topic=node');
    await probe.waitFor((e) => e.event === 'caught_up');
    probe.close();
    const from = Number(probe.events.find((e) => e.event === 'caught_up')!.id);
    const spec = {
      name: 'sse-pipe',
      steps: [
        { id: 'a', command: ['true'] },
        { id: 'b', needs: ['a'], command: ['true'] },
      ],
    };
    const r = await apiCall(cluster.scheduler.httpAddress, '/api/v1/pipelines', {
      token: operator,
      method: 'POST',
      body: { spec },
    });
    const id = r.json<{ pipeline: { id: string } }>().pipeline.id;
    interface PipelinePayload {
      pipeline: { pipelineId: string; stepId: string; pipeline: { state: string } };
    }
    const pipe = (e: SseEvent) => JSON.parse(e.data) as PipelinePayload;
    const done = (e: SseEvent) =>
      e.event === 'pipeline' && pipe(e).pipeline.pipeline.state === 'PIPELINE_STATE_SUCCEEDED';

    // Everything, from before the submission: the pipeline's and its steps' workloads' events
    // interleaved on one sequence, every seq once.
    const everything = await events(`/api/v1/events?after=${from}`);
    await everything.waitFor(done);
    everything.close();
    const seqs = everything.events.filter((e) => e.event !== 'caught_up').map((e) => Number(e.id));
    expect(seqs).toEqual(seqs.map((_, i) => from + 1 + i));
    const kinds = new Set(everything.events.map((e) => e.event));
    expect(kinds.has('pipeline') && kinds.has('workload')).toBe(true);

    // One pipeline's events: a subsequence of the same numbers, resumable with Last-Event-ID.
    const one = await events(`/api/v1/events?pipeline=${id}&after=${from}`);
    await one.waitFor(done);
    one.close();
    const ids = one.events.filter((e) => e.event === 'pipeline').map((e) => Number(e.id));
    expect(ids.length).toBeGreaterThan(2);
    expect(ids).toEqual(everything.events.filter((e) => e.event === 'pipeline').map((e) => Number(e.id)));
    for (const e of one.events.filter((x) => x.event === 'pipeline')) expect(pipe(e).pipeline.pipelineId).toBe(id);
    const resumed = await events(`/api/v1/events?pipeline=${id}`, { headers: { 'last-event-id': String(ids[0]) } });
    await resumed.waitFor(done);
    resumed.close();
    expect(resumed.events.filter((e) => e.event === 'pipeline').map((e) => Number(e.id))).toEqual(ids.slice(1));

    // Without the pipeline topic (as a gRPC Watch without include_pipelines), none of them.
    const workloads = await events(`/api/v1/events?topic=workload,node&after=${from}`);
    await workloads.waitFor((e) => e.event === 'caught_up');
    workloads.close();
    expect(workloads.events.some((e) => e.event === 'pipeline')).toBe(false);
    expect(workloads.events.some((e) => e.event === 'workload')).toBe(true);

    const mixed = await apiCall(cluster.scheduler.httpAddress, `/api/v1/events?topic=workload&pipeline=${id}`, {
      token: reader,
    });
    expect(mixed.status).toBe(400);
    expect(mixed.json()).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/^topic: with pipeline= the stream is that pipeline's events/),
    });
  });

  it('counts against the watch stream cap (429 past it) and is guarded as Watch', async () => {
    const none = await apiCall(cluster.scheduler.httpAddress, '/api/v1/events', {});
    expect(none.status).toBe(401);
    // The cap (3 here) counts SSE streams and gRPC watches alike; earlier streams are gone.
    await waitFor('earlier streams released', async () => {
      const s = await events('/api/v1/events');
      s.close();
      return s.status === 200;
    });
    const held = [await events('/api/v1/events'), await events('/api/v1/events')];
    const abort = new AbortController();
    const grpcWatch = cluster.scheduler.client.watch({}, abort.signal)[Symbol.asyncIterator]();
    await grpcWatch.next();
    const refused = await apiCall(cluster.scheduler.httpAddress, '/api/v1/events', { token: reader });
    expect(refused.status).toBe(429);
    expect(refused.json()).toMatchObject({
      code: 'RESOURCE_EXHAUSTED',
      message: expect.stringContaining('watch streams'),
    });
    abort.abort();
    for (const s of held) s.close();
  });
});
