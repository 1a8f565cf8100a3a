// The dashboard suite's browser phase: Debian's Chromium (playwright-core) loads the scheduler's `/`
// with the token already in sessionStorage, on a cluster of 100 nodes and 1,000 workloads. Each
// round is a fresh browser context (empty cache: a first load) and measures the bytes of the
// document and its assets apart from /api/v1 data, navigation -> the overview's node cards,
// overview -> the workloads list, and a submitted workload -> the overview's running count.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page, type Request } from 'playwright-core';
import { apiJson, type ApiTarget } from './dashboard-http.js';
import { MiB, registerCleanup, round, row, summarize, type Row, type SuiteContext } from './lib.js';

const CHROMIUM = '/usr/bin/chromium';
/** packages/dashboard/web/main.ts keeps the token under this key. */
const TOKEN_KEY = 'mo.token';
const ROUNDS = 5;
/** The workloads page shows 50 a page (web/pages/workloads.ts). */
const WORKLOADS_PAGE = 50;
const WAIT_MS = 60_000;
const KB = 1000;
// Budgets, not expectations: the README says ~85 KB of assets; times are generous for this VM.
const TARGETS = { firstLoadKB: 250, overviewMs: 10_000, workloadsMs: 5_000, updateMs: 5_000 };

// Waits are Playwright locators: waitForFunction evals in the page, which the dashboard's CSP
// (no 'unsafe-eval') forbids, and bypassing the CSP would measure another page.
const RUNNING_COUNT = 'ul.counts a[href$="RUNNING"] strong';
/** The overview with its node cards (the nth card exists). */
const cardsShown = (page: Page, n: number) =>
  page
    .locator('article.card')
    .nth(n - 1)
    .waitFor({ timeout: WAIT_MS });

interface Round {
  /** Each finished request until the overview: path and bytes (headers + body). */
  requests: Array<{ path: string; bytes: number }>;
  documentBytes: number;
  documentRequests: number;
  apiBytes: number;
  apiRequests: number;
  overviewMs: number;
  workloadsMs: number;
  updateMs: number;
}

export async function browserRounds(
  ctx: SuiteContext,
  raw: Record<string, unknown>,
  target: ApiTarget,
  nodes: number,
  workloads: number,
): Promise<Row[]> {
  if (!existsSync(CHROMIUM)) {
    const why = `Debian's chromium (${CHROMIUM}) is not installed (apt-get install chromium): browser rows skipped`;
    ctx.log(why);
    raw.browserSkipped = why;
    return [row(`first load in Chromium: SKIPPED, ${CHROMIUM} missing`, 0, '')];
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  // Playwright kills its browser when this process exits; this also covers an interrupted run.
  const unregister = registerCleanup(() => void browser.close());
  const rounds: Round[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      rounds.push(await oneRound(browser, target, nodes, i));
      const r = rounds.at(-1)!;
      ctx.log(
        `browser round ${i + 1}: ${r.documentBytes} B document+assets, ${r.apiBytes} B api, overview ` +
          `${round(r.overviewMs, 0)} ms, workloads ${round(r.workloadsMs, 0)} ms, update ${round(r.updateMs, 0)} ms`,
      );
    }
  } finally {
    await browser.close();
    unregister();
  }
  const p50 = (f: (r: Round) => number) => summarize(rounds.map(f)).p50;
  raw.browserRounds = rounds;
  const at = `${nodes} nodes, ${workloads} workloads`;
  return [
    row(
      `first load: document + assets transferred (p50 of ${ROUNDS})`,
      round(p50((r) => r.documentBytes) / KB, 1),
      'KB',
      {
        op: '<=',
        limit: TARGETS.firstLoadKB,
      },
    ),
    row(
      '  document + asset requests',
      p50((r) => r.documentRequests),
      '',
    ),
    row(`  /api/v1 data transferred until the overview (${at})`, round(p50((r) => r.apiBytes) / KB, 1), 'KB'),
    row(
      '  /api/v1 requests until the overview (the event stream not counted)',
      p50((r) => r.apiRequests),
      '',
    ),
    row(
      `navigation -> overview with ${nodes} node cards, p50`,
      round(
        p50((r) => r.overviewMs),
        0,
      ),
      'ms',
      {
        op: '<=',
        limit: TARGETS.overviewMs,
      },
    ),
    row(
      `overview -> workloads list (${WORKLOADS_PAGE} rows), p50`,
      round(
        p50((r) => r.workloadsMs),
        0,
      ),
      'ms',
      {
        op: '<=',
        limit: TARGETS.workloadsMs,
      },
    ),
    row(
      'workload submitted -> overview running count updated, p50',
      round(
        p50((r) => r.updateMs),
        0,
      ),
      'ms',
      {
        op: '<=',
        limit: TARGETS.updateMs,
      },
    ),
  ];
}

async function oneRound(browser: Browser, target: ApiTarget, nodes: number, index: number): Promise<Round> {
  // The run's CA is not the browser's; the bench's own calls check the certificate.
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1366, height: 900 } });
  try {
    await context.addInitScript({
      content: `sessionStorage.setItem(${JSON.stringify(TOKEN_KEY)}, ${JSON.stringify(target.token)})`,
    });
    const page = await context.newPage();
    const finished: Array<Promise<{ path: string; api: boolean; bytes: number }>> = [];
    const sizeOf = async (req: Request) => {
      const s = await req.sizes();
      const url = new URL(req.url());
      return {
        path: url.pathname + url.search,
        api: url.pathname.startsWith('/api/v1'),
        bytes: s.responseHeadersSize + s.responseBodySize,
      };
    };
    // Only finished requests: the event stream never finishes, so it is left out.
    const onFinished = (req: Request) => finished.push(sizeOf(req));
    page.on('requestfinished', onFinished);
    const t0 = performance.now();
    await page.goto(`${target.base}/`);
    await cardsShown(page, nodes);
    const overviewMs = performance.now() - t0;
    page.off('requestfinished', onFinished);
    const sizes = await Promise.all(finished);
    const documentSizes = sizes.filter((s) => !s.api);
    const apiSizes = sizes.filter((s) => s.api);
    const sum = (xs: Array<{ bytes: number }>) => xs.reduce((a, s) => a + s.bytes, 0);

    const t1 = performance.now();
    await page.getByRole('link', { name: 'Workloads', exact: true }).click();
    await page.getByRole('heading', { name: 'Workloads' }).waitFor({ timeout: WAIT_MS });
    await page
      .locator('main table tbody tr')
      .nth(WORKLOADS_PAGE - 1)
      .waitFor({ timeout: WAIT_MS });
    const workloadsMs = performance.now() - t1;

    const updateMs = await overviewUpdate(page, target, nodes, index);
    return {
      requests: sizes.map(({ path, bytes }) => ({ path, bytes })),
      documentBytes: sum(documentSizes),
      documentRequests: documentSizes.length,
      apiBytes: sum(apiSizes),
      apiRequests: apiSizes.length,
      overviewMs,
      workloadsMs,
      updateMs,
    };
  } finally {
    await context.close();
  }
}

/** Back on the overview: one more workload, and the time until its running count shows it. */
async function overviewUpdate(page: Page, target: ApiTarget, nodes: number, index: number): Promise<number> {
  await page.getByRole('link', { name: 'Cluster', exact: true }).click();
  await cardsShown(page, nodes);
  const before = Number(await page.locator(RUNNING_COUNT).textContent({ timeout: WAIT_MS }));
  const t0 = performance.now();
  const spec = { name: `dash-probe-${index}`, argv: ['sleep', '3600'], resources: { cpuMillis: 1, memoryBytes: MiB } };
  await apiJson(target, 'POST', '/api/v1/workloads', { spec });
  await page.locator(RUNNING_COUNT, { hasText: new RegExp(`^${before + 1}$`) }).waitFor({ timeout: WAIT_MS });
  return performance.now() - t0;
}
