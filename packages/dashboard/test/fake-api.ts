// A tiny in-test backend that speaks the /api/v1 contract of issue 16 with canned data, for the
// dashboard's RENDERING tests only: it checks that pages render, page and navigate, not the API.
// (The API's own tests, and test/dashboard-live.test.ts, run against a real scheduler.)
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Node, Pipeline, ScheduledWorkload } from '../web/types.js';

export const TOKENS: Readonly<Record<string, 'read' | 'operate'>> = {
  'op-token': 'operate',
  'read-token': 'read',
};

const STATES = ['RUNNING', 'RUNNING', 'PENDING', 'SUCCEEDED', 'FAILED'];
/** How often a running fake log writes a line. */
const LINE_EVERY_MS = 50;

/**
 * A log as an agent keeps it: lines written over time (one every LINE_EVERY_MS while it runs), read
 * with `tailLines` and followed; `cut` breaks its open streams mid-body, `end` ends them normally.
 */
export class FakeLog {
  readonly lines: string[] = [];
  private readonly followers = new Set<ServerResponse>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly prefix: string,
    running: boolean,
    written = 0,
  ) {
    for (let i = 0; i < written; i++) this.write();
    if (running) this.timer = setInterval(() => this.write(), LINE_EVERY_MS);
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  serve(req: IncomingMessage, res: ServerResponse, tailLines: number): void {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.write(this.lines.slice(tailLines > 0 ? -tailLines : 0).join(''));
    if (!this.running) return void res.end();
    this.followers.add(res);
    req.on('close', () => this.followers.delete(res));
  }

  /** Breaks every open stream without the chunked body's end, as a dropped connection does. */
  cut(): void {
    for (const res of this.followers) res.destroy();
    this.followers.clear();
  }

  /** The workload ended: no more lines, and every open stream ends normally. */
  end(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const res of this.followers) res.end();
    this.followers.clear();
  }

  private write(): void {
    const line = `${this.prefix} line ${this.lines.length + 1}\n`;
    this.lines.push(line);
    for (const res of this.followers) res.write(line);
  }
}

export class FakeApi {
  readonly nodes: Node[] = Array.from({ length: 3 }, (_, i) => ({
    id: `N${i + 1}`,
    name: `node-${i + 1}`,
    address: `10.0.0.${i + 1}:7610`,
    state: 'NODE_STATE_UP',
    eligible: true,
    capacity: { cpuMillis: 4000, memoryBytes: 8 * 2 ** 30 },
    reserved: { cpuMillis: 1000 * (i + 1), memoryBytes: String(2 ** 30 * (i + 1)) }, // int64 as a string
    metrics: { cpuUtilization: 0.2 * (i + 1), memoryTotalBytes: 8 * 2 ** 30, memoryAvailableBytes: 5 * 2 ** 30 },
    workloadsRunning: 2,
    lastHeartbeatMs: Date.now(),
  }));
  readonly workloads: ScheduledWorkload[] = Array.from({ length: 120 }, (_, i) => {
    const state = `WORKLOAD_STATE_${STATES[i % STATES.length]}`;
    const node = this.nodes[i % 3]!;
    const pending = state.endsWith('PENDING');
    return {
      id: `W${String(i).padStart(3, '0')}`,
      spec: { name: `job-${String(i).padStart(3, '0')}`, argv: ['sleep', '60'] },
      state,
      reason: pending ? 'no node has 8 CPU free (3 nodes: 3 lacked cpu)' : '',
      nodeId: pending ? '' : node.id,
      nodeName: pending ? '' : node.name!,
      attempt: 2,
      exit: state.endsWith('FAILED') ? { exited: true, exitCode: 3 } : null,
      createdAtMs: Date.now() - 60_000,
      updatedAtMs: Date.now(),
      events: [
        { state: 'WORKLOAD_STATE_PENDING', reason: 'submitted', atMs: Date.now() - 60_000 },
        { state, reason: 'placed', atMs: Date.now() - 30_000 },
      ],
      ports: [{ containerPort: 8080, hostPort: 31000 + i, hostIp: '0.0.0.0' }],
      previousAllocations: [{ allocationId: `A${i}`, nodeName: 'node-9', attempt: 1, state: 'WORKLOAD_STATE_LOST' }],
    };
  });
  readonly pipeline: Pipeline = {
    id: 'P1',
    name: 'release',
    state: 'PIPELINE_STATE_AWAITING_APPROVAL',
    steps: [
      {
        id: 'build',
        state: 'STEP_STATE_SUCCEEDED',
        needs: [],
        workloadId: 'W000',
        exit: { exited: true, exitCode: 0 },
      },
      { id: 'test', state: 'STEP_STATE_SUCCEEDED', needs: ['build'], workloadId: 'W003' },
      { id: 'lint', state: 'STEP_STATE_FAILED', needs: ['build'], reason: 'exit code 1', workloadId: 'W004' },
      { id: 'gate', state: 'STEP_STATE_AWAITING_APPROVAL', needs: ['test', 'lint'], approvalRequired: true },
      { id: 'deploy', state: 'STEP_STATE_WAITING', needs: ['gate'] },
    ],
    compensations: [],
  };
  private readonly streams = new Set<ServerResponse>();
  private seq = 0;
  /** Requests seen, for assertions ("the page sent a Bearer token", "Last-Event-ID on resume"). */
  readonly seen: { path: string; query: string; authorization?: string; lastEventId?: string }[] = [];
  /** Logs by `workload:ID` or `step:PIPELINE/STEP`, made on first request. */
  readonly logs = new Map<string, FakeLog>();
  /** Log requests answered with an error status instead, by the same keys. */
  readonly logErrors = new Map<string, number>();
  /** Requests by path cut with no answer (the connection dropped), this many times each. */
  readonly unanswered = new Map<string, number>();

  /** The log of a workload or a step, made on first use (a step's runs while the step does). */
  log(key: string): FakeLog {
    let log = this.logs.get(key);
    if (log) return log;
    const [kind, id = ''] = key.split(':');
    if (kind === 'workload') log = new FakeLog(`hello from ${id}`, true);
    else {
      const stepId = id.split('/')[1] ?? '';
      const step = this.pipeline.steps?.find((s) => s.id === stepId);
      const running = step?.state === 'STEP_STATE_RUNNING';
      log = new FakeLog(stepId, running, running ? 0 : 3);
    }
    this.logs.set(key, log);
    return log;
  }

  /** Stops every log's timer and stream (after the tests). */
  close(): void {
    for (const log of this.logs.values()) log.end();
    this.dropStreams();
  }

  /** Sends an event to every open /api/v1/events stream, as the scheduler would. */
  emit(kind: 'workload' | 'node' | 'pipeline', data: object): void {
    this.seq++;
    // As the scheduler frames them: a ClusterEvent (PipelineEvent) with the object under its kind.
    const event = JSON.stringify({ seq: this.seq, atMs: Date.now(), [kind]: data, event: kind });
    for (const res of this.streams) res.write(`id: ${this.seq}\nevent: ${kind}\ndata: ${event}\n\n`);
  }

  /** Ends every open event stream (a scheduler restart): the dashboard must come back on its own. */
  dropStreams(): void {
    for (const res of this.streams) res.destroy();
    this.streams.clear();
  }

  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://x');
    if (!url.pathname.startsWith('/api/v1/')) return false;
    const auth = req.headers.authorization;
    const lastEventId = req.headers['last-event-id'] as string;
    this.seen.push({ path: url.pathname, query: url.search, authorization: auth, lastEventId });
    const cuts = this.unanswered.get(url.pathname) ?? 0;
    if (cuts > 0) {
      this.unanswered.set(url.pathname, cuts - 1);
      req.socket.destroy();
      return true;
    }
    const access = TOKENS[(auth ?? '').replace(/^Bearer /, '')];
    const json = (status: number, body: unknown): boolean => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return true;
    };
    if (!access) return json(401, { code: 'UNAUTHENTICATED', message: 'a valid bearer token is required' });
    const parts = url.pathname.slice('/api/v1/'.length).split('/');
    const [kind, id] = parts;
    // `/pipelines/ID/steps/STEP/approve` as the scheduler has it; `/workloads/ID/logs`.
    const verb = kind === 'pipelines' && parts[2] === 'steps' ? parts[4] : parts[2];
    const stepId = kind === 'pipelines' && parts[2] === 'steps' ? parts[3] : undefined;
    if (req.method === 'POST' && access === 'read') {
      return json(403, { code: 'PERMISSION_DENIED', message: 'token:read may not operate' });
    }
    switch (kind) {
      case 'whoami':
        return json(200, { identity: 'token:test', access });
      case 'cluster':
        return json(200, {
          nodes: this.nodes,
          nodesTotal: this.nodes.length,
          queueDepth: this.workloads.filter((w) => w.state === 'WORKLOAD_STATE_PENDING').length,
          schedulerVersion: '0.1.0-fake',
          workloadCounts: this.workloads.reduce<Record<string, number>>((acc, w) => {
            const k = (w.state ?? '').replace('WORKLOAD_STATE_', '').toLowerCase();
            acc[k] = (acc[k] ?? 0) + 1;
            return acc;
          }, {}),
        });
      case 'events':
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
        res.write(': hello\n\n');
        this.streams.add(res);
        req.on('close', () => this.streams.delete(res));
        return true;
      case 'nodes':
        if (id && verb === 'drain' && req.method === 'POST') {
          // The node as DrainNode leaves it: draining, ineligible, one workload left.
          const n = this.nodes.find((x) => x.id === id)!;
          n.eligible = false;
          n.drain = {
            state: 'NODE_DRAIN_STATE_DRAINING',
            startedAtMs: Date.now(),
            deadlineMs: Date.now() + 3_600_000,
            force: false,
            drainedAtMs: 0,
            servicesLeft: 1,
            batchLeft: 0,
            workloadsLeft: 0,
          };
          return json(200, { node: n });
        }
        if (id)
          return this.one(
            res,
            this.nodes.find((n) => n.id === id),
          );
        return json(200, { nodes: this.nodes, nextPageToken: '' });
      case 'pipelines':
        if (id && verb && stepId && req.method === 'POST') return this.decide(req, res, verb, stepId);
        if (id && verb === 'logs' && stepId) return this.logsOf(req, res, url, `step:${id}/${stepId}`);
        if (id) return this.one(res, id === this.pipeline.id ? this.pipeline : undefined);
        return json(200, { pipelines: [this.pipeline], total: 1, nextPageToken: '' });
      case 'workloads':
        if (id && verb === 'logs') return this.logsOf(req, res, url, `workload:${id}`);
        if (id && verb === 'stop') return json(200, {});
        if (id)
          return this.one(
            res,
            this.workloads.find((w) => w.id === id),
          );
        return this.list(url, res);
    }
    return json(404, { code: 'NOT_FOUND', message: `no route ${url.pathname}` });
  }

  private one(res: ServerResponse, item: unknown): boolean {
    const [status, body] = item ? [200, item] : [404, { code: 'NOT_FOUND', message: 'no such id' }];
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    return true;
  }

  private list(url: URL, res: ServerResponse): boolean {
    const state = url.searchParams.get('states');
    const name = url.searchParams.get('name');
    const nodeId = url.searchParams.get('nodeId');
    const size = Number(url.searchParams.get('pageSize') || 100);
    const from = Number(url.searchParams.get('pageToken') || 0);
    const all = this.workloads.filter(
      (w) => (!state || w.state === state) && (!name || w.spec?.name === name) && (!nodeId || w.nodeId === nodeId),
    );
    const page = all.slice(from, from + size);
    const next = from + size < all.length ? String(from + size) : '';
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ workloads: page, total: all.length, nextPageToken: next }));
    return true;
  }

  private logsOf(req: IncomingMessage, res: ServerResponse, url: URL, key: string): boolean {
    const status = this.logErrors.get(key);
    if (status) {
      const code = status === 404 ? 'NOT_FOUND' : status === 403 ? 'PERMISSION_DENIED' : `HTTP_${status}`;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code, message: `logs of ${key} refused` }));
      return true;
    }
    this.log(key).serve(req, res, Number(url.searchParams.get('tailLines') || 0));
    return true;
  }

  private decide(req: IncomingMessage, res: ServerResponse, verb: string, stepId: string): boolean {
    req.resume();
    req.on('end', () => {
      const step = this.pipeline.steps?.find((s) => s.id === stepId);
      if (verb === 'approve' && step) {
        step.state = 'STEP_STATE_SUCCEEDED';
        step.approval = { approved: true, by: 'token:test' };
        this.pipeline.state = 'PIPELINE_STATE_RUNNING';
        const deploy = this.pipeline.steps?.find((s) => s.id === 'deploy');
        if (deploy) Object.assign(deploy, { state: 'STEP_STATE_RUNNING', workloadId: 'W010' });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      // Like the scheduler, the change reaches every viewer through the event stream, as a
      // PipelineEvent: the step's change, with the pipeline as it now is.
      this.emit('pipeline', {
        pipelineId: this.pipeline.id,
        stepId,
        state: verb === 'approve' ? 'succeeded' : 'failed',
        reason: `${verb}d by token:test`,
        pipeline: this.pipeline,
      });
    });
    return true;
  }
}
