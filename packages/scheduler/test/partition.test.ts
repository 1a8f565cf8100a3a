// Partitions, with real parts (testkit's partition scenario: the scheduler on a netns bed's bridge,
// node-a and node-b in their own network namespaces, real processes). node-a runs the workloads and
// is cut off (iptables DROP both ways: silent; or its link down), then healed. Two copies of a
// workload may overlap for at most lost_after + 5 s, counted by processes; in practice the cut-off
// agent stops its copy before the scheduler can replace it. A short cut replaces nothing.
import { afterEach, expect, it } from '@jest/globals';
import { isAlive, netnsUnavailable, requireTool, startPartitionScenario, type PartitionScenario } from '@mo/testkit';

const why = netnsUnavailable();
const maybe = requireTool(!why, `a network-namespace test bed (${why})`) ? it : it.skip;

let scenario: PartitionScenario | undefined;
afterEach(async () => {
  await scenario?.close();
  scenario = undefined;
});

maybe(
  'a 3 s silent cut replaces nothing and kills nothing',
  async () => {
    scenario = await startPartitionScenario();
    const { originals } = scenario;
    const { overlapMs, after } = await scenario.cutOff('partition', 3000);
    expect(overlapMs).toBe(0);
    after.forEach((w, i) => {
      expect([w.state, w.allocationId, w.pid, w.attempt]).toEqual([
        'WORKLOAD_STATE_RUNNING',
        originals[i]!.allocationId,
        originals[i]!.pid,
        1,
      ]);
    });
    expect((await Promise.all(originals.map((w) => isAlive(w.pid)))).every(Boolean)).toBe(true);
  },
  60_000,
);

for (const [how, holdMs, lostAfterMs] of [
  ['partition', 20_000, 5000],
  ['cutLink', 20_000, 5000],
  ['partition', 90_000, undefined], // the cluster default, 30 s
] as const) {
  const lostAfter = lostAfterMs ?? 30_000;
  const what = how === 'partition' ? 'silent partition' : 'cut link';
  maybe(
    `a ${holdMs / 1000} s ${what} with lost_after ${lostAfter / 1000} s: replaced once, copies overlap at most lost_after + 5 s`,
    async () => {
      scenario = await startPartitionScenario({ lostAfterMs });
      const { originals, client } = scenario;
      const { overlapMs, backAfterMs, after } = await scenario.cutOff(how, holdMs);
      console.log(
        `${what} ${holdMs} ms, lost_after ${lostAfter} ms: overlap ${overlapMs} ms, node back ${backAfterMs} ms after the heal`,
      );
      expect(overlapMs).toBeLessThanOrEqual(lostAfter + 5000);
      // The cut-off agent stopped its copies itself; the replacements run on node-b, once.
      for (const w of originals) expect(await isAlive(w.pid)).toBe(false);
      after.forEach((w) => {
        expect([w.state, w.nodeName, w.attempt]).toEqual(['WORKLOAD_STATE_RUNNING', 'node-b', 2]);
      });
      // Back long before TCP retransmission would have given up (15 s after the heal, before).
      expect(backAfterMs).toBeLessThan(10_000);
      // unknown while out of sight, then given up (lost) and replaced: never lost at once.
      const states = (await client.getWorkload(originals[0]!.id)).events.map((e) => e.state);
      expect(states.indexOf('WORKLOAD_STATE_UNKNOWN')).toBeGreaterThan(-1);
      expect(states.indexOf('WORKLOAD_STATE_LOST')).toBeGreaterThan(states.indexOf('WORKLOAD_STATE_UNKNOWN'));
    },
    holdMs + 90_000,
  );
}
