// The running scheduler's /metrics (scraped over HTTP) carries node, placement, queue, workload and
// request (gRPC and /api/v1) figures, and passes the real `promtool check metrics`; /healthz answers.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { requireTool, startCluster, waitFor, type Cluster, testFetch } from '@mo/testkit';
import { execFileSync, spawnSync } from 'node:child_process';

const hasPromtool = spawnSync('promtool', ['--version']).status === 0;
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ agents: 1 });
  const client = cluster.scheduler.client;
  // Traffic: one placed and finished, one that cannot be placed, one rejected.
  const ok = await client.submitWorkload({ spec: { argv: ['true'] } });
  await client.submitWorkload({ spec: { argv: ['true'], resources: { memoryBytes: 2 ** 50 } } });
  await client.submitWorkload({ spec: { argv: [] } }).catch(() => undefined);
  // And over HTTP: one read, one not found.
  const api = `https://${cluster.scheduler.httpAddress}/api/v1`;
  expect((await testFetch(`${api}/cluster`)).status).toBe(200);
  expect((await testFetch(`${api}/workloads/01M8V5CBJHJT48AVW70DJTAFFP`)).status).toBe(404);
  await waitFor(
    'first workload done',
    async () => (await client.getWorkload(ok.workload!.id)).state === 'WORKLOAD_STATE_SUCCEEDED',
  );
});
afterAll(async () => {
  await cluster?.stop();
});

describe('scheduler /metrics and /healthz', () => {
  it('serves mo_scheduler_ metrics that pass promtool', async () => {
    const res = await testFetch(`https://${cluster.scheduler.httpAddress}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^mo_scheduler_nodes\{status="up"\} 1$/m);
    expect(text).toMatch(/^mo_scheduler_nodes\{status="down"\} 0$/m);
    expect(text).toMatch(/^mo_scheduler_placements_total\{result="placed"\} [1-9]/m);
    expect(text).toMatch(/^mo_scheduler_placements_total\{result="failed"\} [1-9]/m);
    expect(text).toMatch(/^mo_scheduler_placement_rejections_total\{reason="memory"\} [1-9]/m);
    expect(text).toMatch(/^mo_scheduler_placement_duration_seconds_count [1-9]/m);
    expect(text).toMatch(/^mo_scheduler_queue_depth 1$/m);
    expect(text).toMatch(/^mo_scheduler_workloads\{state="pending"\} 1$/m);
    expect(text).toMatch(/^mo_scheduler_workloads\{state="succeeded"\} 1$/m);
    expect(text).toMatch(/^mo_scheduler_grpc_requests_total\{method="SubmitWorkload",code="INVALID_ARGUMENT"\} 1$/m);
    expect(text).toMatch(/^mo_scheduler_http_requests_total\{method="GetClusterStatus",code="OK"\} 1$/m);
    expect(text).toMatch(/^mo_scheduler_http_requests_total\{method="GetScheduledWorkload",code="NOT_FOUND"\} 1$/m);
    if (!requireTool(hasPromtool, 'promtool (Debian package prometheus)')) return;
    const out = execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(out.trim()).toBe('');
  });

  it('answers /healthz', async () => {
    const res = await testFetch(`https://${cluster.scheduler.httpAddress}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; nodes: number; queueDepth: number };
    expect(body.status).toBe('ok');
    expect(body.nodes).toBe(1);
    expect(body.queueDepth).toBe(1);
  });
});
