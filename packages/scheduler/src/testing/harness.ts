// A harness for the workload manager, as Nomad's scheduler/testing.go Harness "manages a state
// store copy and provides the planner interface … for invoking the scheduler without side
// effects": the real WorkloadManager, placement engine and node table, over an in-memory store,
// fake agents and a fake clock. No processes, sockets or sleeps: a test builds a cluster, acts as
// agents and nodes, moves time, and asserts on records, on what was written and on what agents
// were told. Its methods settle (run what the manager queued) before they return.
import { type SubmitWorkloadRequest__Output, type WorkloadStatus__Output } from '@mo/api';
import { PlacementEngine } from '../placement/index.js';
import { NodeTable, type NodeEntry } from '../registry/nodes.js';
import { WorkloadManager, type WorkloadManagerOptions } from '../workloads/manager.js';
import type { RestartModeName, WorkloadRecord, WorkloadStateName } from '../workloads/record.js';
import type { Random } from '../workloads/lifecycle.js';
import { FakeAgents, type FakeAgent } from './fake-agents.js';
import { FakeClock } from './fake-clock.js';
import { MemoryStore, type MemoryDisk } from './memory-store.js';
import type { StatusOverrides } from './records.js';

export type HarnessOptions = Partial<
  Pick<
    WorkloadManagerOptions,
    'passBudget' | 'maxPending' | 'maxRetainedEnded' | 'defaultLostAfterMs' | 'reconnectKeep' | 'idempotencyWindowMs'
  >
> & {
  /** The restart backoff's jitter (default 0.5: none). */
  random?: Random;
  /** How long a silent node stays up (default 5 s, as the scheduler's default). */
  downAfterMs?: number;
};

export interface NodeOptions {
  /** What its Register sends (default: what its fake agent holds now). */
  inventory?: WorkloadStatus__Output[];
  cpuMillis?: number;
  memoryBytes?: number;
  labels?: Record<string, string>;
}

/** What a test submits: a few fields of a workload, the rest defaulted. */
export interface Submission {
  name?: string;
  cpuMillis?: number;
  memoryBytes?: number;
  restart?: RestartModeName;
  maxAttempts?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  lostAfterMs?: number;
  priority?: 'low' | 'normal' | 'high';
  node?: string;
  idempotencyKey?: string;
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields?: Record<string, unknown>;
}

/** One change a watcher saw. */
export interface Change {
  id: string;
  state: WorkloadStateName;
  reason: string;
}

const RESTART_ENUM = {
  never: 'RESTART_MODE_NEVER',
  'on-failure': 'RESTART_MODE_ON_FAILURE',
  always: 'RESTART_MODE_ALWAYS',
};
const PRIORITY_ENUM = { low: 'PRIORITY_LOW', normal: 'PRIORITY_NORMAL', high: 'PRIORITY_HIGH' };

export class WorkloadHarness {
  readonly clock: FakeClock;
  readonly store: MemoryStore;
  readonly agents: FakeAgents;
  readonly engine = new PlacementEngine({ seed: 1 });
  readonly nodes: NodeTable;
  /** Every change watchers were told about, in order. */
  readonly changes: Change[] = [];
  /** Each placement attempt's outcome, in order. */
  readonly placements: Array<'placed' | 'failed'> = [];
  /** What the manager logged. */
  readonly logs: LogLine[] = [];
  manager: WorkloadManager;
  private nodeCount = 0;

  private constructor(
    private readonly o: HarnessOptions,
    disk: MemoryDisk,
    clock: FakeClock,
    agents: FakeAgents,
  ) {
    this.clock = clock;
    this.agents = agents;
    this.store = new MemoryStore(disk);
    this.nodes = new NodeTable(
      {
        heartbeatIntervalMs: 1000,
        downAfterMs: o.downAfterMs ?? 5000,
        maxHeartbeatsPerSecond: 1000,
        breakerThreshold: 3,
        breakerCooldownMs: 30_000,
      },
      this.engine,
      {
        onDown: (node, gone) => this.manager.nodeDown(node, gone),
        onChange: (node) => {
          if (node.state === 'up') this.manager.nodeChanged(node.id);
        },
        onForget: (node) => this.manager.nodeDown(node, true),
      },
    );
    this.manager = this.newManager();
  }

  /** A harness with a loaded, started manager (on `disk`, to play a restart of the scheduler). */
  static async open(
    o: HarnessOptions = {},
    disk: MemoryDisk = new Map(),
    clock = new FakeClock(),
    agents = new FakeAgents(),
  ): Promise<WorkloadHarness> {
    const h = new WorkloadHarness(o, disk, clock, agents);
    await h.manager.load();
    h.manager.start();
    await h.clock.settle();
    return h;
  }

  async close(): Promise<void> {
    await this.manager.close();
  }

  /**
   * The scheduler restarts on the same store: a new harness whose manager loads what this one
   * wrote. The agents (and what they run) and the time carry on; nodes must register again.
   */
  async restart(): Promise<WorkloadHarness> {
    await this.close();
    return WorkloadHarness.open(this.o, this.store.disk, this.clock, this.agents);
  }

  /**
   * The scheduler is killed (SIGKILL) and started again on the same store: the old manager does
   * nothing more (its timers are gone, its store is closed: answers still in flight to it land
   * nowhere), the new one loads what was durable. Agents and time carry on; nodes register again.
   */
  async crash(): Promise<WorkloadHarness> {
    void this.manager.close();
    await this.store.close();
    return WorkloadHarness.open(this.o, this.store.disk, this.clock, this.agents);
  }

  // ---- nodes -----------------------------------------------------------------------------------

  /** A node registers (or registers again) with its agent's inventory. Returns what it must stop. */
  async register(name: string, o: NodeOptions = {}): Promise<{ node: NodeEntry; stop: string[] }> {
    const before = this.nodes.byNodeName(name);
    const node = this.nodes.register(
      {
        id: before?.id ?? `N${++this.nodeCount}-${name}`,
        name,
        address: `${name}:7610`,
        labels: o.labels ?? before?.labels ?? {},
        facts: null,
        capacity: {
          cpuMillis: o.cpuMillis ?? before?.capacity.cpuMillis ?? 4000,
          memoryBytes: o.memoryBytes ?? before?.capacity.memoryBytes ?? 8 * 2 ** 30,
        },
        registeredAtMs: before?.registeredAtMs ?? this.clock.now(),
      },
      null,
      this.clock.now(),
    );
    const stop = this.manager.reconcile(node, o.inventory ?? this.agent(name).inventory());
    await this.clock.settle();
    return { node, stop };
  }

  /** The node stops being heard from: down (its workloads become unknown). */
  async nodeDown(name: string, reason = 'no heartbeat for 5000 ms'): Promise<void> {
    this.nodes.markDown(this.node(name).id, reason, false, this.clock.now());
    await this.clock.settle();
  }

  node(name: string): NodeEntry {
    const node = this.nodes.byNodeName(name);
    if (!node) throw new Error(`no node ${name}`);
    return node;
  }

  agent(name: string): FakeAgent {
    return this.agents.get({ name });
  }

  // ---- workloads -------------------------------------------------------------------------------

  async submit(s: Submission = {}): Promise<WorkloadRecord> {
    const { record } = await this.manager.submit(request(s), { bounded: true });
    await this.clock.settle();
    return record;
  }

  get(id: string): WorkloadRecord {
    return this.manager.get(id);
  }

  /** The record as last written to the store. */
  async stored(id: string): Promise<WorkloadRecord | undefined> {
    const row = (await this.store.load('workload')).find((r) => r.id === id);
    return row?.value as WorkloadRecord | undefined;
  }

  /**
   * The current allocation of workload `id` ends on its node (`state`, with the agent's details),
   * reported on the heartbeat stream. Returns 'stop' when the scheduler tells the node to stop it.
   */
  async end(id: string, state: WorkloadStateName, o: StatusOverrides = {}): Promise<'ok' | 'stop'> {
    const r = this.get(id);
    const status = this.agent(r.nodeName).end(r.allocationId, state, o);
    return this.report(r.nodeName, status);
  }

  /** A node reports a status on its heartbeat stream. */
  async report(nodeName: string, status: WorkloadStatus__Output): Promise<'ok' | 'stop'> {
    const answer = this.manager.report(this.node(nodeName).id, status);
    await this.clock.settle();
    return answer;
  }

  async stop(id: string, graceMs = 0): Promise<WorkloadRecord> {
    const stopped = this.manager.stop(id, graceMs);
    await this.clock.settle();
    return stopped;
  }

  /** Moves time forward, firing the manager's timers (backoffs, lost_after) as it passes. */
  async advance(ms: number): Promise<void> {
    await this.clock.advance(ms);
  }

  /** The states each workload went through, as watchers saw them. */
  statesOf(id: string): WorkloadStateName[] {
    return this.changes.filter((c) => c.id === id).map((c) => c.state);
  }

  private newManager(): WorkloadManager {
    return new WorkloadManager({
      store: this.store,
      engine: this.engine,
      nodes: this.nodes,
      agents: this.agents,
      logger: {
        debug: (msg, fields) => this.logs.push({ level: 'debug', msg, ...(fields && { fields }) }),
        info: (msg, fields) => this.logs.push({ level: 'info', msg, ...(fields && { fields }) }),
        warn: (msg, fields) => this.logs.push({ level: 'warn', msg, ...(fields && { fields }) }),
        error: (msg, fields) => this.logs.push({ level: 'error', msg, ...(fields && { fields }) }),
      },
      observer: { placement: (result) => this.placements.push(result) },
      onChange: (r) => this.changes.push({ id: r.id, state: r.state, reason: r.reason }),
      clock: this.clock,
      random: this.o.random ?? (() => 0.5),
      ...pick(this.o, [
        'passBudget',
        'maxPending',
        'maxRetainedEnded',
        'defaultLostAfterMs',
        'reconnectKeep',
        'idempotencyWindowMs',
      ]),
    });
  }
}

/** The SubmitWorkload request for a test's submission. */
export function request(s: Submission): SubmitWorkloadRequest__Output {
  return {
    spec: {
      name: s.name ?? '',
      argv: ['sleep', '600'],
      resources: { cpuMillis: s.cpuMillis ?? 100, memoryBytes: s.memoryBytes ?? 64 << 20 },
      ...(s.lostAfterMs !== undefined && { lostAfterMs: s.lostAfterMs }),
    },
    scheduling: {
      node: s.node ?? '',
      priority: PRIORITY_ENUM[s.priority ?? 'normal'],
      restart: {
        mode: RESTART_ENUM[s.restart ?? 'never'],
        maxAttempts: s.maxAttempts ?? 0,
        initialBackoffMs: s.initialBackoffMs ?? 0,
        maxBackoffMs: s.maxBackoffMs ?? 0,
      },
    },
    idempotencyKey: s.idempotencyKey ?? '',
    count: 0,
  } as unknown as SubmitWorkloadRequest__Output;
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
