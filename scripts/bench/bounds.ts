// The bounds suite: what large requests cost an agent registered with a real scheduler. Per round,
// at once: 16 hostile 4 MiB StartWorkload calls (~280,000 env entries each: refused on their
// bytes), 16 maximum-size valid starts (~258 KiB specs) and 4 StartWorkloads batches of 3.9 MiB.
// Rows: the agent's own event-loop delay over the burst (its mo_event_loop_delay_seconds, target
// p99 ≤ 50 ms), times its node was not up (target 0), its peak RSS, and the burst's duration.
import { encodeMessage, WireCallError, WireChannel } from '@mo/api/wire';
import {
  hostileStartRequest,
  maxBatchRequest,
  maxStartRequest,
  startCluster,
  type Cluster,
  testPki,
  testTls,
  testFetch,
} from '@mo/testkit';
import {
  MiB,
  readRssBytes,
  registerCleanup,
  round,
  row,
  summarize,
  type Suite,
  type SuiteContext,
  type SuiteResult,
} from './lib.js';

const ROUNDS = 3;
const INVALID_ARGUMENT = 3;
const HOSTILE = 16;
const SINGLES = 16;
const BATCHES = 4;

export const boundsSuite: Suite = {
  name: 'bounds',
  description: 'large requests: agent event-loop delay and node state under 16 x 4 MiB hostile + max-size starts',
  run,
};

async function run(ctx: SuiteContext): Promise<SuiteResult> {
  const cluster: Cluster = await startCluster({
    agents: 1,
    agentArgs: () => ['--capacity-cpu', '100000'],
    env: ctx.daemonEnv,
  });
  const unregister = registerCleanup(() => void cluster.stop());
  try {
    const agent = cluster.agents[0]!;
    // The wire transport (no grpc-js in the bench's own dependencies, raw bytes in and out), one
    // connection per call as from separate callers: ~64 MiB at once on one HTTP/2 session passes
    // the server's per-session memory cap (nghttp2 answers ENHANCE_YOUR_CALM).
    const call = async (method: string, bytes: Buffer) => {
      const channel = new WireChannel(agent.grpcAddress, {
        tls: testTls(testPki().scheduler),
        peer: { kind: 'agent' },
      });
      try {
        await channel.call(`/mo.v1.NodeAgent/${method}`, bytes, 60_000);
        return 0;
      } catch (err) {
        return err instanceof WireCallError ? err.code : -1;
      } finally {
        channel.close();
      }
    };
    const requests = { hostile: hostileStartRequest(), single: maxStartRequest(), batch: maxBatchRequest() };
    const small = encodeMessage('StartWorkloadRequest', { spec: { argv: ['true'] } });
    const metricsUrl = `https://${agent.httpAddress}/metrics`;
    const p99s: number[] = [];
    const maxes: number[] = [];
    const seconds: number[] = [];
    let notUp = 0;
    let peakRss = 0;
    let failures = 0;
    for (let i = 0; i < ROUNDS; i++) {
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          const nodes = (await cluster.scheduler.client.listNodes()).nodes;
          if (nodes.some((n) => n.state !== 'NODE_STATE_UP')) notUp++;
          peakRss = Math.max(peakRss, readRssBytes(agent.pid) ?? 0);
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      await testFetch(metricsUrl); // the delay window starts here
      const t0 = performance.now();
      const codes = await Promise.all([
        ...Array.from({ length: HOSTILE }, () => call('StartWorkload', requests.hostile)),
        ...Array.from({ length: SINGLES }, () => call('StartWorkload', requests.single)),
        ...Array.from({ length: BATCHES }, () => call('StartWorkloads', requests.batch)),
      ]);
      seconds.push((performance.now() - t0) / 1000);
      const delay = parseDelay(await (await testFetch(metricsUrl)).text());
      p99s.push(delay.p99 * 1000);
      maxes.push(delay.max * 1000);
      failures += codes.slice(0, HOSTILE).filter((c) => c !== INVALID_ARGUMENT).length;
      failures += codes.slice(HOSTILE).filter((c) => c !== 0).length;
      // Two heartbeats more, so a node marked down late is seen; the `true`s end meanwhile.
      await new Promise((r) => setTimeout(r, 2500));
      watching = false;
      await watcher;
      ctx.log(`round ${i + 1}: ${round(seconds.at(-1)!, 2)} s, loop delay p99 ${round(p99s.at(-1)!, 1)} ms`);
    }
    // The same number of calls, each tiny: what the machine alone costs the loop (a loaded host
    // delays every timer; the difference is what the sizes cost).
    const baseline: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      await testFetch(metricsUrl);
      await Promise.all(Array.from({ length: HOSTILE + SINGLES + BATCHES }, () => call('StartWorkload', small)));
      baseline.push(parseDelay(await (await testFetch(metricsUrl)).text()).p99 * 1000);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const p99 = summarize(p99s);
    return {
      rows: [
        row('bounds: agent event-loop delay p99 over a burst (worst round)', round(Math.max(...p99s), 1), 'ms', {
          op: '<=',
          limit: 50,
        }),
        row('bounds: agent event-loop delay max over a burst (worst round)', round(Math.max(...maxes), 1), 'ms'),
        row('bounds: same, 36 tiny starts instead (baseline p99, worst round)', round(Math.max(...baseline), 1), 'ms'),
        row('bounds: node not up during bursts (samples)', notUp, '', { op: '<=', limit: 0 }),
        row('bounds: requests not answered as expected', failures, '', { op: '<=', limit: 0 }),
        row('bounds: agent peak RSS during bursts', round(peakRss / MiB, 1), 'MiB'),
        row('bounds: burst answered in (median)', round(summarize(seconds).p50, 2), 's'),
      ],
      raw: { p99Ms: p99s, maxMs: maxes, baselineP99Ms: baseline, seconds, p99 },
    };
  } finally {
    await cluster.stop();
    unregister();
  }
}

function parseDelay(text: string): { p99: number; max: number } {
  const value = (stat: string) =>
    Number(new RegExp(`^mo_event_loop_delay_seconds\\{stat="${stat}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { p99: value('p99'), max: value('max') };
}
