// The HTTP API against a real scheduler and agent (TLS, bearer tokens), over real HTTPS calls:
// each endpoint, errors as gRPC words them (a bad field named; 404, 405, 413, bad JSON), roles from
// the same table as gRPC (a read token lists but cannot stop: 403), client certificates, paging,
// logs, pipelines with an approval gate, and the audit lines of changes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TokenClient, type AccessLevel } from '@mo/api';
import {
  apiCall,
  startCluster,
  testPki,
  testTokenOptions,
  waitFor,
  type ApiCallOptions,
  type Cluster,
} from '@mo/testkit';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
/** curl's flags for the run's CA and a token; the status follows the body after "\n::". */
const curlAuth = (token: string) => [
  '-sS',
  '--cacert',
  testPki().ca,
  '-H',
  `Authorization: Bearer ${token}`,
  '-w',
  '\n::%{http_code}',
];

let cluster: Cluster;
let admin: TokenClient;
let operator: string;
let reader: string;

type Json = Record<string, unknown> & { code?: string; message?: string };
interface Workload {
  id: string;
  state: string;
  spec: { name: string };
}

const call = (path: string, o: ApiCallOptions = {}) => apiCall(cluster.scheduler.httpAddress, path, o);
const asOperator = (path: string, o: ApiCallOptions = {}) => call(path, { token: operator, ...o });
const asReader = (path: string, o: ApiCallOptions = {}) => call(path, { token: reader, ...o });

async function makeToken(name: string, access: AccessLevel): Promise<string> {
  return (await admin.create({ name, access, ttlMs: 0 })).secret;
}

async function submit(name: string, argv: string[]): Promise<Workload> {
  const r = await asOperator('/api/v1/workloads', { method: 'POST', body: { spec: { name, argv } } });
  expect(r.status).toBe(200);
  return r.json<{ workload: Workload }>().workload;
}

async function stateOf(id: string): Promise<string> {
  return (await asReader(`/api/v1/workloads/${id}`)).json<Workload>().state;
}

beforeAll(async () => {
  cluster = await startCluster({ agents: 1 });
  const bootstrap = readFileSync(join(cluster.scheduler.dataDir, 'bootstrap-token'), 'utf8').trim();
  admin = new TokenClient(cluster.scheduler.grpcAddress, testTokenOptions(bootstrap));
  operator = await makeToken('http-operator', 'ACCESS_LEVEL_OPERATE');
  reader = await makeToken('http-reader', 'ACCESS_LEVEL_READ');
});

afterAll(async () => {
  admin?.close();
  await cluster?.stop();
});

describe('workloads over HTTP', () => {
  it('submits, gets, lists and stops a workload, as the gRPC calls do', async () => {
    const w = await submit('http-sleeper', ['sleep', '600']);
    expect(w.id).toMatch(/^[0-9A-Z]{26}$/);
    await waitFor('it runs', async () => (await stateOf(w.id)) === 'WORKLOAD_STATE_RUNNING', { timeoutMs: 15_000 });

    const got = await asReader(`/api/v1/workloads/${w.id}`);
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toMatch(/^application\/json/);
    expect(got.json()).toMatchObject({ id: w.id, spec: { name: 'http-sleeper', argv: ['sleep', '600'] } });

    const listed = await asReader('/api/v1/workloads?name=http-sleeper&states=WORKLOAD_STATE_RUNNING');
    expect(listed.json()).toMatchObject({ total: 1, workloads: [{ id: w.id }] });

    const stopped = await asOperator(`/api/v1/workloads/${w.id}/stop`, {
      method: 'POST',
      body: { gracePeriodMs: 1000 },
    });
    expect(stopped.status).toBe(200);
    expect(stopped.json<Workload>().id).toBe(w.id);
    await waitFor('it stops', async () => (await stateOf(w.id)) === 'WORKLOAD_STATE_STOPPED', { timeoutMs: 15_000 });

    const other = await submit('http-deleted', ['sleep', '600']);
    const deleted = await asOperator(`/api/v1/workloads/${other.id}?gracePeriodMs=500`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    await waitFor('DELETE stops it', async () => (await stateOf(other.id)) === 'WORKLOAD_STATE_STOPPED', {
      timeoutMs: 15_000,
    });
  });

  it('pages a list with pageSize and nextPageToken: every workload once', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await submit('http-paged', ['true'])).id);
    const seen: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const r = await asReader(`/api/v1/workloads?name=http-paged&pageSize=2&omitEvents=true&pageToken=${token}`);
      expect(r.status).toBe(200);
      const page = r.json<{ workloads: Workload[]; total: number; nextPageToken: string }>();
      expect(page.total).toBe(5);
      expect(page.workloads.length).toBeLessThanOrEqual(2);
      seen.push(...page.workloads.map((x) => x.id));
      token = encodeURIComponent(page.nextPageToken);
      pages++;
    } while (token && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen)).toEqual(ids);
    expect(seen).toHaveLength(5);
  });

  it("serves a workload's logs as text", async () => {
    const w = await submit('http-echo', ['sh', '-c', 'echo hello from http; echo oops >&2']);
    await waitFor('it ends', async () => (await stateOf(w.id)) === 'WORKLOAD_STATE_SUCCEEDED', { timeoutMs: 15_000 });
    const both = await asReader(`/api/v1/workloads/${w.id}/logs`);
    expect(both.status).toBe(200);
    expect(both.headers['content-type']).toMatch(/^text\/plain/);
    expect(both.text).toContain('hello from http\n');
    expect(both.text).toContain('oops\n');
    const out = await asReader(`/api/v1/workloads/${w.id}/logs?stream=stdout&tailLines=1`);
    expect(out.text).toBe('hello from http\n');
    const bad = await asReader(`/api/v1/workloads/${w.id}/logs?tailLines=x`);
    expect(bad.json()).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^tail_lines: /) });
  });

  it('follows a log as it grows (follow=true) until the workload ends', async () => {
    const w = await submit('http-follow', ['sh', '-c', 'echo first; sleep 1; echo second']);
    await waitFor('it runs', async () => (await stateOf(w.id)) !== 'WORKLOAD_STATE_PENDING', { timeoutMs: 15_000 });
    const started = Date.now();
    const followed = await asReader(`/api/v1/workloads/${w.id}/logs?follow=true`);
    expect(followed.status).toBe(200);
    expect(followed.text).toBe('first\nsecond\n');
    expect(Date.now() - started).toBeGreaterThan(500); // it waited for the second line
  });
});

describe('nodes and cluster status over HTTP', () => {
  it('lists nodes, gets one by name and id, and reports the cluster', async () => {
    const nodes = (await asReader('/api/v1/nodes')).json<{
      nodes: Array<{ id: string; name: string; state: string }>;
    }>().nodes;
    expect(nodes).toHaveLength(1);
    const n = nodes[0]!;
    expect(n.state).toBe('NODE_STATE_UP');
    expect((await asReader(`/api/v1/nodes/${n.name}`)).json()).toMatchObject({ id: n.id, name: n.name });
    expect((await asReader(`/api/v1/nodes/${n.id}`)).json()).toMatchObject({ id: n.id });
    const missing = await asReader('/api/v1/nodes/no-such-node');
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({ code: 'NOT_FOUND', message: 'node: no node "no-such-node"' });

    const status = await asReader('/api/v1/cluster?recentWorkloads=2');
    expect(status.status).toBe(200);
    const s = status.json<{ nodesTotal: number; recent: unknown[]; schedulerVersion: string }>();
    expect(s.nodesTotal).toBe(1);
    expect(s.recent.length).toBeLessThanOrEqual(2);
    expect(s.schedulerVersion).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('errors over HTTP', () => {
  it.each([
    ['an empty argv', { spec: { argv: [] } }, 'spec.argv: must not be empty'],
    ['argv as a string', { spec: { argv: 'sleep 1' } }, 'spec.argv: must be a JSON array, got string'],
    ['a number where text goes', { spec: { argv: ['true'], name: 5 } }, 'spec.name: must be a string, got number'],
    [
      'an unknown field',
      { spec: { argv: ['true'], shell: 'bash' } },
      'spec.shell: unknown field of mo.v1.WorkloadSpec',
    ],
    [
      'an unknown enum name',
      { spec: { argv: ['true'] }, scheduling: { priority: 'URGENT' } },
      'scheduling.priority: must be one of',
    ],
    ['a negative count', { spec: { argv: ['true'] }, count: -1 }, 'count'],
  ])('names the field of a bad submit: %s (400 INVALID_ARGUMENT)', async (_what, body, message) => {
    const r = await asOperator('/api/v1/workloads', { method: 'POST', body });
    expect(r.status).toBe(400);
    expect(r.json()).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(r.json<Json>().message).toContain(message);
  });

  it('answers 404 for an unknown workload and an unknown route, 405 with Allow, 400 for bad JSON', async () => {
    const missing = await asReader('/api/v1/workloads/01ARZ3NDEKTSV4RRFFQ69G5FAV');
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/^workload_id: /) });

    const route = await asReader('/api/v1/nothing-here');
    expect(route.status).toBe(404);
    expect(route.json()).toMatchObject({ code: 'NOT_FOUND' });

    const method = await asOperator('/api/v1/workloads', { method: 'PUT' });
    expect(method.status).toBe(405);
    expect(method.headers.allow).toBe('GET, POST');
    expect(method.json()).toMatchObject({ code: 'UNIMPLEMENTED' });

    const json = await asOperator('/api/v1/workloads', { method: 'POST', body: '{"spec": ' });
    expect(json.status).toBe(400);
    expect(json.json<Json>().message).toMatch(/^\(body\): is not JSON/);

    const query = await asReader('/api/v1/workloads?pageSize=many&colour=red');
    expect(query.status).toBe(400);
    expect(query.json<Json>().message).toMatch(/^(page_size|colour): /);
  });

  it.each([
    ['declared by Content-Length', []],
    ['sent chunked', ['-H', 'Transfer-Encoding: chunked']],
  ])('refuses a body past the gRPC message limit with 413 naming the limit (%s)', async (_how, extra) => {
    const dir = mkdtempSync(join(tmpdir(), 'mo-http-big-'));
    const file = join(dir, 'big.json');
    writeFileSync(file, JSON.stringify({ spec: { argv: ['true'], name: 'x'.repeat(5 * 1024 * 1024) } }));
    try {
      const { stdout } = await execFileP('curl', [
        ...curlAuth(operator),
        ...extra,
        '-X',
        'POST',
        '-H',
        'content-type: application/json',
        '--data-binary',
        `@${file}`,
        `https://${cluster.scheduler.httpAddress}/api/v1/workloads`,
      ]);
      const [body, status] = stdout.split('\n::');
      expect(status).toBe('413');
      expect(JSON.parse(body!)).toMatchObject({
        code: 'RESOURCE_EXHAUSTED',
        message: expect.stringContaining('more than 4194304 bytes (4 MiB'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The scheduler still serves.
    expect((await asReader('/api/v1/nodes')).status).toBe(200);
  });
});

describe('authentication and roles over HTTP (the gRPC access table)', () => {
  it('lets a read token list but not stop or submit (403 naming the access), and stores nothing', async () => {
    const w = await submit('http-guarded', ['sleep', '600']);
    expect((await asReader('/api/v1/workloads?name=http-guarded')).status).toBe(200);
    const stop = await asReader(`/api/v1/workloads/${w.id}/stop`, { method: 'POST' });
    expect(stop.status).toBe(403);
    expect(stop.json()).toEqual({
      code: 'PERMISSION_DENIED',
      message: 'StopScheduledWorkload needs operate access; token:http-reader has read',
    });
    const del = await asReader(`/api/v1/workloads/${w.id}`, { method: 'DELETE' });
    expect(del.status).toBe(403);
    const sub = await asReader('/api/v1/workloads', { method: 'POST', body: { spec: { argv: ['true'] } } });
    expect(sub.status).toBe(403);
    expect(await stateOf(w.id)).not.toBe('WORKLOAD_STATE_STOPPED');
    await asOperator(`/api/v1/workloads/${w.id}`, { method: 'DELETE' });
  });

  it('answers 401 without credentials or with a bad token, and takes a client certificate', async () => {
    const none = await call('/api/v1/nodes');
    expect(none.status).toBe(401);
    expect(none.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    const bad = await call('/api/v1/nodes', { token: 'mo_not_a_token' });
    expect(bad.status).toBe(401);
    expect(bad.json<Json>().message).toMatch(/bearer token refused/);
    const cert = await call('/api/v1/nodes', { pair: testPki().client });
    expect(cert.status).toBe(200);
  });

  it('writes the audit lines gRPC writes: a change, and a refusal', async () => {
    const w = await submit('http-audited', ['sleep', '600']);
    await asReader(`/api/v1/workloads/${w.id}/stop`, { method: 'POST' });
    await asOperator(`/api/v1/workloads/${w.id}/stop`, { method: 'POST' });
    const lines = readFileSync(join(cluster.scheduler.dataDir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Json);
    const about = lines.filter((l) => (l.targets as Record<string, unknown>).workload === w.id);
    // A refusal is decided before the request is read (as by the gRPC guard): it names no target.
    expect(lines).toContainEqual(
      expect.objectContaining({
        method: '/mo.v1.Scheduler/StopScheduledWorkload',
        identity: 'token:http-reader',
        code: 'PERMISSION_DENIED',
        message: 'StopScheduledWorkload needs operate access; token:http-reader has read',
      }),
    );
    expect(about).toEqual([
      expect.objectContaining({
        method: '/mo.v1.Scheduler/SubmitWorkload',
        identity: 'token:http-operator',
        code: 'OK',
      }),
      expect.objectContaining({
        method: '/mo.v1.Scheduler/StopScheduledWorkload',
        identity: 'token:http-operator',
        code: 'OK',
      }),
    ]);
  });
});

describe('pipelines over HTTP', () => {
  const gated = [
    'name: http-gated',
    'steps:',
    '  - id: build',
    '    command: ["true"]',
    '  - id: deploy',
    '    needs: [build]',
    '    approval: true',
    '    command: ["echo", "deployed"]',
  ].join('\n');
  type Pipeline = { id: string; state: string; steps: Array<{ id: string; state: string; approval: unknown }> };
  const pipelineOf = async (id: string) => (await asReader(`/api/v1/pipelines/${id}`)).json<Pipeline>();

  it('submits YAML, waits at the gate, is approved by the token, and ends; step logs are served', async () => {
    const r = await asOperator('/api/v1/pipelines', {
      method: 'POST',
      body: gated,
      headers: { 'content-type': 'application/yaml' },
    });
    expect(r.status).toBe(200);
    const id = r.json<{ pipeline: Pipeline }>().pipeline.id;
    await waitFor('the gate', async () => (await pipelineOf(id)).state === 'PIPELINE_STATE_AWAITING_APPROVAL', {
      timeoutMs: 20_000,
    });
    const denied = await asReader(`/api/v1/pipelines/${id}/steps/deploy/approve`, { method: 'POST' });
    expect(denied.status).toBe(403);
    const ok = await asOperator(`/api/v1/pipelines/${id}/steps/deploy/approve`, {
      method: 'POST',
      body: { reason: 'ship it' },
    });
    expect(ok.status).toBe(200);
    await waitFor('success', async () => (await pipelineOf(id)).state === 'PIPELINE_STATE_SUCCEEDED', {
      timeoutMs: 20_000,
    });
    const deploy = (await pipelineOf(id)).steps.find((s) => s.id === 'deploy')!;
    expect(deploy.approval).toMatchObject({ approved: true, by: 'token:http-operator', reason: 'ship it' });
    expect((await asReader(`/api/v1/pipelines/${id}/steps/deploy/logs`)).text).toBe('deployed\n');
    const listed = (await asReader('/api/v1/pipelines?name=http-gated')).json<{ pipelines: Pipeline[] }>();
    expect(listed.pipelines.map((p) => p.id)).toEqual([id]);
  });

  it('submits JSON, rejects at the gate, and cancels; bad specs name their field', async () => {
    const spec = { name: 'http-json', steps: [{ id: 'deploy', approval: true, command: ['true'] }] };
    const a = (await asOperator('/api/v1/pipelines', { method: 'POST', body: { spec } })).json<{
      pipeline: Pipeline;
    }>();
    await waitFor(
      'the gate',
      async () => (await pipelineOf(a.pipeline.id)).state === 'PIPELINE_STATE_AWAITING_APPROVAL',
    );
    const rejected = await asOperator(`/api/v1/pipelines/${a.pipeline.id}/steps/deploy/reject`, { method: 'POST' });
    expect(rejected.status).toBe(200);
    await waitFor('failed', async () => (await pipelineOf(a.pipeline.id)).state === 'PIPELINE_STATE_FAILED');

    const b = (await asOperator('/api/v1/pipelines', { method: 'POST', body: { spec: JSON.stringify(spec) } })).json<{
      pipeline: Pipeline;
    }>();
    const cancelled = await asOperator(`/api/v1/pipelines/${b.pipeline.id}/cancel`, {
      method: 'POST',
      body: { reason: 'no' },
    });
    expect(cancelled.status).toBe(200);
    await waitFor('cancelled', async () => (await pipelineOf(b.pipeline.id)).state === 'PIPELINE_STATE_CANCELLED');

    const cyclic = { name: 'http-cycle', steps: [{ id: 'a', needs: ['a'], command: ['true'] }] };
    const bad = await asOperator('/api/v1/pipelines', { method: 'POST', body: { spec: cyclic } });
    expect(bad.status).toBe(400);
    expect(bad.json<Json>().message).toMatch(/steps\[0\]\.needs/);
    expect((await asReader('/api/v1/pipelines/NOPE')).status).toBe(404);
  });
});
