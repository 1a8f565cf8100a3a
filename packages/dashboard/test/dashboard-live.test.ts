// END-TO-END: the dashboard in Chromium against a real cluster (testkit's startCluster: a real
// scheduler and two real agents, as `mo dev` runs them), through the scheduler's own HTTP listener
// serving both the dashboard and /api/v1.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureTestPki, requireTool, runMo, startCluster, type Cluster } from '@mo/testkit';

const CHROMIUM = '/usr/bin/chromium';
const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = process.env.MO_TEST_OUTPUT_DIR ?? join(PACKAGE, 'test-output', 'dashboard-live');

const haveChromium = requireTool(existsSync(CHROMIUM), `Debian's chromium (${CHROMIUM})`);
let cluster: Cluster | undefined;
let base = '';
let admin = '';
let browser: Browser;

/** The status of GET <scheme>://<http address>/api/v1/cluster with the token; 0 if nothing answered. */
function probe(scheme: 'https' | 'http', address: string, token: string, ca: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const [host, port] = [
      address.slice(0, address.lastIndexOf(':')),
      Number(address.slice(address.lastIndexOf(':') + 1)),
    ];
    const options = {
      host,
      port,
      path: '/api/v1/cluster',
      headers: { authorization: `Bearer ${token}` },
      ca,
      timeout: 3000,
    };
    const req = (scheme === 'https' ? httpsRequest : httpRequest)(options, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

function mo(token: string, ...args: string[]) {
  return runMo(args, { env: { MO_SCHEDULER_ADDR: cluster!.scheduler.grpcAddress, MO_TOKEN: token } });
}

beforeAll(async () => {
  if (!haveChromium) return;
  cluster = await startCluster({ agents: 2 });
  await cluster.waitForNodesUp(2);
  admin = readFileSync(join(cluster.scheduler.dataDir, 'bootstrap-token'), 'utf8').trim();
  const ca = readFileSync((await ensureTestPki()).ca);
  const http = cluster.scheduler.httpAddress;
  for (const scheme of ['https', 'http'] as const) {
    const status = await probe(scheme, http, admin, ca);
    if (status === 200) base = `${scheme}://${http}`;
    if (status !== 0) break; // it answered: that is its scheme
  }
  if (!base) throw new Error(`GET /api/v1/cluster on the scheduler's HTTP listener ${http} did not answer 200`);
  mkdirSync(OUT, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await cluster?.stop();
});

// Without chromium (outside CI) requireTool printed why these do nothing.
const running = (): boolean => haveChromium;

async function signedIn(token: string): Promise<Page> {
  // The run's CA is not the browser's: the certificate is checked by the probe above, not here.
  const page = await browser.newPage({ ignoreHTTPSErrors: true, viewport: { width: 1366, height: 900 } });
  await page.goto(`${base}/`);
  await page.getByLabel('Bearer token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Cluster' }).waitFor();
  return page;
}

describe('the dashboard against a real cluster', () => {
  it('shows the nodes on the overview', async () => {
    if (!running()) return;
    const page = await signedIn(admin);
    for (const n of ['node-1', 'node-2']) await page.getByRole('link', { name: n }).waitFor();
    await page.screenshot({ path: join(OUT, 'overview.png'), fullPage: true });
    await page.close();
  });

  it('shows a workload started from the CLI without a reload, and its logs stream in', async () => {
    if (!running()) return;
    const page = await signedIn(admin);
    await page.getByRole('link', { name: 'Workloads' }).click();
    const script = 'i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done';
    const started = await mo(admin, 'start', '--name', 'dash-live', '--', 'sh', '-c', script);
    expect(started.code).toBe(0);
    await page.getByRole('link', { name: 'dash-live' }).click({ timeout: 15_000 });
    await page.getByLabel('workload logs').getByText('tick 3').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(OUT, 'workload.png'), fullPage: true });
    await page.close();
  });

  it('approves a pipeline gate from the page and the graph turns green', async () => {
    if (!running()) return;
    const spec = join(OUT, 'gated.json');
    writeFileSync(
      spec,
      JSON.stringify({ name: 'gated', steps: [{ id: 'deploy', approval: true, command: ['true'] }] }),
    );
    const run = await mo(admin, '--json', 'pipeline', 'run', spec);
    expect(run.code).toBe(0);
    const id = (JSON.parse(run.stdout) as { pipeline: { id: string } }).pipeline.id;
    const page = await signedIn(admin);
    await page.goto(`${base}/#/pipelines/${id}`);
    const step = page.locator('svg.dag g[data-step="deploy"]');
    await step.getByText('awaiting approval').waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Approve deploy' }).click();
    // On a failure, what the page said (an error box, the step's state) and a screenshot.
    await step
      .getByText('succeeded')
      .waitFor({ timeout: 30_000 })
      .catch(async (err: Error) => {
        await page.screenshot({ path: join(OUT, 'pipeline-failed.png'), fullPage: true });
        throw new Error(`${err.message}\npage: ${(await page.locator('body').innerText()).slice(0, 2000)}`);
      });
    expect(await step.getAttribute('class')).toContain('tone-ok');
    await page.screenshot({ path: join(OUT, 'pipeline.png'), fullPage: true });
    await page.close();
  });

  it("shows a pipeline step's logs, chosen from the graph, through the step logs endpoint", async () => {
    if (!running()) return;
    const spec = join(OUT, 'talking.json');
    const talk = 'for i in 1 2 3 4 5; do echo said $i; sleep 0.3; done';
    writeFileSync(spec, JSON.stringify({ name: 'talking', steps: [{ id: 'talk', command: ['sh', '-c', talk] }] }));
    const run = await mo(admin, '--json', 'pipeline', 'run', spec);
    expect(run.code).toBe(0);
    const id = (JSON.parse(run.stdout) as { pipeline: { id: string } }).pipeline.id;
    const page = await signedIn(admin);
    await page.goto(`${base}/#/pipelines/${id}`);
    // Chosen before or after it starts: the page shows "not run yet" until the step has a workload.
    await page.locator('svg.dag g[data-step="talk"] a').click();
    await page.getByLabel('step talk logs').getByText('said 5').waitFor({ timeout: 30_000 });
    await page.getByRole('region', { name: 'Logs of step talk' }).getByText('Logs: ended').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(OUT, 'pipeline-step-logs.png'), fullPage: true });
    await page.close();
  });

  it('shows a read token no stop button', async () => {
    if (!running()) return;
    const made = await mo(admin, 'token', 'create', '--name', 'viewer', '--role', 'read');
    expect(made.code).toBe(0);
    const started = await mo(admin, '--json', 'start', '--name', 'dash-read', '--', 'sleep', '300');
    const id = (JSON.parse(started.stdout) as { workload: { id: string } }).workload.id;
    const page = await signedIn(made.stdout.trim());
    await page.goto(`${base}/#/workloads/${id}`);
    await page.getByRole('heading', { name: /Workload dash-read/ }).waitFor();
    expect(await page.getByRole('button', { name: 'Stop workload' }).count()).toBe(0);
    await page.close();
  });
});
