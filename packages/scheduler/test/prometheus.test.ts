// A real Prometheus (Debian's `prometheus`) started with deploy/prometheus/prometheus.yml scrapes a
// real scheduler and two agents and reports every target up. Only the target addresses are
// rewritten (the daemons here listen on ephemeral ports); everything else is the committed file.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort, requireTool, startCluster, testPki, waitFor, type Cluster } from '@mo/testkit';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONFIG_PATH = fileURLToPath(new URL('../../../deploy/prometheus/prometheus.yml', import.meta.url));
const found = spawnSync('prometheus', ['--version'], { stdio: 'ignore' }).error === undefined;
const haveProm = requireTool(found, 'prometheus (Debian package prometheus)');
const describeProm = haveProm ? describe : describe.skip;

interface Target {
  labels: { job: string; instance: string };
  health: string;
  lastError: string;
}

describeProm('Prometheus with the deploy config', () => {
  let cluster: Cluster;
  let prom: ChildProcess | undefined;
  let promOutput = '';
  const scratch = mkdtempSync(join(tmpdir(), 'mo-prom-'));

  beforeAll(async () => {
    cluster = await startCluster({ agents: 2 });
  });
  afterAll(async () => {
    prom?.kill('SIGKILL');
    await cluster?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('reports the scheduler and every agent target up', async () => {
    const committed = readFileSync(CONFIG_PATH, 'utf8');
    const agentTargets = cluster.agents.map((a) => `'${a.httpAddress}'`).join(', ');
    // Prometheus scrapes over HTTPS with its own tls_config: the run's CA and a client certificate.
    const pki = testPki();
    const config = committed
      .replace(`['127.0.0.1:7601']`, `['${cluster.scheduler.httpAddress}']`)
      .replace(`['127.0.0.1:7611']`, `[${agentTargets}]`)
      .replaceAll('/etc/mo/tls/ca.pem', pki.ca)
      .replaceAll('/etc/mo/tls/client-prometheus.pem', pki.client.cert)
      .replaceAll('/etc/mo/tls/client-prometheus-key.pem', pki.client.key);
    expect(config).not.toBe(committed);
    writeFileSync(join(scratch, 'prometheus.yml'), config);
    const port = await freePort();
    prom = spawn(
      'prometheus',
      [
        `--config.file=${join(scratch, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(scratch, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prom.stdout!.on('data', (d: Buffer) => (promOutput += d.toString()));
    prom.stderr!.on('data', (d: Buffer) => (promOutput += d.toString()));

    let last: Target[] = [];
    try {
      await waitFor(
        'every target up in Prometheus',
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/api/v1/targets?state=active`);
          const body = (await res.json()) as { data: { activeTargets: Target[] } };
          last = body.data.activeTargets;
          return last.length === 3 && last.every((t) => t.health === 'up');
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
    } catch (err) {
      throw new Error(
        `${(err as Error).message}\ntargets: ${JSON.stringify(last, null, 1)}\nprometheus:\n${promOutput.slice(-3000)}`,
      );
    }
    const jobs = last.map((t) => t.labels.job).sort();
    expect(jobs).toEqual(['mo-agent', 'mo-agent', 'mo-scheduler']);
    // And the scheduler's own series are there, as scraped.
    const q = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=mo_scheduler_nodes`);
    const series = (
      (await q.json()) as { data: { result: Array<{ metric: { status: string }; value: [number, string] }> } }
    ).data.result;
    const up = series.find((s) => s.metric.status === 'up');
    expect(Number(up?.value[1])).toBe(2);
  });
});
