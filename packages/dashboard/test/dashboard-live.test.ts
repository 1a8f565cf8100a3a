// END-TO-END: the dashboard in Chromium against `mo dev` itself (testkit's startDev: the built CLI
// starting a scheduler and two agents, with its own certificates and bootstrap token, as a user runs
// it), through the scheduler's own HTTP listener serving both the dashboard and /api/v1. Screenshots
// of every page go to the test's output dir (the README shows the overview's).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { gotoSteadily, signInSteadily } from './navigate.js';
import { devMo, requireTool, startDev, waitFor, type Dev } from '@mo/testkit';

const CHROMIUM = '/usr/bin/chromium';
const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = process.env.MO_TEST_OUTPUT_DIR ?? join(PACKAGE, 'test-output', 'dashboard-live');

const haveChromium = requireTool(existsSync(CHROMIUM), `Debian's chromium (${CHROMIUM})`);
let dev: Dev | undefined;
let base = '';
let admin = '';
let browser: Browser;
/** Script errors and CSP violations in any page: the dashboard must run under its own strict CSP. */
const problems: string[] = [];

/** The status of GET https://<http address>/api/v1/cluster with the token, checked against mo dev's CA. */
function probe(address: string, token: string, ca: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const at = address.lastIndexOf(':');
    const options = {
      host: address.slice(0, at),
      port: Number(address.slice(at + 1)),
      path: '/api/v1/cluster',
      headers: { authorization: `Bearer ${token}` },
      ca,
      timeout: 5000,
    };
    const req = httpsRequest(options, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`GET /api/v1/cluster on ${address}: no answer in 5 s`)));
    req.end();
  });
}

function mo(token: string, ...args: string[]) {
  return devMo(dev!.ready.scheduler.grpcAddress, '--token', token, ...args);
}

beforeAll(async () => {
  if (!haveChromium) return;
  dev = await startDev('--agents', '2');
  const { scheduler, tls } = dev.ready;
  if (!tls) throw new Error('mo dev made no certificates: it should serve TLS by default');
  admin = readFileSync(scheduler.tokenFile, 'utf8').trim();
  // Its HTTP listener is TLS, with a certificate of its own CA, and the bootstrap token is admin.
  const status = await probe(scheduler.httpAddress, admin, readFileSync(tls.caCert));
  if (status !== 200) throw new Error(`GET /api/v1/cluster on mo dev's ${scheduler.httpAddress} answered ${status}`);
  base = `https://${scheduler.httpAddress}`;
  mkdirSync(OUT, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await dev?.stop();
  expect(problems).toEqual([]);
}, 60_000);

// Without chromium (outside CI) requireTool printed why these do nothing.
const running = (): boolean => haveChromium;

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
}

async function signedIn(token: string): Promise<Page> {
  // The run's CA is not the browser's: the certificate is checked by the probe above, not here.
  const page = await browser.newPage({ ignoreHTTPSErrors: true, viewport: { width: 1366, height: 900 } });
  // The refused token (401/403), a stream cut when the page closes and a request cut by the machine's
  // own network change (navigate.ts) are expected, nothing else.
  const expected = /401|403|ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_ABORTED|ERR_NETWORK_CHANGED/;
  page.on('console', (m) => m.type() === 'error' && !expected.test(m.text()) && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(String(e)));
  await signInSteadily(page, base, token);
  return page;
}

describe('the dashboard against a real cluster', () => {
  it('shows the nodes on the overview', async () => {
    if (!running()) return;
    const page = await signedIn(admin);
    for (const n of ['dev-0', 'dev-1']) await page.getByRole('link', { name: n }).waitFor();
    await page.getByRole('link', { name: 'Nodes', exact: true }).click();
    await page.getByRole('heading', { name: 'Nodes', level: 1 }).waitFor();
    await shot(page, 'nodes');
    await page.getByRole('link', { name: 'dev-1' }).click();
    await page.getByRole('heading', { name: /Node dev-1/, level: 1 }).waitFor();
    await shot(page, 'node');
    await page.close();
  });

  it('shows a workload started from the CLI without a reload, and its logs stream in', async () => {
    if (!running()) return;
    const page = await signedIn(admin);
    await page.getByRole('link', { name: 'Workloads' }).click();
    const script = 'i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done';
    const started = await mo(admin, 'start', '--name', 'dash-live', '--', 'sh', '-c', script);
    expect(started.code).toBe(0);
    await page.getByRole('link', { name: 'dash-live' }).waitFor({ timeout: 15_000 });
    await shot(page, 'workloads');
    await page.getByRole('link', { name: 'dash-live' }).click();
    await page.getByLabel('workload logs').getByText('tick 3').waitFor({ timeout: 15_000 });
    await shot(page, 'workload');
    // The overview with it running (the README's picture).
    await page.getByRole('link', { name: 'Cluster', exact: true }).click();
    await page.getByRole('link', { name: 'dev-0' }).waitFor();
    await page
      .getByText(/^1 running/)
      .first()
      .waitFor({ timeout: 15_000 });
    await shot(page, 'overview');
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
    await gotoSteadily(page, `${base}/#/pipelines/${id}`);
    const step = page.locator('svg.dag g[data-step="deploy"]');
    await step.getByText('awaiting approval').waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Approve deploy' }).click();
    // On a failure, what the page said (an error box, the step's state) and a screenshot.
    await step
      .getByText('succeeded')
      .waitFor({ timeout: 30_000 })
      .catch(async (err: Error) => {
        await shot(page, 'pipeline-failed');
        throw new Error(`${err.message}\npage: ${(await page.locator('body').innerText()).slice(0, 2000)}`);
      });
    expect(await step.getAttribute('class')).toContain('tone-ok');
    await shot(page, 'pipeline');
    await page.getByRole('link', { name: 'Pipelines', exact: true }).click();
    await page.getByRole('link', { name: 'gated' }).waitFor();
    await shot(page, 'pipelines');
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
    await gotoSteadily(page, `${base}/#/pipelines/${id}`);
    // Chosen before or after it starts: the page shows "not run yet" until the step has a workload.
    await page.locator('svg.dag g[data-step="talk"] a').click();
    await page.getByLabel('step talk logs').getByText('said 5').waitFor({ timeout: 30_000 });
    await page.getByRole('region', { name: 'Logs of step talk' }).getByText('Logs: ended').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(OUT, 'pipeline-step-logs.png'), fullPage: true });
    await page.close();
  });

  it('shows a job: its deployment, instances with health and addresses, and scales it from the page', async () => {
    if (!running()) return;
    const file = join(OUT, 'dash-job.json');
    // A tiny server on its named port (python from Debian: workloads run as nobody), checked over http.
    const serve = 'cd "$(mktemp -d)" && exec /usr/bin/python3 -m http.server "$MO_PORT_HTTP" --bind 127.0.0.1';
    writeFileSync(
      file,
      JSON.stringify({
        name: 'dash-web',
        count: 2,
        command: ['sh', '-c', serve],
        ports: [{ name: 'http' }],
        checks: [{ type: 'http', port: 'http', interval: '500ms', initial_delay: '1s' }],
        update: { min_healthy_time: '1s', healthy_deadline: '1m' },
      }),
    );
    const run = await mo(admin, 'run', '-f', file, '--wait');
    if (run.code !== 0) throw new Error(`mo run exited ${run.code}: ${run.stderr}`);
    const page = await signedIn(admin);
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    await page.getByRole('link', { name: 'dash-web' }).click();
    await page.getByRole('heading', { name: 'Job dash-web', level: 1 }).waitFor();
    const instances = page.getByRole('region', { name: 'Instances' });
    await instances.getByText('healthy').first().waitFor({ timeout: 15_000 });
    expect(await instances.getByText(/http 127\.0\.0\.1:\d+/).count()).toBe(2);
    await page.getByRole('region', { name: 'Deployment' }).getByText('succeeded').waitFor();
    await shot(page, 'job');
    // Scale to 3 from the page: a third instance shows up healthy, live.
    await page.getByLabel('Count').fill('3');
    await page.getByRole('button', { name: 'Scale' }).click();
    // Three rows, each healthy (the health badge is the row's one in tone ok: running is tone run).
    await waitFor(
      'three healthy instances on the page',
      async () =>
        (await instances.locator('tbody tr').count()) === 3 &&
        (await instances.locator('.badge.tone-ok').count()) === 3,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    await shot(page, 'job-scaled');
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    await page.getByRole('link', { name: 'dash-web' }).waitFor();
    await shot(page, 'jobs');
    await page.close();
  });

  it('shows a read token no stop button', async () => {
    if (!running()) return;
    const made = await mo(admin, 'token', 'create', '--name', 'viewer', '--role', 'read');
    expect(made.code).toBe(0);
    const started = await mo(admin, '--json', 'start', '--name', 'dash-read', '--', 'sleep', '300');
    const id = (JSON.parse(started.stdout) as { workload: { id: string } }).workload.id;
    const page = await signedIn(made.stdout.trim());
    await gotoSteadily(page, `${base}/#/workloads/${id}`);
    await page.getByRole('heading', { name: /Workload dash-read/ }).waitFor();
    expect(await page.getByRole('button', { name: 'Stop workload' }).count()).toBe(0);
    await page.close();
  });
});
