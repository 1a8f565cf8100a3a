// RENDERING TEST OF THE STATIC UI: the built dashboard, served by its own handler, in a real
// Chromium, against test/fake-api.ts (canned data in the shape of issue 16's /api/v1 contract).
// It checks that pages render, page, navigate, update live from the event stream, follow logs
// across a dropped connection, and hide actions from a read token. It does not test the API; test/dashboard-live.test.ts does, on a real cluster.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { gotoSteadily, signInSteadily } from './navigate.js';
import { requireTool } from '@mo/testkit';
import { createDashboardHandler } from '../src/handler.js';
import { FakeApi } from './fake-api.js';

const CHROMIUM = '/usr/bin/chromium';
const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUILT = join(PACKAGE, 'dist', 'web');
/** Screenshots: kept after the run (the run's TMPDIR is removed), ignored by git. */
const OUT = process.env.MO_TEST_OUTPUT_DIR ?? join(PACKAGE, 'test-output', 'dashboard-render');

const haveChromium = requireTool(existsSync(CHROMIUM), `Debian's chromium (${CHROMIUM})`);

let server: Server;
let base: string;
let browser: Browser;
let page: Page;
const api = new FakeApi();
const problems: string[] = [];

beforeAll(async () => {
  if (!haveChromium) return;
  if (!existsSync(join(BUILT, 'index.html'))) throw new Error(`${BUILT} is missing: run pnpm build first`);
  mkdirSync(OUT, { recursive: true });
  const dashboard = createDashboardHandler({ assetDir: BUILT });
  server = createServer((req, res) => {
    if (dashboard(req, res) || api.handle(req, res)) return;
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  // A CSP violation or a script error shows up here: the page must run under its own strict CSP.
  // Not problems: the refused wrong token (401), the event stream the test cuts on purpose, and a
  // request cut by the machine's own network change (navigate.ts).
  const expected = /401|403|ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_NETWORK_CHANGED/;
  page.on('console', (m) => m.type() === 'error' && !expected.test(m.text()) && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(String(e)));
});

afterAll(async () => {
  api.close();
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
});

const signIn = (token: string): Promise<void> => signInSteadily(page, base, token);

const shot = (name: string) => page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });

describe('the dashboard in Chromium (rendering against a fake API)', () => {
  it('refuses a wrong token with the API message and keeps the login form', async () => {
    if (!haveChromium) return;
    await gotoSteadily(page, `${base}/`);
    await page.getByLabel('Bearer token').fill('nope');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'UNAUTHENTICATED' }).waitFor();
  });

  it('shows the overview: nodes with bars, counts by state, the pending queue with reasons', async () => {
    if (!haveChromium) return;
    await signIn('op-token');
    expect(await page.evaluate("sessionStorage.getItem('mo.token')")).toBe('op-token');
    for (const n of ['node-1', 'node-2', 'node-3']) await page.getByRole('link', { name: n }).waitFor();
    expect(await page.getByRole('meter', { name: 'CPU reserved' }).count()).toBe(3);
    await page.getByText('no node has 8 CPU free').first().waitFor();
    await page.getByRole('link', { name: /pending 24/ }).waitFor();
    expect(api.seen.some((s) => s.path === '/api/v1/events' && s.authorization === 'Bearer op-token')).toBe(true);
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    await shot('overview');
  });

  it('updates without a reload when a node event arrives', async () => {
    if (!haveChromium) return;
    // Strings, not functions: they run in the page, and this file is type-checked without the DOM.
    await page.evaluate('window.marker = 1');
    api.nodes[1]!.state = 'NODE_STATE_DOWN';
    api.emit('node', api.nodes[1]!);
    await page.locator('article', { hasText: 'node-2' }).getByText('down').waitFor();
    expect(await page.evaluate('window.marker')).toBe(1); // still the same page: no reload
  });

  it('resumes the event stream with Last-Event-ID after a drop', async () => {
    if (!haveChromium) return;
    api.dropStreams();
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    const resumed = () => api.seen.filter((s) => s.path === '/api/v1/events').at(-1)?.lastEventId;
    for (let i = 0; i < 100 && !resumed(); i++) await page.waitForTimeout(50);
    expect(Number(resumed())).toBeGreaterThan(0);
  });

  it('lists workloads a page at a time, filters by state, and opens one with its logs', async () => {
    if (!haveChromium) return;
    await page.getByRole('link', { name: 'Workloads' }).click();
    await page.getByRole('link', { name: 'job-000' }).waitFor();
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Workloads'); // focus moved
    expect(await page.locator('tbody tr').count()).toBe(50);
    await page.getByText('Page 1 · 120 in all').waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('link', { name: 'job-050' }).waitFor();
    await page.getByLabel('State').selectOption('WORKLOAD_STATE_FAILED');
    await page.getByText('Page 1 · 24 in all').waitFor();
    await shot('workloads');
    await page.getByRole('link', { name: 'job-004' }).click();
    await page.getByRole('heading', { name: /Workload job-004/ }).waitFor();
    await page.getByText('exit code 3').waitFor();
    await page.getByText('0.0.0.0:31004 → 8080').waitFor();
    await page.getByRole('cell', { name: 'node-9' }).waitFor(); // the previous allocation
    await page.getByLabel('workload logs').getByText('hello from W004 line 3').waitFor();
    await shot('workload');
  });

  it('loads a list again by itself when its request got no answer, with no event to prompt it', async () => {
    if (!haveChromium) return;
    const asked = () => api.seen.filter((s) => s.path === '/api/v1/nodes').length;
    const before = asked();
    api.unanswered.set('/api/v1/nodes', 1);
    await page.getByRole('link', { name: 'Nodes' }).click();
    await page.getByRole('link', { name: 'node-2' }).waitFor();
    expect(asked() - before).toBe(2); // the cut request, then the retry a second later
    // The console's report of the cut request is this test's doing: taken off the page's problems.
    const cut = problems.findIndex((p) => p.includes('ERR_EMPTY_RESPONSE'));
    expect(cut).toBeGreaterThanOrEqual(0);
    problems.splice(cut, 1);
  });

  it('shows a node with its workloads', async () => {
    if (!haveChromium) return;
    await page.getByRole('link', { name: 'Nodes' }).click();
    await page.getByRole('link', { name: 'node-1' }).click();
    await page.getByRole('heading', { name: /Node node-1/ }).waitFor();
    await page.getByRole('link', { name: 'job-000' }).waitFor();
    await shot('node');
    // An operate token drains it: the page shows the drain and what is left.
    await page.getByRole('button', { name: 'Drain (1 h deadline)' }).click();
    await page.getByText('draining (1 left)').waitFor();
    await page.getByRole('button', { name: 'Cancel drain' }).waitFor();
    expect(api.seen.some((s) => s.path === '/api/v1/nodes/N1/drain')).toBe(true);
    await page.getByRole('link', { name: '← Nodes' }).click();
    await page.getByRole('cell', { name: 'draining (1 left)' }).waitFor();
  });

  it('draws the pipeline DAG with states in words, and approving the gate turns it green live', async () => {
    if (!haveChromium) return;
    await page.getByRole('link', { name: 'Pipelines' }).click();
    await page.getByRole('link', { name: 'release' }).click();
    const gate = page.locator('svg.dag g[data-step="gate"]');
    await gate.getByText('awaiting approval').waitFor();
    expect(await page.locator('svg.dag g.dag-step').count()).toBe(5);
    expect(await page.locator('svg.dag polyline.dag-edge').count()).toBe(5);
    await shot('pipeline');
    // From the keyboard: a real button takes focus and Enter.
    await page.getByRole('button', { name: 'Approve gate' }).focus();
    await page.keyboard.press('Enter');
    await gate.getByText('succeeded').waitFor();
    expect(await gate.getAttribute('class')).toContain('tone-ok');
    await shot('pipeline-approved');
  });

  /** The log requests the page made for a path, in order. */
  const logRequests = (path: string) => api.seen.filter((s) => s.path === path);
  const DEPLOY_LOGS = '/api/v1/pipelines/P1/steps/deploy/logs';

  it("shows a chosen step's logs: a step box in the graph is a link the keyboard reaches", async () => {
    if (!haveChromium) return;
    const build = page.getByRole('link', { name: 'Logs of step build (succeeded)' });
    await build.focus();
    await page.keyboard.press('Enter');
    const region = page.getByRole('region', { name: 'Logs of step build' });
    await page.getByLabel('step build logs').getByText('build line 3').waitFor();
    await region.getByText('Logs: ended').waitFor(); // a finished step's log is read to its end
    expect(page.url()).toContain('#/pipelines/P1?step=build');
    expect(await build.getAttribute('aria-current')).toBe('true');
    // Choosing a step keeps focus where it was (a new page would move it to the heading).
    expect(await page.evaluate("document.activeElement.getAttribute('aria-label')")).toBe(
      'Logs of step build (succeeded)',
    );
    expect(logRequests('/api/v1/pipelines/P1/steps/build/logs').map((s) => s.query)).toEqual(['?follow=true']);
    await page.keyboard.press('Tab'); // the step boxes are in the tab order
    expect(await page.evaluate("document.activeElement.getAttribute('aria-label')")).toBe(
      'Logs of step test (succeeded)',
    );
    await shot('pipeline-step-focus');
    // From the steps table: the running deploy step, followed live.
    await page.getByRole('link', { name: 'Logs of step deploy', exact: true }).click();
    await page.getByLabel('step deploy logs').getByText('deploy line 5').waitFor();
    await page.getByRole('region', { name: 'Logs of step deploy' }).getByText('Logs: following').waitFor();
    expect(await page.getByRole('region', { name: 'Logs of step build' }).count()).toBe(0);
    await shot('pipeline-step-logs');
  });

  it('reconnects a live log whose stream the server cut, joining the text without doubling it', async () => {
    if (!haveChromium) return;
    const region = page.getByRole('region', { name: 'Logs of step deploy' });
    const logs = page.getByLabel('step deploy logs');
    expect(logRequests(DEPLOY_LOGS)).toHaveLength(1);
    api.log('step:P1/deploy').cut();
    await region.getByText(/Logs: connection lost \(.+\); reconnecting in 1 s, attempt 1/).waitFor();
    await region.getByText('Logs: following (reconnected)', { exact: true }).waitFor();
    const written = api.log('step:P1/deploy').lines.length;
    await logs.getByText(`deploy line ${written + 5}`).waitFor(); // new text after the reconnect
    const requests = logRequests(DEPLOY_LOGS);
    expect(requests).toHaveLength(2);
    expect(requests[1]!.query).toBe('?follow=true&tailLines=500'); // the tail again, to find the seam
    // Every line once and in order across the seam: the repeated tail was dropped, none was lost.
    const lines = [...((await logs.textContent()) ?? '').matchAll(/deploy line (\d+)\n/g)].map((m) => Number(m[1]));
    expect(lines.length).toBeGreaterThan(written);
    expect(lines).toEqual(lines.map((_, i) => i + 1));
    expect(await logs.textContent()).not.toContain('reconnected');
    await shot('pipeline-step-logs-reconnected');
  });

  it('does not reopen a log whose stream ended normally, until asked to', async () => {
    if (!haveChromium) return;
    const region = page.getByRole('region', { name: 'Logs of step deploy' });
    api.log('step:P1/deploy').end(); // the step's workload exited; the UI still thinks it runs
    await region.getByText('Logs: ended', { exact: true }).waitFor();
    const before = logRequests(DEPLOY_LOGS).length;
    await page.waitForTimeout(2500); // past the first retry's wait (1 s), had there been one
    expect(logRequests(DEPLOY_LOGS)).toHaveLength(before);
    await region.getByRole('button', { name: 'Follow again' }).click();
    for (let i = 0; i < 50 && logRequests(DEPLOY_LOGS).length === before; i++) await page.waitForTimeout(50);
    expect(logRequests(DEPLOY_LOGS)).toHaveLength(before + 1);
  });

  it('shows a refused log (403) of a running workload and does not retry it', async () => {
    if (!haveChromium) return;
    api.logErrors.set('workload:W001', 403);
    await gotoSteadily(page, `${base}/#/workloads/W001`);
    await page.getByText('Logs: stopped: PERMISSION_DENIED: logs of workload:W001 refused').waitFor();
    await page.waitForTimeout(2500);
    expect(logRequests('/api/v1/workloads/W001/logs')).toHaveLength(1);
    await page.getByRole('button', { name: 'Follow again' }).waitFor();
  });

  it('hides stop, approve and cancel from a read token', async () => {
    if (!haveChromium) return;
    api.pipeline.steps!.find((s) => s.id === 'gate')!.state = 'STEP_STATE_AWAITING_APPROVAL';
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn('read-token');
    await gotoSteadily(page, `${base}/#/pipelines/P1`);
    await page.locator('svg.dag g[data-step="gate"]').getByText('awaiting approval').waitFor();
    expect(await page.getByRole('button', { name: /Approve|Reject|Cancel/ }).count()).toBe(0);
    await gotoSteadily(page, `${base}/#/workloads/W000`);
    await page.getByRole('heading', { name: /Workload job-000/ }).waitFor();
    expect(await page.getByRole('button', { name: 'Stop workload' }).count()).toBe(0);
  });

  it('ran with no script errors and no CSP violations', () => {
    if (!haveChromium) return;
    expect(problems).toEqual([]);
  });
});
