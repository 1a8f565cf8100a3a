// The queue suite: what a deep queue of workloads that fit nowhere costs the scheduler. A real
// mo-scheduler with one small real agent (256 MiB to book) takes 20,000 workloads asking for
// 64 GiB; then its CPU is read from /proc over 10 s, idle (target < 5 % of a core: scheduling cost
// follows change, not queue length), and again while small workloads start and end on the agent
// (each end is room on a node, which the 64 GiB shape does not fit: the cost stays per event), with
// the queue empty and full.
import { SchedulerClient } from '@mo/api';
import {
  measureCpuPercent,
  startAgentProcess,
  startSchedulerProcess,
  stopAllWorkloads,
  type AgentProcess,
  type SchedulerProcess,
  testClientOptions,
  testFetch,
} from '@mo/testkit';
import {
  MiB,
  msSince,
  pool,
  readRssBytes,
  registerCleanup,
  removeLater,
  round,
  row,
  sleep,
  withTimeout,
  type Row,
  type Suite,
  type SuiteContext,
  type SuiteResult,
} from './lib.js';

const PENDING = 20_000;
const MEASURE_MS = 10_000;
/** Short workloads per second during the churn measurement. */
const CHURN_PER_SECOND = 20;
const TARGETS = { idleCpuPercent: 5 };

export const queueSuite: Suite = {
  name: 'queue',
  description: 'mo-scheduler with 20,000 unplaceable pending workloads: idle CPU, CPU under churn, RSS',
  run,
};

async function run(ctx: SuiteContext): Promise<SuiteResult> {
  // Load, not a client: the rate limit per identity is off.
  const scheduler: SchedulerProcess = await startSchedulerProcess({
    extraArgs: ['--rate-limit', 'mutating=off'],
    env: ctx.daemonEnv,
  });
  let agent: AgentProcess | undefined;
  const unregister = registerCleanup(() => {
    tryKill(agent?.pid);
    tryKill(scheduler.pid);
  });
  const clients = Array.from(
    { length: 4 },
    () => new SchedulerClient(scheduler.grpcAddress, testClientOptions({ deadlineMs: 60_000 })),
  );
  try {
    agent = await startAgentProcess({
      extraArgs: [
        '--scheduler',
        scheduler.grpcAddress,
        '--node-name',
        `bench-queue-${process.pid}`,
        '--capacity-memory',
        String(256 * MiB),
      ],
      env: ctx.daemonEnv,
    });
    await sleep(1000);
    const idleEmpty = await measureCpuPercent(scheduler.pid, MEASURE_MS);
    const churnEmpty = await cpuUnderChurn(scheduler, clients[0]!);
    ctx.log(`empty queue: idle ${round(idleEmpty, 2)} %, under churn ${round(churnEmpty.cpu, 2)} %`);
    ctx.log(`submitting ${PENDING} workloads that fit nowhere`);

    const t0 = process.hrtime.bigint();
    const { errors } = await pool(64, PENDING, async (i) => {
      await clients[i % clients.length]!.submitWorkload({
        spec: { argv: ['sleep', '1'], resources: { cpuMillis: 10, memoryBytes: 64 * 1024 * MiB } },
      });
    });
    const submitSeconds = msSince(t0) / 1000;
    await withTimeout(
      (async () => {
        while ((await queueDepth(scheduler)) < PENDING - errors.length) await sleep(200);
      })(),
      60_000,
      'all pending',
    );
    await sleep(2000); // the submissions' garbage collected, the store's writes flushed
    const idle = await measureCpuPercent(scheduler.pid, MEASURE_MS);
    const rss = readRssBytes(scheduler.pid) ?? NaN;
    ctx.log(`idle with ${PENDING} pending: ${round(idle, 2)} % of a core`);

    const churnFull = await cpuUnderChurn(scheduler, clients[0]!);
    ctx.log(`under churn with ${PENDING} pending: ${round(churnFull.cpu, 2)} % (${churnFull.runs} run)`);

    const rows: Row[] = [
      row('scheduler idle CPU, empty queue', round(idleEmpty, 2), '%'),
      row(`scheduler idle CPU with ${PENDING} pending`, round(idle, 2), '%', {
        op: '<=',
        limit: TARGETS.idleCpuPercent,
      }),
      row(`scheduler CPU, ${CHURN_PER_SECOND} short workloads/s, empty queue`, round(churnEmpty.cpu, 2), '%'),
      row(`scheduler CPU, ${CHURN_PER_SECOND} short workloads/s, ${PENDING} pending`, round(churnFull.cpu, 2), '%'),
      row(`  scheduler RSS with ${PENDING} pending`, round(rss / MiB, 1), 'MiB'),
      row(`  ${PENDING} unplaceable submissions/s`, round(PENDING / submitSeconds, 0), '/s'),
      row('  submit errors', errors.length, '', { op: '<=', limit: 0 }),
    ];
    return {
      rows,
      raw: {
        pending: PENDING,
        idleEmpty,
        idle,
        churnEmpty,
        churnFull,
        rssBytes: rss,
        submitSeconds,
        errors: errors.length,
      },
    };
  } finally {
    for (const c of clients) c.close();
    if (agent) {
      await stopAllWorkloads(agent).catch(() => undefined);
      await agent.kill('SIGTERM');
      removeLater(agent.dataDir);
    }
    await scheduler.kill('SIGTERM');
    removeLater(scheduler.dataDir);
    unregister();
  }
}

/**
 * The scheduler's CPU while short workloads that fit start and end on the node at a steady rate:
 * each end is room on a node, an event the queue answers (the 64 GiB shape does not fit there).
 */
async function cpuUnderChurn(
  scheduler: SchedulerProcess,
  client: SchedulerClient,
): Promise<{ cpu: number; runs: number }> {
  let runs = 0;
  const churn = (async () => {
    const until = performance.now() + MEASURE_MS + 500;
    while (performance.now() < until) {
      const due = performance.now() + 1000 / CHURN_PER_SECOND;
      await client.submitWorkload({ spec: { argv: ['true'], resources: { cpuMillis: 1, memoryBytes: MiB } } });
      runs++;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    }
  })();
  await sleep(250);
  const cpu = await measureCpuPercent(scheduler.pid, MEASURE_MS);
  await churn;
  return { cpu, runs };
}

async function queueDepth(scheduler: SchedulerProcess): Promise<number> {
  const res = await testFetch(`https://${scheduler.httpAddress}/healthz`);
  return ((await res.json()) as { queueDepth: number }).queueDepth;
}

function tryKill(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
