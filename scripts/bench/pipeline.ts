// The pipeline suite: a 100-step DAG of no-op steps (10 layers of 10; every step of a layer needs
// every step of the layer before) on a real scheduler with two real agents. Reports the wall time
// (pipeline submitted -> succeeded) against the sum of its critical-path step times (per layer, the
// longest step on its node: workload placed -> exit recorded by the agent, so agent start cost is
// step time), the scheduler's added latency per step (a layer's needs ended -> its workloads
// placed: the pipeline engine + submit + placement), and what else the path costs per step
// ((wall - critical path) / layers: mostly the agent reporting the exit on its heartbeat stream).
import { PipelineClient, type Pipeline__Output } from '@mo/api';
import { startCluster, type Cluster, testClientOptions } from '@mo/testkit';
import { registerCleanup, round, row, summarize, type Suite, type SuiteContext, type SuiteResult } from './lib.js';

const WIDTH = 10;
const LAYERS = 10;
const RUNS = 3;
const TARGET_MS_PER_STEP = 20;

export const pipelineSuite: Suite = {
  name: 'pipeline',
  description: `${WIDTH * LAYERS}-step DAG of no-op steps (width ${WIDTH}): wall vs critical path, added latency per step`,
  run,
};

function specText(): string {
  const steps = [];
  for (let l = 0; l < LAYERS; l++) {
    for (let i = 0; i < WIDTH; i++) {
      const needs = l === 0 ? [] : Array.from({ length: WIDTH }, (_, j) => `s${l - 1}-${j}`);
      steps.push({ id: `s${l}-${i}`, needs, command: ['true'] });
    }
  }
  return JSON.stringify({ name: 'bench-dag', steps });
}

async function waitForEnd(client: PipelineClient, id: string): Promise<Pipeline__Output> {
  const abort = new AbortController();
  for await (const e of client.watch({ pipelineId: id }, abort.signal)) {
    if (!e.stepId && ['succeeded', 'failed', 'cancelled'].includes(e.state)) break;
  }
  abort.abort();
  return client.get(id);
}

interface RunFigures {
  wallMs: number;
  criticalPathMs: number;
  /** (wall - critical path) / layers: everything on the path that is not a step on its node. */
  overheadPerStepMs: number;
  /** The pipeline engine's own part: a layer's last need ended -> its dependents' workloads placed. */
  enginePerStepMs: number;
}

async function once(cluster: Cluster, client: PipelineClient): Promise<RunFigures> {
  const { pipeline } = await client.submit({ spec: specText() });
  const p = await waitForEnd(client, pipeline!.id);
  if (p.state !== 'PIPELINE_STATE_SUCCEEDED') throw new Error(`bench pipeline ${p.state}: ${p.reason}`);
  // A step's time on its node, from its workload: placed (starting) -> the exit the agent recorded.
  const placedAt = new Map<string, number>();
  const exitAt = new Map<string, number>();
  await Promise.all(
    p.steps.map(async (s) => {
      const w = await cluster.scheduler.client.getWorkload(s.workloadId);
      placedAt.set(s.id, Number(w.events.find((e) => e.state === 'WORKLOAD_STATE_STARTING')?.atMs ?? 0));
      exitAt.set(s.id, Number(w.exit?.finishedAtMs ?? 0));
    }),
  );
  const layer = (l: number) => p.steps.filter((s) => s.id.startsWith(`s${l}-`));
  let criticalPathMs = 0;
  let engineMs = 0;
  for (let l = 0; l < LAYERS; l++) {
    criticalPathMs += Math.max(...layer(l).map((s) => exitAt.get(s.id)! - placedAt.get(s.id)!));
    const ready = l === 0 ? Number(p.startedAtMs) : Math.max(...layer(l - 1).map((s) => Number(s.endedAtMs)));
    engineMs += Math.max(...layer(l).map((s) => placedAt.get(s.id)!)) - ready;
  }
  const wallMs = Number(p.endedAtMs) - Number(p.createdAtMs);
  return {
    wallMs,
    criticalPathMs,
    overheadPerStepMs: (wallMs - criticalPathMs) / LAYERS,
    enginePerStepMs: engineMs / LAYERS,
  };
}

async function run(ctx: SuiteContext): Promise<SuiteResult> {
  const cluster = await startCluster({ agents: 2 });
  const unregister = registerCleanup(() => {
    void cluster.stop();
  });
  const client = new PipelineClient(cluster.scheduler.grpcAddress, testClientOptions({ deadlineMs: 30_000 }));
  try {
    await once(cluster, client); // warm-up: first placements, code paths, SQLite pages
    const runs: RunFigures[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await once(cluster, client);
      ctx.log(`run ${i + 1}: wall ${round(r.wallMs, 1)} ms, critical path ${round(r.criticalPathMs, 1)} ms`);
      runs.push(r);
    }
    const wall = summarize(runs.map((r) => r.wallMs));
    const crit = summarize(runs.map((r) => r.criticalPathMs));
    const overhead = summarize(runs.map((r) => r.overheadPerStepMs));
    const engine = summarize(runs.map((r) => r.enginePerStepMs));
    return {
      rows: [
        row(`wall time, ${WIDTH * LAYERS}-step DAG (p50 of ${RUNS})`, round(wall.p50, 1), 'ms'),
        row('sum of critical-path step times (placed -> exited on node)', round(crit.p50, 1), 'ms'),
        row('wall / critical path', round(wall.p50 / Math.max(1, crit.p50), 2), 'x'),
        row('scheduler added latency per step (needs ended -> placed)', round(engine.p50, 2), 'ms', {
          op: '<=',
          limit: TARGET_MS_PER_STEP,
        }),
        row('other overhead per critical-path step (exit -> reported)', round(overhead.p50, 2), 'ms'),
        row('steps per second (p50 wall)', round(((WIDTH * LAYERS) / wall.p50) * 1000, 1), 'steps/s'),
      ],
      raw: {
        runs,
        wall,
        criticalPath: crit,
        overheadPerStep: overhead,
        enginePerStep: engine,
        width: WIDTH,
        layers: LAYERS,
      },
    };
  } finally {
    client.close();
    await cluster.stop();
    unregister();
  }
}
