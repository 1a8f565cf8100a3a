// The running agent's /metrics, scraped over HTTP, parses and passes the real `promtool check metrics`.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { requireTool, startAgentProcess, type AgentProcess, testFetch } from '@mo/testkit';
import { execFileSync, spawnSync } from 'node:child_process';

let agent: AgentProcess;
const hasPromtool = spawnSync('promtool', ['--version']).status === 0;

beforeAll(async () => {
  agent = await startAgentProcess();
  // Some traffic so that counters and histograms have samples.
  const w = await agent.client.startWorkload({ argv: ['true'] });
  await agent.client.getWorkload(w.spec!.id);
  await agent.client.startWorkload({ argv: [] }).catch(() => undefined);
});

afterAll(async () => {
  await agent.kill('SIGTERM');
});

describe('the agent /metrics endpoint', () => {
  it('serves mo_ metrics in Prometheus text format that pass promtool', async () => {
    const res = await testFetch(`https://${agent.httpAddress}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^mo_agent_workload_starts_total\{result="ok"\} [1-9]/m);
    expect(text).toMatch(/^mo_agent_workload_starts_total\{result="invalid"\} [1-9]/m);
    expect(text).toMatch(/^mo_agent_grpc_requests_total\{method="StartWorkload",code="INVALID_ARGUMENT"\} 1/m);
    expect(text).toMatch(/^mo_node_memory_total_bytes [1-9]/m);
    expect(text).toMatch(/^mo_agent_workload_start_duration_seconds_count [1-9]/m);
    if (!requireTool(hasPromtool, 'promtool (Debian package prometheus)')) return;
    const out = execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(out.trim()).toBe('');
  });

  it('answers /healthz with the workload counts', async () => {
    const res = await testFetch(`https://${agent.httpAddress}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; workloads: Record<string, number> };
    expect(body.status).toBe('ok');
    expect((body.workloads.succeeded ?? 0) + (body.workloads.running ?? 0)).toBeGreaterThanOrEqual(1);
  });
});
