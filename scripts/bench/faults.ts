// The faults suite: what a partition costs, with real parts (testkit's partition scenario: a
// scheduler on a netns bed's bridge, two agents in their own network namespaces, real processes).
// node-a runs 5 sleeps with lost_after 5 s and is cut off for 20 s (a silent DROP, then a cut link):
// - overlap of two copies, counted from /proc (target: at most lost_after + 5 s; the agent's
//   self-fencing makes it 0 when it works);
// - from the lost_after deadline (unknown since + lost_after) to the replacement running;
// - from the heal to node-a up again (target 2 s; TCP retransmission alone took 15 s);
// - from the cut to the scheduler showing the workloads unknown (down-after, 5 s).
// Needs root, iproute2 and iptables; without them the suite reports why and fails.
import type { ScheduledWorkload__Output } from '@mo/api';
import { netnsUnavailable, startPartitionScenario } from '@mo/testkit';
import {
  registerCleanup,
  round,
  row,
  summarize,
  type Row,
  type Suite,
  type SuiteContext,
  type SuiteResult,
} from './lib.js';

const LOST_AFTER_MS = 5000;
const HOLD_MS = 20_000;
const WORKLOADS = 5;

export const faultsSuite: Suite = {
  name: 'faults',
  description: 'partitions: overlap of two copies, lost_after -> replacement, heal -> node back (netns)',
  run,
};

async function run(ctx: SuiteContext): Promise<SuiteResult> {
  const why = netnsUnavailable();
  if (why) {
    ctx.log(`no network-namespace test bed: ${why}`);
    return { rows: [row(`faults: no netns bed (${why})`, 1, '', { op: '<=', limit: 0 })], raw: { why } };
  }
  const overlaps: number[] = [];
  const replaceMs: number[] = [];
  const backMs: number[] = [];
  const unknownMs: number[] = [];
  for (const how of ['partition', 'cutLink'] as const) {
    const scenario = await startPartitionScenario({ workloads: WORKLOADS, lostAfterMs: LOST_AFTER_MS });
    const unregister = registerCleanup(() => void scenario.close());
    try {
      const out = await scenario.cutOff(how, HOLD_MS);
      overlaps.push(out.overlapMs);
      backMs.push(out.backAfterMs);
      for (const w of out.after) {
        const t = timeline(w);
        if (t.unknownAtMs) unknownMs.push(t.unknownAtMs - out.cutAtMs);
        if (t.unknownAtMs && t.replacedRunningAtMs) {
          replaceMs.push(t.replacedRunningAtMs - (t.unknownAtMs + LOST_AFTER_MS));
        }
      }
      ctx.log(`${how}: overlap ${out.overlapMs} ms, back ${out.backAfterMs} ms after the heal`);
    } finally {
      await scenario.close();
      unregister();
    }
  }
  const replace = summarize(replaceMs);
  const unknown = summarize(unknownMs);
  const rows: Row[] = [
    row('overlap of two copies in a 20 s partition (max, lost_after 5 s)', Math.max(...overlaps), 'ms', {
      op: '<=',
      limit: LOST_AFTER_MS + 5000,
    }),
    row('lost_after deadline -> replacement running, p50', round(replace.p50, 0), 'ms', { op: '<=', limit: 1000 }),
    row('lost_after deadline -> replacement running, max', round(replace.max, 0), 'ms'),
    row('heal -> node up again (max)', Math.max(...backMs), 'ms', { op: '<=', limit: 2000 }),
    row('cut -> workloads unknown, p50 (down-after 5 s)', round(unknown.p50, 0), 'ms'),
  ];
  return {
    rows,
    raw: { lostAfterMs: LOST_AFTER_MS, holdMs: HOLD_MS, overlaps, replaceMs, backMs, unknownMs, replace, unknown },
  };
}

/** When the workload became unknown, and when its replacement (the run after `lost`) was running. */
function timeline(w: ScheduledWorkload__Output): { unknownAtMs?: number; replacedRunningAtMs?: number } {
  const events = [...w.events].sort((a, b) => a.atMs - b.atMs);
  const unknown = events.find((e) => e.state === 'WORKLOAD_STATE_UNKNOWN');
  const lost = events.findIndex((e) => e.state === 'WORKLOAD_STATE_LOST');
  const running = lost >= 0 ? events.slice(lost).find((e) => e.state === 'WORKLOAD_STATE_RUNNING') : undefined;
  return { unknownAtMs: unknown?.atMs, replacedRunningAtMs: running?.atMs };
}
