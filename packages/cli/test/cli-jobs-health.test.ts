// `mo run -f --wait` of a service with named ports and http checks (python's http.server) on a
// real scheduler and two agents: it waits past `running` for `healthy`, `mo service info` gives
// addresses that answer, `mo ps` and `mo status ID` show health, checks and named ports; a check
// that never passes fails the deployment and `--wait` exits 4 with the reason.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Job__Output, Service__Output } from '@mo/api';
import { requireTool, runMo, startCluster, type Cluster, type MoResult } from '@mo/testkit';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Workloads run with the agent's default PATH, as `nobody`: a python3 there is one they can run.
const PYTHON = ['/usr/local/bin', '/usr/bin', '/bin'].map((d) => join(d, 'python3')).find((p) => existsSync(p));
// Each agent its own range of host ports (two agents on one host would otherwise hand out the same).
const BASE = 43000 + Math.floor(Math.random() * 200) * 20;

let cluster: Cluster | undefined;
const dir = mkdtempSync(join(tmpdir(), 'mo-cli-jobs-health-'));

function mo(...args: string[]): Promise<MoResult> {
  return runMo(args, { env: { MO_SCHEDULER_ADDR: cluster!.scheduler.grpcAddress }, timeoutMs: 90_000 });
}

async function moJson<T>(...args: string[]): Promise<T> {
  const r = await mo('--json', ...args);
  if (r.code !== 0) throw new Error(`mo ${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** An http.server service on its named port `http`, checked at `path` every 300 ms. */
function serviceFile(name: string, path: string, update: string): string {
  const f = join(dir, `${name}.yaml`);
  writeFileSync(
    f,
    [
      `name: ${name}`,
      'count: 2',
      `command: [sh, -c, 'exec ${PYTHON} -m http.server $MO_PORT_HTTP --bind 127.0.0.1']`,
      'ports: [{ name: http }]',
      `checks: [{ name: ready, type: http, port: http, path: ${path}, interval: 300ms, timeout: 250ms }]`,
      `update: ${update}`,
      '',
    ].join('\n'),
  );
  return f;
}

beforeAll(async () => {
  if (!requireTool(PYTHON !== undefined, 'python3 in the workloads PATH')) return;
  cluster = await startCluster({
    agents: 2,
    agentArgs: (i) => ['--port-range', `${BASE + i * 10}-${BASE + i * 10 + 9}`],
  });
});

afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('mo run --wait with health checks', () => {
  it('waits until every instance is healthy; each address answers; ps and status show health and ports', async () => {
    if (!cluster) return;
    const f = serviceFile('web', '/', '{ min_healthy_time: 300ms }');
    const r = await mo('run', '-f', f, '--wait', '--wait-timeout', '60s');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^instances\s+2 running, 2 healthy, 0 pending$/m);
    expect(r.stdout).toMatch(/^\s+0\s+\S{26}\s+1\s+running\s+healthy\s+\S+\s+127\.0\.0\.1:\d+$/m);

    const svc = await moJson<Service__Output>('service', 'info', 'web');
    expect(svc.instances).toHaveLength(2);
    for (const i of svc.instances) {
      expect(i.health).toBe('HEALTH_HEALTHY');
      const res = await fetch(`http://${i.address}/`);
      expect(res.status).toBe(200);
    }

    const ps = await mo('ps', '--name', 'web-0');
    expect(ps.stdout).toMatch(/^ID\s+NAME\s+STATE\s+HEALTH\s+NODE\s+AGE\s+PORTS\s+COMMAND$/m);
    expect(ps.stdout).toMatch(/\sweb-0\s+running\s+healthy\s+\S+\s+\S+\s+http=\d+\s/);
    const job = await moJson<Job__Output>('job', 'status', 'web');
    const status = await mo('status', job.instances[0]!.workloadId);
    expect(status.stdout).toMatch(/^health\s+healthy since /m);
    expect(status.stdout).toMatch(/^checks\s+ready healthy \(HTTP 200\)$/m);
    expect(status.stdout).toMatch(/^ports\s+http=\S+:\d+$/m);
    expect(status.stdout).toMatch(/^job\s+web version 1, index \d/m);
    await mo('job', 'stop', 'web');
  });

  it('exits 4 with the reason when the instances never become healthy', async () => {
    if (!cluster) return;
    const f = serviceFile('sick', '/nope', '{ min_healthy_time: 300ms, healthy_deadline: 3s }');
    const r = await mo('run', '-f', f, '--wait', '--wait-timeout', '60s');
    expect(r.stderr).toMatch(/^waiting: job sick deployment version 1 running: .*[1-9] unhealthy/m);
    expect(r.stderr).toMatch(/^mo: deployment of version 1 failed/m);
    expect(r.code).toBe(4);
    await mo('job', 'stop', 'sick');
  });
});
