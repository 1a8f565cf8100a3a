// NodeTable: heartbeat timing that stretches with cluster size, deadlines, the faster signal of a
// broken stream, and the per-node circuit breaker. Pure logic with explicit clocks.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { PlacementEngine } from '../placement/index.js';
import { heartbeatTiming, NodeTable, type NodeEntry } from './nodes.js';

const OPTS = {
  heartbeatIntervalMs: 1000,
  downAfterMs: 5000,
  maxHeartbeatsPerSecond: 50,
  breakerThreshold: 3,
  breakerCooldownMs: 30_000,
};

// Tests that fake the clock put the real one back.
afterEach(() => {
  jest.useRealTimers();
});

function table(extra: { forgetDownAfterMs?: number } = {}) {
  const engine = new PlacementEngine({ seed: 1 });
  const down: NodeEntry[] = [];
  const forgotten: string[] = [];
  const nodes = new NodeTable({ ...OPTS, ...extra }, engine, {
    onDown: (n) => down.push(n),
    onChange: () => undefined,
    onForget: (n, reason) => forgotten.push(`${n.name}: ${reason}`),
  });
  const add = (i: number, now = 0, takesBusyTiming = false) =>
    nodes.register(
      {
        id: `N${i}`,
        name: `node-${i}`,
        address: `127.0.0.1:${7000 + i}`,
        labels: {},
        facts: null,
        capacity: { cpuMillis: 1000, memoryBytes: 1 << 30 },
        registeredAtMs: now,
      },
      null,
      now,
      takesBusyTiming,
    );
  return { engine, nodes, down, forgotten, add };
}

/** At 0 on fake timers: the table started, node-1 (N1) registered and busy (the 1 s interval and 5 s down-after: deadline 5000). */
function busyNodeAtZero() {
  jest.useFakeTimers({ now: 0 });
  const t = table();
  t.nodes.start();
  t.add(1, 0);
  t.engine.reserve('N1', { cpuMillis: 100, memoryBytes: 0 });
  return t;
}

describe('NodeTable sweep timer', () => {
  it('runs at the earliest deadline, not on a period: a heartbeat only makes it find no one and set itself again', () => {
    const { nodes, down } = busyNodeAtZero();
    jest.advanceTimersByTime(4000);
    nodes.heartbeat('N1', null, Date.now()); // deadline 9000; the timer stays at 5000
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(1500); // fires at ~5000, finds N1 alive, sets itself for 9000
    expect(down).toHaveLength(0);
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(3400); // 8900: not yet
    expect(down).toHaveLength(0);
    jest.advanceTimersByTime(200); // 9100: overdue
    expect(down.map((n) => n.name)).toEqual(['node-1']);
    nodes.close();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('fired late (the scheduler was held up): one heartbeat interval more, so a queued heartbeat counts', () => {
    const { nodes, down } = busyNodeAtZero();
    jest.advanceTimersByTime(4000);
    jest.setSystemTime(7000); // held up for 3 s: the timer, due at 5000, fires at 8000
    jest.advanceTimersByTime(1000);
    expect(down).toHaveLength(0);
    nodes.heartbeat('N1', null, Date.now()); // the heartbeat that was queued behind it: deadline 13000
    jest.advanceTimersByTime(1100); // the grace's sweep at 9000 finds N1 alive
    expect(down).toHaveLength(0);
    jest.advanceTimersByTime(4000); // 13100: silent since, and the sweep on time: down
    expect(down.map((n) => n.name)).toEqual(['node-1']);
    nodes.close();
  });

  it('fired late twice, no heartbeat between: the second judges', () => {
    const { nodes, down } = busyNodeAtZero();
    jest.setSystemTime(3000);
    jest.advanceTimersByTime(5001); // fires at 8001: graced until 9001
    expect(down).toHaveLength(0);
    jest.setSystemTime(Date.now() + 500);
    jest.advanceTimersByTime(1001); // late again: down
    expect(down.map((n) => n.name)).toEqual(['node-1']);
    nodes.close();
  });

  it('an earlier deadline (a node registering) brings the timer forward; down nodes are forgotten on time', () => {
    jest.useFakeTimers({ now: 0 });
    const { nodes, down, forgotten, add } = table({ forgetDownAfterMs: 60_000 });
    nodes.start(); // nothing known: the 60 s backstop
    jest.advanceTimersByTime(1000);
    add(1, Date.now()); // deadline 6000
    jest.advanceTimersByTime(5100);
    expect(down.map((n) => n.name)).toEqual(['node-1']);
    jest.advanceTimersByTime(60_000);
    expect(forgotten).toEqual(['node-1: down for more than 60s']);
    nodes.close();
  });
});

describe('heartbeatTiming', () => {
  it.each([
    ['busy, small cluster', 10, false, undefined, 1000, 5000],
    ['idle: 10 × the interval, down-after by the same ratio', 10, true, undefined, 10_000, 50_000],
    ['idle with an interval of its own', 10, true, 3000, 3000, 15_000],
    ['idle interval 0: as busy', 10, true, 0, 1000, 5000],
    ['busy, stretched by a large cluster', 1000, false, undefined, 20_000, 100_000],
    ['idle in a large cluster: the longer of the two', 1000, true, undefined, 20_000, 100_000],
    ['idle in a mid cluster', 100, true, undefined, 10_000, 50_000],
  ] as const)('%s', (_, size, idle, idleMs, interval, downAfter) => {
    const o = { ...OPTS, ...(idleMs !== undefined ? { idleHeartbeatIntervalMs: idleMs } : {}) };
    expect(heartbeatTiming(o, size, idle)).toEqual({ heartbeatIntervalMs: interval, downAfterMs: downAfter });
  });
});

describe('NodeTable idle timing', () => {
  it('gives an idle node the idle deadline, and an answer once work is booked on it brings its deadline (and the sweep) forward', () => {
    jest.useFakeTimers({ now: 0 });
    const { nodes, down, add, engine } = table();
    nodes.start();
    add(1, 0);
    nodes.heartbeat('N1', null, 0);
    expect(nodes.timing('N1')).toEqual({ heartbeatIntervalMs: 10_000, downAfterMs: 50_000 });
    expect(nodes.get('N1')!.deadlineMs).toBe(50_000);
    // A workload placed on it; its start's change arrives and is answered with the busy timing.
    engine.reserve('N1', { cpuMillis: 100, memoryBytes: 0 });
    jest.advanceTimersByTime(1000);
    expect(nodes.answer('N1', Date.now())).toEqual({ heartbeatIntervalMs: 1000, downAfterMs: 5000 });
    expect(nodes.get('N1')!.deadlineMs).toBe(6000);
    jest.advanceTimersByTime(5100); // silent since: down at 6000, not at 50 000
    expect(down.map((n) => n.name)).toEqual(['node-1']);
    expect(nodes.answer('N1', Date.now())).toBeUndefined(); // down: no answer
    nodes.close();
  });

  it("brings an idle node's deadline to the busy down-after once a start is answered, if its agent takes up the busy timing", () => {
    jest.useFakeTimers({ now: 0 });
    const { nodes, down, add, engine } = table();
    nodes.start();
    add(1, 0, true);
    add(2, 0); // an older agent: it asks with a heartbeat, whose answer brings the deadline forward
    for (const id of ['N1', 'N2']) {
      nodes.heartbeat(id, null, 0);
      engine.reserve(id, { cpuMillis: 100, memoryBytes: 0 });
    }
    jest.advanceTimersByTime(1000);
    nodes.startAnswered('N1', Date.now());
    nodes.startAnswered('N2', Date.now());
    expect(nodes.get('N1')!.deadlineMs).toBe(6000);
    expect(nodes.get('N2')!.deadlineMs).toBe(50_000);
    // It only ever shrinks it: a start answered later does not stand in for heartbeats.
    nodes.heartbeat('N1', null, 2000); // 7000
    jest.advanceTimersByTime(3000);
    nodes.startAnswered('N1', Date.now());
    expect(nodes.get('N1')!.deadlineMs).toBe(7000);
    jest.advanceTimersByTime(3100);
    expect(down.map((n) => n.name)).toEqual(['node-1']);
    nodes.startAnswered('N1', Date.now()); // down: nothing
    expect(nodes.get('N1')!.state).toBe('down');
    nodes.close();
  });

  it('answers a node whose last allocation ended with the idle timing and a deadline to match', () => {
    const { nodes, add, engine } = table();
    add(1, 0);
    engine.reserve('N1', { cpuMillis: 100, memoryBytes: 0 });
    nodes.heartbeat('N1', null, 1000);
    expect(nodes.get('N1')!.deadlineMs).toBe(6000);
    engine.release('N1', { cpuMillis: 100, memoryBytes: 0 });
    // Had the deadline stayed at 6000, the agent (told 10 s) would be down before its next beat.
    expect(nodes.answer('N1', 1000)).toEqual({ heartbeatIntervalMs: 10_000, downAfterMs: 50_000 });
    expect(nodes.get('N1')!.deadlineMs).toBe(51_000);
    expect(nodes.answer('N9', 1000)).toBeUndefined();
  });
});

describe('NodeTable', () => {
  it('keeps the small-cluster defaults up to the heartbeat budget, then stretches both', () => {
    const { nodes, add } = table();
    for (let i = 0; i < 50; i++) add(i);
    expect(nodes.timing()).toEqual({ heartbeatIntervalMs: 1000, downAfterMs: 5000 });
    for (let i = 50; i < 1000; i++) add(i);
    // 1000 nodes at <= 50 heartbeats/s: every 20 s, down after 100 s.
    expect(nodes.timing()).toEqual({ heartbeatIntervalMs: 20_000, downAfterMs: 100_000 });
  });

  it('marks a silent node down at its deadline, once, and heartbeats move the deadline', () => {
    const { nodes, down, add, engine } = table();
    add(1, 0);
    engine.reserve('N1', { cpuMillis: 100, memoryBytes: 0 }); // busy: the 1 s interval and 5 s down-after
    nodes.sweep(4000);
    nodes.heartbeat('N1', null, 4000);
    nodes.sweep(8999);
    expect(down).toHaveLength(0);
    nodes.sweep(9000);
    nodes.sweep(9500);
    expect(down.map((n) => n.name)).toEqual(['node-1']);
    expect(nodes.get('N1')!.reason).toBe('no heartbeat for 5000 ms');
    expect(engine.getNode('N1')!.up).toBe(false);
    // A heartbeat from a down node is refused: it must register again (with its inventory).
    expect(nodes.heartbeat('N1', null, 9600)).toBeUndefined();
    add(1, 10_000);
    expect(nodes.get('N1')!.state).toBe('up');
    expect(nodes.get('N1')!.reason).toBe('registered again');
  });

  it("keeps the whole --down-after deadline when a node's stream breaks (a restarting agent is not down)", () => {
    const { nodes, down, add } = table();
    add(1, 0);
    nodes.setStreaming('N1', true);
    nodes.setStreaming('N1', false);
    expect(nodes.get('N1')!.streaming).toBe(false);
    nodes.sweep(4999);
    expect(down).toHaveLength(0);
    nodes.sweep(5000);
    expect(down).toHaveLength(1);
  });

  it('opens the circuit breaker after repeated failed starts, and a success resets the count', () => {
    const { nodes, add, engine } = table();
    add(1, 0);
    expect(nodes.recordStart('N1', false, 10)).toBe(false);
    expect(nodes.recordStart('N1', true, 20)).toBe(false);
    expect(nodes.recordStart('N1', false, 30)).toBe(false);
    expect(nodes.recordStart('N1', false, 40)).toBe(false);
    expect(nodes.recordStart('N1', false, 50)).toBe(true);
    expect(nodes.get('N1')!.avoidUntilMs).toBe(30_050);
    expect(engine.getNode('N1')!.avoidUntilMs).toBe(30_050);
  });

  it('replaces the old entry when a node name comes back under a new id (a wiped agent)', () => {
    const { nodes, add, engine, down } = table();
    add(1, 0);
    nodes.register(
      {
        id: 'NEW',
        name: 'node-1',
        address: '127.0.0.1:9',
        labels: {},
        facts: null,
        capacity: { cpuMillis: 1000, memoryBytes: 1 << 30 },
        registeredAtMs: 5,
      },
      null,
      5,
    );
    expect(down.map((n) => n.id)).toEqual(['N1']);
    expect(nodes.get('N1')).toBeUndefined();
    expect(nodes.byNodeName('node-1')!.id).toBe('NEW');
    expect(engine.size).toBe(1);
  });

  it('forgets a node down longer than forgetDownAfterMs, and only then', () => {
    const { nodes, forgotten, add, engine } = table({ forgetDownAfterMs: 60_000 });
    add(1, 0);
    add(2, 0);
    nodes.sweep(5000); // both down at 5 s
    nodes.heartbeat('N2', null, 5000); // refused: down
    add(2, 6000); // node-2 registers again: up, and its down time starts over
    nodes.sweep(11_000); // node-2 down again at 11 s
    nodes.sweep(64_999);
    expect(forgotten).toEqual([]);
    nodes.sweep(65_000);
    expect(forgotten).toEqual([expect.stringMatching(/^node-1: down for more than /)]);
    expect(nodes.get('N1')).toBeUndefined();
    expect(engine.getNode('N1')).toBeUndefined();
    expect(nodes.get('N2')!.state).toBe('down');
    nodes.sweep(71_000);
    expect(nodes.get('N2')).toBeUndefined();
  });

  it('counts a restored down node from the restart when its record predates downSinceMs', () => {
    const { nodes, forgotten } = table({ forgetDownAfterMs: 1000 });
    nodes.restore(
      [
        {
          id: 'OLD',
          name: 'old',
          address: '127.0.0.1:1',
          labels: {},
          facts: null,
          capacity: { cpuMillis: 0, memoryBytes: 0 },
          registeredAtMs: 0,
          state: 'down',
          reason: 'no heartbeat',
          eligible: true,
        },
      ],
      50_000,
    );
    nodes.sweep(50_999);
    expect(forgotten).toEqual([]);
    nodes.sweep(51_000);
    expect(forgotten).toHaveLength(1);
  });

  it('removes a down node by name or id on request, and refuses an up or unknown one', () => {
    const { nodes, forgotten, add } = table();
    add(1, 0);
    add(2, 0);
    expect(() => nodes.removeDown('node-1', 100)).toThrow(/node node-1 is up .*only a down node can be removed/);
    expect(() => nodes.removeDown('node-9', 100)).toThrow(/node: no node "node-9"/);
    nodes.markDown('N1', 'test');
    nodes.markDown('N2', 'test');
    expect(nodes.removeDown('node-1', 100).id).toBe('N1');
    expect(nodes.removeDown('N2', 100).name).toBe('node-2');
    expect(forgotten).toEqual(['node-1: removed by request', 'node-2: removed by request']);
    expect(nodes.size).toBe(0);
  });
});
