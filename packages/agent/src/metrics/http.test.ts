import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { parseAddress, startMetricsServer, type HealthStatus, type MetricsServer } from '@mo/api';
import { createAgentMetrics, type AgentMetrics } from './registry.js';

const promtoolFound = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).error === undefined;
if (!promtoolFound && process.env.CI !== 'true') {
  console.warn('skipping the promtool lint of /metrics: `promtool` is not installed (Debian: apt install prometheus)');
}

describe('parseAddress', () => {
  it.each([
    ['127.0.0.1:7611', { host: '127.0.0.1', port: 7611 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
    ['0.0.0.0:65535', { host: '0.0.0.0', port: 65535 }],
    ['[::1]:7611', { host: '::1', port: 7611 }],
  ])('splits %s', (address, expected) => {
    expect(parseAddress(address)).toEqual(expected);
  });

  it.each(['7611', ':7611', 'host:', 'host:port', 'host:70000', '::1:7611', 'a b:1', ''])(
    'rejects %j naming the value',
    (address) => {
      expect(() => parseAddress(address)).toThrow(
        new Error(`invalid listen address ${JSON.stringify(address)}: expected host:port`),
      );
    },
  );
});

// registry.ts has no test file of its own yet; what the endpoint relies on is checked here.
describe('createAgentMetrics', () => {
  it('keeps each agent in its own registry, so two agents can share a process', async () => {
    const a = createAgentMetrics({ version: '1', node: 'a', defaultMetrics: false });
    const b = createAgentMetrics({ version: '1', node: 'b', defaultMetrics: false });
    a.setWorkloadCounts({ running: 5 });
    expect(await b.registry.metrics()).toContain('mo_agent_workloads{state="running"} 0');
    expect(await a.registry.metrics()).toContain('mo_agent_workloads{state="running"} 5');
  });

  it('sets every state on each update, back to 0 for the ones left out', async () => {
    const m = createAgentMetrics({ version: '1', node: 'a', defaultMetrics: false });
    m.setWorkloadCounts({ running: 5, starting: 1 });
    m.setWorkloadCounts({ succeeded: 6, bogus: 9 });
    const text = await m.registry.metrics();
    expect(text).toContain('mo_agent_workloads{state="running"} 0');
    expect(text).toContain('mo_agent_workloads{state="starting"} 0');
    expect(text).toContain('mo_agent_workloads{state="succeeded"} 6');
    expect(text).not.toContain('bogus');
  });

  it('observes start durations only for successful starts', async () => {
    const m = createAgentMetrics({ version: '1', node: 'a', defaultMetrics: false });
    m.recordStart('ok', 0.002);
    m.recordStart('error', 5);
    const text = await m.registry.metrics();
    expect(text).toContain('mo_agent_workload_start_duration_seconds_count 1');
    expect(text).toContain('mo_agent_workload_start_duration_seconds_bucket{le="0.0025"} 1');
    expect(text).toContain('mo_agent_workload_starts_total{result="error"} 1');
  });
});

describe('startMetricsServer', () => {
  let metrics: AgentMetrics;
  let server: MetricsServer;
  let health: HealthStatus = { ok: true };
  let base: string;

  beforeAll(async () => {
    metrics = createAgentMetrics({ version: '0.1.0-test', node: 'node-a' });
    server = await startMetricsServer({ address: '127.0.0.1:0', registry: metrics.registry, health: () => health });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server.close();
  });

  it('binds a free port when asked for port 0', () => {
    expect(server.port).toBeGreaterThan(0);
  });

  it('serves the registry in the Prometheus text format', async () => {
    metrics.setWorkloadCounts({ running: 2, failed: 1 });
    metrics.setNodeMetrics({
      cpuUtilization: 0.25,
      memoryTotalBytes: 8 * 2 ** 30,
      memoryAvailableBytes: 2 ** 30,
      load1: 0.5,
      load5: 0.25,
      load15: 0.125,
    });
    metrics.recordStart('ok', 0.003);
    metrics.recordStart('invalid');
    metrics.recordExit('succeeded');
    metrics.recordGrpcRequest('/mo.v1.NodeAgent/StartWorkload', 'OK');

    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(metrics.registry.contentType);
    const text = await res.text();
    expect(text).toContain('mo_agent_workloads{state="running"} 2');
    expect(text).toContain('mo_agent_workloads{state="lost"} 0');
    expect(text).toContain(`mo_node_memory_total_bytes ${8 * 2 ** 30}`);
    expect(text).toContain('mo_agent_info{version="0.1.0-test",node="node-a"} 1');
    expect(text).toContain('mo_agent_workload_starts_total{result="invalid"} 1');
    expect(text).toContain('mo_agent_workload_start_duration_seconds_count 1');
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('nodejs_heap_size_used_bytes');
  });

  (promtoolFound || process.env.CI === 'true' ? it : it.skip)(
    'passes `promtool check metrics` without a single lint',
    async () => {
      if (!promtoolFound) {
        throw new Error('promtool is missing: CI must install it (Debian package `prometheus`) to lint /metrics');
      }
      const text = await (await fetch(`${base}/metrics`)).text();
      // Exit 0 means no parse errors and no lint problems (lint problems exit 3, errors 1).
      let output: string;
      try {
        output = execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: 'pipe' });
      } catch (err) {
        const e = err as { status: number | null; stdout: string; stderr: string };
        throw new Error(`promtool check metrics exited ${e.status}:\n${e.stdout}${e.stderr}`);
      }
      expect(output.trim()).toBe('');
    },
  );

  it('answers /healthz with 200 and the detail while healthy', async () => {
    health = { ok: true, detail: { workloads: 3, scheduler: 'connected', status: 'ignored' } };
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ status: 'ok', workloads: 3, scheduler: 'connected' });
  });

  it('answers /healthz with 503 while unhealthy', async () => {
    health = { ok: false, detail: { reason: 'state store unreadable' } };
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable', reason: 'state store unreadable' });
  });

  it('answers /healthz with 503 when the health check throws', async () => {
    const throwing = await startMetricsServer({
      address: '127.0.0.1:0',
      registry: metrics.registry,
      health: () => {
        throw new Error('boom');
      },
    });
    try {
      const res = await fetch(`http://127.0.0.1:${throwing.port}/healthz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable', error: 'Error: boom' });
    } finally {
      await throwing.close();
    }
  });

  it.each(['/', '/metrics/x', '/health', '/favicon.ico'])('answers %s with 404', async (path) => {
    const res = await fetch(`${base}${path}`);
    expect(res.status).toBe(404);
    await res.text();
  });

  it('ignores the query string', async () => {
    health = { ok: true };
    expect((await fetch(`${base}/healthz?verbose=1`)).status).toBe(200);
  });

  it.each(['POST', 'PUT', 'DELETE'])('answers %s /metrics with 405 and an Allow header', async (method) => {
    const res = await fetch(`${base}/metrics`, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    await res.text();
  });

  it('refuses an address already in use', async () => {
    await expect(
      startMetricsServer({ address: `127.0.0.1:${server.port}`, registry: metrics.registry, health: () => health }),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('closes idempotently, dropping keep-alive connections', async () => {
    const other = await startMetricsServer({
      address: '127.0.0.1:0',
      registry: metrics.registry,
      health: () => ({ ok: true }),
    });
    // fetch keeps the connection alive; close() must not wait for it to idle out.
    expect((await fetch(`http://127.0.0.1:${other.port}/healthz`)).status).toBe(200);
    const started = Date.now();
    await Promise.all([other.close(), other.close()]);
    await other.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(fetch(`http://127.0.0.1:${other.port}/healthz`)).rejects.toThrow();
  });
});
