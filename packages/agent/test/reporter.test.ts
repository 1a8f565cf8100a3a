// The agent's side of NodeRegistry, against a small scheduler written here (a real gRPC server on
// loopback that records what it receives) and real mo-agent processes: registration, the heartbeat
// stream, fencing, reconnection, and an agent that starts before its scheduler.
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import {
  AgentClient,
  createMoServer,
  moProto,
  newId,
  WorkloadState,
  type HeartbeatRequest__Output,
  type HeartbeatResponse,
  type MoServer,
  type NodeRegistryHandlers,
  type RegisterRequest__Output,
  type WorkloadStatus__Output,
} from '@mo/api';
import { MockDriver, startAgent, type Agent } from '@mo/agent';
import {
  agentCertificate,
  startAgentProcess,
  testAgentClientOptions,
  testPki,
  testServerOptions,
  waitFor,
  type AgentProcess,
  testFetch,
} from '@mo/testkit';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type HeartbeatCall = grpc.ServerDuplexStream<HeartbeatRequest__Output, HeartbeatResponse>;

interface RecordedStream {
  call: HeartbeatCall;
  messages: HeartbeatRequest__Output[];
}

/** A scheduler that only records: every Register, every heartbeat stream and its messages. */
class RecordingScheduler {
  readonly registers: RegisterRequest__Output[] = [];
  readonly streams: RecordedStream[] = [];
  /** Given (once) in the next Register response. */
  stopOnRegister: string[] = [];
  /** False: heartbeats are received but not answered (a one-way partition, as the agent sees it). */
  answering = true;
  /** The leader epoch on every answer (several schedulers: reporter/leader-epoch.ts). */
  epoch = 0;
  address = '';
  private readonly server: MoServer = createMoServer({ services: ['mo.v1.NodeRegistry'], ...testServerOptions() });

  private constructor() {
    const handlers: NodeRegistryHandlers = {
      // Artifacts are not part of these tests.
      UploadArtifact: (_call, cb) => cb({ code: grpc.status.UNIMPLEMENTED }),
      ReportArtifactReplicas: (_call, cb) => cb({ code: grpc.status.UNIMPLEMENTED }),
      DownloadArtifact: (call) => call.emit('error', { code: grpc.status.UNIMPLEMENTED }),
      // Inventories here fit one page.
      SyncInventory: (_call, cb) => cb({ code: grpc.status.UNIMPLEMENTED }),
      Register: (call, callback) => {
        this.registers.push(call.request);
        callback(null, {
          nodeId: call.request.nodeId,
          heartbeatIntervalMs: 200,
          downAfterMs: 1000,
          stopAllocationIds: this.stopOnRegister.splice(0),
          leaderEpoch: this.epoch,
        });
      },
      Heartbeat: (call) => {
        const stream: RecordedStream = { call, messages: [] };
        this.streams.push(stream);
        call.on('data', (m: HeartbeatRequest__Output) => {
          stream.messages.push(m);
          // The scheduler answers every heartbeat (the agent's proof of contact).
          if (this.answering)
            call.write({ heartbeatIntervalMs: 200, downAfterMs: 1000, stopAllocationIds: [], leaderEpoch: this.epoch });
        });
        call.on('end', () => call.end());
        call.on('error', () => undefined);
      },
    };
    this.server.server.addService(moProto().mo.v1.NodeRegistry.service, handlers);
  }

  static async start(address = '127.0.0.1:0'): Promise<RecordingScheduler> {
    const self = new RecordingScheduler();
    self.address = `127.0.0.1:${await self.server.listen(address)}`;
    return self;
  }

  /** Every change this node reported, in order, across all its streams. */
  changesOf(nodeId: string): WorkloadStatus__Output[] {
    return this.streams
      .filter((s) => s.messages[0]?.nodeId === nodeId)
      .flatMap((s) => s.messages.flatMap((m) => m.changes));
  }

  statesOf(nodeId: string, workloadId: string): WorkloadState[] {
    return this.changesOf(nodeId)
      .filter((c) => c.spec?.id === workloadId)
      .map((c) => c.state);
  }

  /**
   * Every state this node reported for a workload: on its streams, and in the inventories of its
   * registrations (a session dropped under load re-registers, and a change made meanwhile arrives
   * there instead).
   */
  reportedStatesOf(nodeId: string, workloadId: string): WorkloadState[] {
    const registered = this.registers
      .filter((r) => r.nodeId === nodeId)
      .flatMap((r) => r.inventory)
      .filter((i) => i.spec?.id === workloadId)
      .map((i) => i.state);
    return [...this.statesOf(nodeId, workloadId), ...registered];
  }

  async registered(count: number): Promise<RegisterRequest__Output> {
    await waitFor(`${count} Register calls (have ${this.registers.length})`, () => this.registers.length >= count, {
      timeoutMs: 15_000,
    });
    return this.registers[count - 1]!;
  }

  /** Ends the newest heartbeat stream with an error status, as a scheduler losing the node would. */
  killStream(): void {
    this.streams.at(-1)!.call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'killed by the test' });
  }

  close(): Promise<void> {
    return this.server.close(500);
  }
}

const schedulers: RecordingScheduler[] = [];
const agents: AgentProcess[] = [];
const workloadsToStop: Array<{ agent: AgentProcess; id: string }> = [];

async function scheduler(address?: string): Promise<RecordingScheduler> {
  const s = await RecordingScheduler.start(address);
  schedulers.push(s);
  return s;
}

async function agentFor(address: string, extraArgs: string[] = [], dataDir?: string): Promise<AgentProcess> {
  const a = await startAgentProcess({ extraArgs: ['--scheduler', address, ...extraArgs], dataDir });
  agents.push(a);
  return a;
}

async function health(agent: AgentProcess): Promise<{ scheduler: { connected: boolean; nodeId: string } }> {
  return (await (await testFetch(`https://${agent.httpAddress}/healthz`)).json()) as {
    scheduler: { connected: boolean; nodeId: string };
  };
}

async function connectedGauge(agent: AgentProcess): Promise<string | undefined> {
  const text = await (await testFetch(`https://${agent.httpAddress}/metrics`)).text();
  return /^mo_agent_scheduler_connected (\d)$/m.exec(text)?.[1];
}

afterEach(async () => {
  for (const { agent, id } of workloadsToStop.splice(0))
    await agent.client.stopWorkload(id, 100).catch(() => undefined);
  for (const a of agents.splice(0)) await a.kill('SIGTERM');
  for (const s of schedulers.splice(0)) await s.close();
});

describe('agent registration and heartbeat', () => {
  it('registers with facts, labels, capacity and inventory, under a node id that survives restarts', async () => {
    const s = await scheduler();
    const labels = ['--label', 'zone=eu-1', '--label', 'disk=ssd'];
    const capacity = ['--capacity-cpu', '1500', '--capacity-memory', '1073741824', '--docker-ports', '4801-4810'];
    const first = await agentFor(s.address, [...labels, ...capacity]);
    const reg = await s.registered(1);
    const nodeId = readFileSync(join(first.dataDir, 'node-id'), 'utf8').trim();
    expect(reg.nodeId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(reg.nodeId).toBe(nodeId);
    expect(reg.address).toBe(first.grpcAddress);
    expect(reg.facts?.cpuCores).toBeGreaterThan(0);
    expect(reg.facts?.drivers).toContain('process');
    expect(reg.labels).toEqual({ zone: 'eu-1', disk: 'ssd' });
    expect(reg.capacity).toEqual({ cpuMillis: 1500, memoryBytes: 1073741824, hostPorts: 10 });
    expect(reg.metrics?.memoryTotalBytes).toBeGreaterThan(0);
    expect(reg.inventory).toEqual([]);

    // The stream opens with the node id and metrics, then keeps beating at the interval we gave.
    await waitFor('3 heartbeats', () => (s.streams[0]?.messages.length ?? 0) >= 3);
    const [hello, beat] = s.streams[0]!.messages;
    expect(hello).toMatchObject({ nodeId });
    expect(hello!.metrics?.memoryTotalBytes).toBeGreaterThan(0);
    expect(beat!.metrics?.sampledAtMs).toBeGreaterThan(0);
    expect(await health(first)).toMatchObject({ scheduler: { connected: true, nodeId } });
    expect(await connectedGauge(first)).toBe('1');

    const w = await first.client.startWorkload({ argv: ['sleep', '300'] });
    await first.kill('SIGTERM');
    const second = await agentFor(s.address, labels, first.dataDir);
    workloadsToStop.push({ agent: second, id: w.spec!.id });
    const again = await s.registered(2);
    expect(again.nodeId).toBe(nodeId);
    // Defaults: all cores, all memory.
    expect(again.capacity?.cpuMillis).toBe(again.facts!.cpuCores * 1000);
    expect(again.capacity?.memoryBytes).toBe(again.facts!.memoryTotalBytes);
    expect(again.inventory.map((i) => [i.spec?.id, i.state])).toEqual([
      [w.spec!.id, WorkloadState.WORKLOAD_STATE_RUNNING],
    ]);
  });

  it('sends a workload start and exit as changes on the stream, in order', async () => {
    const s = await scheduler();
    const agent = await agentFor(s.address);
    const { nodeId } = await s.registered(1);
    await waitFor('the heartbeat stream', () => s.streams.length === 1);
    // With its id, as the scheduler starts one (its allocation id): the start is known as it arrives.
    const w = await agent.client.startWorkload({ id: newId(), argv: ['sh', '-c', 'sleep 0.3; exit 3'] });
    const id = w.spec!.id;
    await waitFor('the exit on the stream', () => s.statesOf(nodeId, id).length >= 3);
    expect(s.statesOf(nodeId, id)).toEqual([
      WorkloadState.WORKLOAD_STATE_STARTING,
      WorkloadState.WORKLOAD_STATE_RUNNING,
      WorkloadState.WORKLOAD_STATE_FAILED,
    ]);
    const failed = s.changesOf(nodeId).at(-1)!;
    expect(failed.exit).toMatchObject({ exited: true, exitCode: 3 });
    // Starting and the end go out at once, in messages of their own; running, which the start's
    // answer told already, rides a message that goes anyway: a beat (every 200 ms here), or the end's.
    const { messages } = s.streams[0]!;
    const has = (m: HeartbeatRequest__Output, state: WorkloadState) => m.changes.some((c) => c.state === state);
    const end = messages.find((m) => has(m, WorkloadState.WORKLOAD_STATE_FAILED))!;
    expect(end.metrics).toBeNull();
    expect(messages.find((m) => has(m, WorkloadState.WORKLOAD_STATE_STARTING))!.metrics).toBeNull();
    const running = messages.find((m) => has(m, WorkloadState.WORKLOAD_STATE_RUNNING))!;
    expect(running.metrics !== null || running === end).toBe(true);
  });

  it('stops the workloads the scheduler fences in its Register response', async () => {
    const s = await scheduler();
    const first = await agentFor(s.address);
    await s.registered(1);
    const fenced = await first.client.startWorkload({ argv: ['sleep', '300'] });
    const kept = await first.client.startWorkload({ argv: ['sleep', '300'] });
    // The node goes away; meanwhile the scheduler has replaced one of its copies elsewhere.
    await first.kill('SIGKILL');
    s.stopOnRegister = [fenced.spec!.id, '01ARZ3NDEKTSV4RRFFQ69G5FAV'];
    const second = await agentFor(s.address, [], first.dataDir);
    workloadsToStop.push({ agent: second, id: kept.spec!.id });
    const { nodeId } = await s.registered(2);
    await waitFor('the fenced workload to stop', async () => {
      const now = await second.client.getWorkload(fenced.spec!.id);
      return now.state === WorkloadState.WORKLOAD_STATE_STOPPED;
    });
    expect((await second.client.getWorkload(kept.spec!.id)).state).toBe(WorkloadState.WORKLOAD_STATE_RUNNING);
    await waitFor('the stop reported on the stream', () =>
      s.statesOf(nodeId, fenced.spec!.id).includes(WorkloadState.WORKLOAD_STATE_STOPPED),
    );
  });

  it('re-registers with its inventory when the scheduler kills the stream, and obeys stops on the stream', async () => {
    const s = await scheduler();
    const agent = await agentFor(s.address);
    await s.registered(1);
    await waitFor('the heartbeat stream', () => s.streams.length === 1);
    const a = await agent.client.startWorkload({ argv: ['sleep', '300'] });
    const b = await agent.client.startWorkload({ argv: ['sleep', '300'] });
    workloadsToStop.push({ agent, id: a.spec!.id });
    s.killStream();
    const again = await s.registered(2);
    expect(again.inventory.map((i) => i.spec?.id).sort()).toEqual([a.spec!.id, b.spec!.id].sort());
    await waitFor('a second heartbeat stream', () => s.streams.length === 2);
    expect(agent.logs()).toMatch(/"level":"warn","msg":"lost connection to scheduler/);

    s.streams[1]!.call.write({ heartbeatIntervalMs: 0, downAfterMs: 0, stopAllocationIds: [b.spec!.id] });
    await waitFor('the workload stopped from the stream', async () => {
      const now = await agent.client.getWorkload(b.spec!.id);
      return now.state === WorkloadState.WORKLOAD_STATE_STOPPED;
    });
  });

  it('takes no orders from a deposed leader: a newer leader’s start moves it to that one', async () => {
    // Two schedulers as an election leaves them: the old leader lost its lease but has not noticed,
    // the new one (a higher epoch) starts a workload here. The old one knows nothing of it and
    // would fence it as unknown.
    const old = await scheduler();
    const next = await scheduler();
    old.epoch = 5;
    next.epoch = 6;
    const agent = await agentFor(`${old.address},${next.address}`);
    await old.registered(1);
    await waitFor('the heartbeat stream with the old leader', () => old.streams.length === 1);
    const id = 'started-by-epoch-6';
    old.stopOnRegister = [id];
    const newer = new AgentClient(agent.grpcAddress, { ...testAgentClientOptions(), leaderEpoch: 6 });
    const older = new AgentClient(agent.grpcAddress, { ...testAgentClientOptions(), leaderEpoch: 5 });
    try {
      await newer.startWorkload({ id, argv: ['sleep', '300'] });
      const reg = await next.registered(1);
      expect(reg.inventory.map((i) => [i.spec?.id, i.state])).toEqual([[id, WorkloadState.WORKLOAD_STATE_RUNNING]]);
      await waitFor('the heartbeat stream with the new leader', () => next.streams.length === 1);
      // The old leader was asked again (it is first in the list) and its answer refused, stops and all.
      expect(old.registers.length).toBeGreaterThanOrEqual(2);
      expect(old.streams).toHaveLength(1);
      expect(agent.logs()).toMatch(/a newer leader gave this agent orders; registering anew/);
      expect((await agent.client.getWorkload(id)).state).toBe(WorkloadState.WORKLOAD_STATE_RUNNING);

      // Its direct orders are refused too, naming the field.
      await expect(older.startWorkload({ argv: ['true'] })).rejects.toMatchObject({
        code: grpc.status.FAILED_PRECONDITION,
        message: expect.stringMatching(/leader_epoch: 5 is older than 6/),
      });
      await expect(older.stopWorkload(id)).rejects.toMatchObject({ code: grpc.status.FAILED_PRECONDITION });
      expect((await agent.client.getWorkload(id)).state).toBe(WorkloadState.WORKLOAD_STATE_RUNNING);
    } finally {
      // Epoch 0 is no election (a single scheduler, this test's own client): always obeyed.
      await agent.client.stopWorkload(id, 100).catch(() => undefined);
      newer.close();
      older.close();
    }
  });

  it('serves while the scheduler is unreachable, and registers once it appears', async () => {
    // A free port, then nobody on it.
    const placeholder = await scheduler();
    const address = placeholder.address;
    await placeholder.close();
    schedulers.pop();

    const agent = await agentFor(address);
    expect((await agent.client.getNodeStatus()).workloads).toEqual([]);
    const w = await agent.client.startWorkload({ argv: ['true'] });
    expect(await health(agent)).toMatchObject({ scheduler: { connected: false } });
    expect(await connectedGauge(agent)).toBe('0');

    const s = await scheduler(address);
    const reg = await s.registered(1);
    expect(reg.inventory.map((i) => i.spec?.id)).toEqual([w.spec!.id]);
    await waitFor('connected on /healthz', async () => (await health(agent)).scheduler.connected);
    expect(await connectedGauge(agent)).toBe('1');
    // One warning for the outage, not one per retry.
    expect(agent.logs().match(/cannot register with scheduler/g)).toHaveLength(1);
    expect(agent.logs()).toMatch(/"level":"info","msg":"registered with scheduler"/);
  });

  it.each([
    [['--label', 'no value'], /--label \(MO_NODE_LABELS\): expected key=value/],
    [['--label', 'a b=x'], /--label \(MO_NODE_LABELS\): label key "a b"/],
    [['--capacity-cpu', 'lots'], /--capacity-cpu \(MO_CAPACITY_CPU\): expected a positive integer/],
    [['--capacity-memory', '0'], /--capacity-memory \(MO_CAPACITY_MEMORY\): expected a positive integer/],
    [['--advertise', 'nowhere'], /--advertise \(MO_ADVERTISE_ADDR\)/],
  ])('refuses %j with a message naming the flag', async (args, message) => {
    await expect(startAgentProcess({ extraArgs: ['--scheduler', '127.0.0.1:1', ...args] })).rejects.toThrow(message);
  });
});

describe('simulated nodes (MockDriver, many agents in one process)', () => {
  const inProcess: Agent[] = [];
  afterAll(async () => {
    await Promise.all(inProcess.map((a) => a.close()));
  });

  it('runs five agents in this process, each registered, with workloads that are no processes', async () => {
    const s = await scheduler();
    for (let i = 0; i < 5; i++) {
      inProcess.push(
        await startAgent({
          grpcListen: '127.0.0.1:0',
          httpListen: '127.0.0.1:0',
          dataDir: mkdtempSync(join(tmpdir(), 'mo-sim-')),
          nodeName: `sim-${i}`,
          logLevel: 'warn',
          tls: { ca: testPki().ca, ...(await agentCertificate(`sim-${i}`)) },
          schedulerAddress: s.address,
          drivers: [new MockDriver({ name: 'process' })],
        }),
      );
    }
    await waitFor('5 registrations', () => new Set(s.registers.map((r) => r.nodeId)).size === 5);
    expect(new Set(s.registers.map((r) => r.address)).size).toBe(5);
    const agent = inProcess[0]!;
    const client = new AgentClient(agent.grpcAddress, testAgentClientOptions('sim-0'));
    const w = await client.startWorkload({ argv: ['true'], env: { MO_MOCK_RUN_MS: '50' } });
    client.close();
    expect(w.pid).toBeGreaterThan(2 ** 22);
    // Reported on the stream, or, when a loaded run dropped the session (heartbeats every 200 ms,
    // given up after 3 unanswered), in the next registration's inventory.
    await waitFor(
      'the mock workload to succeed, reported to the scheduler',
      () => s.reportedStatesOf(agent.nodeId, w.spec!.id).includes(WorkloadState.WORKLOAD_STATE_SUCCEEDED),
      { timeoutMs: 30_000 },
    );
  });
});
