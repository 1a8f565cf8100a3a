// The dashboard suite (issue 16): what the web dashboard costs the scheduler and how it holds up
// at 100 nodes and 1,000 workloads, on one real scheduler (TLS, as deployed) with 100 simulated
// agents (sim-agents.ts), so 1,000 workloads start in seconds.
//   1. Event fan-out: 50 clients follow GET /api/v1/events while 1,000 workloads are submitted
//      over /api/v1 and start; every client must get every event (no gap, no duplicate, none cut
//      off), and the rows give events delivered/s, the lag from an event's atMs to its receipt,
//      and the scheduler's CPU and RSS growth over the run.
//   2. First load in Debian's Chromium (dashboard-browser.ts), on the same cluster.
import { cpuSecondsOf, type SchedulerProcess } from '@mo/testkit';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { browserRounds } from './dashboard-browser.js';
import {
  apiJson,
  apiTarget,
  checkStream,
  currentSeq,
  keepAliveAgent,
  openEvents,
  type ApiTarget,
  type EventStreamClient,
} from './dashboard-http.js';
import {
  MiB,
  msSince,
  pool,
  readRssBytes,
  registerCleanup,
  round,
  row,
  sleep,
  summarize,
  withTimeout,
  type Row,
  type Suite,
  type SuiteContext,
  type SuiteResult,
} from './lib.js';
import { startSimCluster } from './sim-cluster.js';

const NODES = 100;
const FANOUT = { clients: 50, workloads: 1000, concurrency: 32 };

export const dashboardSuite: Suite = {
  name: 'dashboard',
  description: `dashboard: /api/v1/events to ${FANOUT.clients} clients while ${FANOUT.workloads} workloads start; first load in Chromium (${NODES} nodes)`,
  run,
};

async function run(ctx: SuiteContext): Promise<SuiteResult> {
  const rows: Row[] = [];
  const raw: Record<string, unknown> = {};
  const cluster = await startSimCluster(ctx, NODES, 'dash');
  const { scheduler } = cluster;
  const streams: EventStreamClient[] = [];
  const unregister = registerCleanup(() => {
    for (const s of streams) s.close();
  });
  try {
    const target = apiTarget(scheduler.httpAddress, scheduler.dataDir, false);
    ctx.log(`scheduler's HTTP API at ${target.base}`);
    // Each phase stands alone: one failing does not hide the other's figures.
    const phases: Array<[string, () => Promise<Row[]>]> = [
      ['event fan-out', () => fanOut(ctx, raw, scheduler, target, streams)],
      ['first load in Chromium', () => browserRounds(ctx, raw, target, NODES, FANOUT.workloads)],
    ];
    for (const [name, phase] of phases) {
      const t0 = process.hrtime.bigint();
      try {
        rows.push(...(await phase()));
      } catch (err) {
        ctx.log(`${name} failed: ${(err as Error).stack ?? String(err)}`);
        rows.push(row(`${name}: phase failed`, 1, '', { op: '<=', limit: 0 }));
      }
      ctx.log(`${name} done in ${round(msSince(t0) / 1000, 1)} s`);
    }
    return { rows, raw };
  } finally {
    for (const s of streams) s.close();
    unregister();
    await cluster.stop();
  }
}

async function fanOut(
  ctx: SuiteContext,
  raw: Record<string, unknown>,
  scheduler: SchedulerProcess,
  target: ApiTarget,
  streams: EventStreamClient[],
): Promise<Row[]> {
  streams.push(...Array.from({ length: FANOUT.clients }, () => openEvents(target)));
  await withTimeout(Promise.all(streams.map((s) => s.caughtUp)), 30_000, `${FANOUT.clients} event streams caught up`);
  await sleep(1000); // the registrations' last events settle before the count starts
  const seq0 = await currentSeq(target);
  const cpu0 = cpuSecondsOf(scheduler.pid) ?? NaN;
  const rss0 = readRssBytes(scheduler.pid) ?? NaN;
  let rssPeak = rss0;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, readRssBytes(scheduler.pid) ?? 0)), 100);
  ctx.log(`fan-out: ${FANOUT.clients} streams open at seq ${seq0}; submitting ${FANOUT.workloads} workloads`);
  // This process reads all 50 streams: its own delay is part of the lag measured.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const ownCpu0 = process.cpuUsage();
  const t0 = performance.now();
  const agent = keepAliveAgent(target, FANOUT.concurrency);
  let acked = 0;
  let lastSeq = NaN;
  let runningS = NaN;
  let submitErrors: unknown[] = [];
  try {
    ({ errors: submitErrors } = await pool(FANOUT.concurrency, FANOUT.workloads, async (i) => {
      const spec = { name: `dash-${i}`, argv: ['sleep', '3600'], resources: { cpuMillis: 1, memoryBytes: MiB } };
      await apiJson(target, 'POST', '/api/v1/workloads', { spec }, agent);
      acked++;
    }));
    for (const e of submitErrors.slice(0, 3)) ctx.log(`submit error: ${String(e)}`);
    await withTimeout(
      (async () => {
        for (;;) {
          const { total } = await scheduler.client.listWorkloads({ states: ['WORKLOAD_STATE_RUNNING'], limit: 1 });
          if (total >= acked) return;
          await sleep(50);
        }
      })(),
      120_000,
      'all workloads running',
    );
    runningS = (performance.now() - t0) / 1000;
    // Everything published up to now must reach every open stream.
    lastSeq = await currentSeq(target);
    await withTimeout(
      (async () => {
        while (streams.some((s) => !s.record.endedEarly && (s.record.ids.at(-1) ?? 0) < lastSeq)) await sleep(20);
      })(),
      60_000,
      `every stream reaching seq ${lastSeq}`,
    ).catch((err: Error) => ctx.log(err.message)); // counted below as missing events
  } finally {
    clearInterval(sampler);
    loopDelay.disable();
    agent.destroy();
  }
  const ownCpu = process.cpuUsage(ownCpu0);
  const ownCpuMs = (ownCpu.user + ownCpu.system) / 1000;
  const ownDelayP99Ms = loopDelay.percentile(99) / 1e6;
  const deliveredAt = Math.max(...streams.map((s) => s.record.lastAt));
  const seconds = (deliveredAt - t0) / 1000;
  const cpuMs = ((cpuSecondsOf(scheduler.pid) ?? NaN) - cpu0) * 1000;
  const rss1 = readRssBytes(scheduler.pid) ?? NaN;
  const published = lastSeq - seq0;
  // A stream opened at caughtUpSeq ≤ seq0: count what it got of the run's events (seq0, lastSeq].
  const inRun = streams.map((s) => s.record.ids.filter((id) => id > seq0 && id <= lastSeq).length);
  const delivered = inRun.reduce((a, n) => a + n, 0);
  const checks = streams.map((s) => ({ ...checkStream(s.record, lastSeq), record: s.record }));
  const bad = checks.filter(
    (c) => c.missing + c.extra + c.outOfOrder > 0 || c.record.endedEarly || c.record.errors.length > 0,
  );
  for (const c of bad.slice(0, 3)) {
    ctx.log(
      `stream with a gap: missing ${c.missing}, extra ${c.extra}, out of order ${c.outOfOrder}, ` +
        `ended early ${c.record.endedEarly}, errors ${JSON.stringify(c.record.errors)}`,
    );
  }
  const lag = summarize(streams.flatMap((s) => s.record.lagMs));
  for (const s of streams) s.close(); // the browser phase runs without them
  const perClient = summarize(inRun);
  raw.fanOut = {
    clients: FANOUT.clients,
    workloads: FANOUT.workloads,
    acked,
    submitErrors: submitErrors.length,
    seq0,
    lastSeq,
    published,
    delivered,
    seconds,
    allRunningSeconds: runningS,
    eventsPerClient: perClient,
    lagMs: lag,
    schedulerCpuMs: cpuMs,
    rssBeforeBytes: rss0,
    rssPeakBytes: rssPeak,
    rssAfterBytes: rss1,
    benchProcessCpuMs: ownCpuMs,
    benchEventLoopDelayP99Ms: ownDelayP99Ms,
    badStreams: bad.map((c) => ({
      missing: c.missing,
      extra: c.extra,
      outOfOrder: c.outOfOrder,
      endedEarly: c.record.endedEarly,
      errors: c.record.errors,
    })),
  };
  const n = FANOUT.clients;
  return [
    row(
      `events delivered/s (sum of ${n} SSE clients, ${FANOUT.workloads} workloads starting)`,
      round(delivered / seconds, 0),
      '/s',
    ),
    row('  events published in the run', published, ''),
    row(`  events delivered / (${n} × published)`, round(delivered / (n * published), 4), 'x', { op: '>=', limit: 1 }),
    row('  clients with a gap, duplicate, reorder or cut-off', bad.length, '', { op: '<=', limit: 0 }),
    row('  events per client, min / published', round(perClient.min / published, 4), 'x', { op: '>=', limit: 1 }),
    row('  submit errors', submitErrors.length, '', { op: '<=', limit: 0 }),
    row(`  first submit -> all ${acked} running`, round(runningS, 2), 's'),
    row('  first submit -> last event at the last client', round(seconds, 2), 's'),
    row('  lag atMs -> received, p50', round(lag.p50, 1), 'ms'),
    row('  lag atMs -> received, p99', round(lag.p99, 1), 'ms'),
    row('  lag atMs -> received, max', round(lag.max, 1), 'ms'),
    row("  the clients' own event-loop delay (this process), p99", round(ownDelayP99Ms, 1), 'ms'),
    row(`  the clients' own CPU (this process: ${n} streams + submissions)`, round(ownCpuMs, 0), 'ms'),
    row('  scheduler CPU over the run (placement included)', round(cpuMs, 0), 'ms'),
    row('  scheduler CPU per event delivered', round((cpuMs * 1000) / delivered, 1), 'µs'),
    row('  scheduler RSS growth (after - before)', round((rss1 - rss0) / MiB, 1), 'MiB'),
    row('  scheduler RSS peak growth', round((rssPeak - rss0) / MiB, 1), 'MiB'),
  ];
}
