// SchedulerReporter on its own, with the workloads given as a literal: coalescing of changes,
// interval changes from the scheduler, and a close() that leaves workloads alone.
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { agentCertificate, testServerOptions, testTls, type TestPair } from '@mo/testkit';
import {
  createLogger,
  moProto,
  createMoServer,
  NotFoundError,
  type HeartbeatRequest__Output,
  type RegisterRequest__Output,
  type HeartbeatResponse,
  type MoServer,
  type NodeRegistryHandlers,
} from '@mo/api';
import * as grpc from '@grpc/grpc-js';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TransitionEvent } from '../workloads/ledger.js';
import type { WorkloadRecord, WorkloadStateName } from '../workloads/record.js';
import { LAZY_CHANGE_MS, SchedulerReporter, type ReportedWorkloads } from './reporter.js';

const ID = '01HZZZZZZZZZZZZZZZZZZZZZZZ';

function record(id: string, state: WorkloadStateName): WorkloadRecord {
  const spec = {
    id,
    name: id,
    argv: ['x'],
    env: {},
    workingDir: '/',
    cpuMillis: 0,
    memoryBytes: 0,
    labels: {},
    gracePeriodMs: 1000,
    driver: 'mock',
  };
  return { spec, state, reason: state, createdAtMs: 1, startedAtMs: 1, events: [] };
}

function fakeWorkloads() {
  const listeners: Array<(e: TransitionEvent) => void> = [];
  const healthListeners: Array<(r: WorkloadRecord) => void> = [];
  const stopped: string[] = [];
  const workloads: ReportedWorkloads = {
    list: () => [record(ID, 'running')],
    onTransition: (l) => void listeners.push(l),
    onHealthChange: (l) => void healthListeners.push(l),
    stop: (id) => {
      stopped.push(id);
      return id === ID ? Promise.resolve() : Promise.reject(new NotFoundError('workload_id', 'workload', id));
    },
  };
  const emit = (r: WorkloadRecord, inStartAnswer = false) =>
    listeners.forEach((l) => l({ record: r, from: undefined, ...(inStartAnswer && { inStartAnswer }) }));
  const emitHealth = (r: WorkloadRecord) => healthListeners.forEach((l) => l(r));
  return { workloads, stopped, emit, emitHealth };
}

let server: MoServer | undefined;
let reporter: SchedulerReporter | undefined;
afterEach(async () => {
  await reporter?.close();
  await server?.close(200);
});

/** The agent's certificate the reporter dials with (the fake scheduler serves NodeRegistry to agents). */
let agentPair: TestPair;
beforeAll(async () => {
  agentPair = await agentCertificate('n1');
});

/** `busy`: the busy timing every answer tells (unset: none, as an older scheduler). */
async function startScheduler(initialIntervalMs: number, busy?: { heartbeatIntervalMs: number; downAfterMs: number }) {
  const calls: Array<grpc.ServerDuplexStream<HeartbeatRequest__Output, HeartbeatResponse>> = [];
  const messages: Array<{ at: number; msg: HeartbeatRequest__Output }> = [];
  const registers: RegisterRequest__Output[] = [];
  const told = busy ? { busyHeartbeatIntervalMs: busy.heartbeatIntervalMs, busyDownAfterMs: busy.downAfterMs } : {};
  // What every heartbeat is answered with (the scheduler answers each one); null: no answers.
  const state = { intervalMs: initialIntervalMs as number | null };
  const handlers: NodeRegistryHandlers = {
    // Artifacts are not part of these tests.
    UploadArtifact: (_call, cb) => cb({ code: grpc.status.UNIMPLEMENTED }),
    ReportArtifactReplicas: (_call, cb) => cb({ code: grpc.status.UNIMPLEMENTED }),
    DownloadArtifact: (call) => call.emit('error', { code: grpc.status.UNIMPLEMENTED }),
    // Inventories here fit one page.
    SyncInventory: (_call, cb) => cb({ code: grpc.status.UNIMPLEMENTED }),
    Register: (call, cb) => {
      registers.push(call.request);
      cb(null, { nodeId: call.request.nodeId, heartbeatIntervalMs: initialIntervalMs, downAfterMs: 5000, ...told });
    },
    Heartbeat: (call) => {
      calls.push(call);
      call.on('data', (msg: HeartbeatRequest__Output) => {
        messages.push({ at: Date.now(), msg });
        if (state.intervalMs !== null)
          call.write({ heartbeatIntervalMs: state.intervalMs, downAfterMs: 5000, ...told });
      });
      call.on('error', () => undefined);
    },
  };
  server = createMoServer({ services: ['mo.v1.NodeRegistry'], ...testServerOptions() });
  server.server.addService(moProto().mo.v1.NodeRegistry.service, handlers);
  const port = await server.listen('127.0.0.1:0');
  return { address: `127.0.0.1:${port}`, calls, messages, registers, state };
}

function newReporter(address: string, workloads: ReportedWorkloads, contactFile?: string): SchedulerReporter {
  return new SchedulerReporter({
    contactFile,
    schedulerAddress: address,
    credentials: { tls: testTls(agentPair) },
    nodeId: '01HNODE0000000000000000000',
    nodeName: 'n1',
    advertiseAddress: '127.0.0.1:1',
    labels: {},
    capacity: { cpuMillis: 1000, memoryBytes: 1 },
    facts: () => ({ nodeName: 'n1' }),
    metrics: () => ({ load1: 0.5, sampledAtMs: Date.now() }),
    workloads,
    logger: createLogger('error'),
  });
}

async function until(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('SchedulerReporter', () => {
  it('sends the changes of one tick as one message, in order', async () => {
    const s = await startScheduler(60_000);
    const w = fakeWorkloads();
    reporter = newReporter(s.address, w.workloads);
    reporter.start();
    await until('the first heartbeat', () => s.messages.length === 1);
    w.emit(record('01HA0000000000000000000000', 'starting'));
    w.emit(record('01HB0000000000000000000000', 'starting'));
    w.emit(record('01HA0000000000000000000000', 'running'));
    await until('the changes', () => s.messages.length === 2);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.messages).toHaveLength(2);
    expect(s.messages[1]!.msg.changes.map((c) => [c.spec?.id.slice(0, 4), c.state])).toEqual([
      ['01HA', 'WORKLOAD_STATE_STARTING'],
      ['01HB', 'WORKLOAD_STATE_STARTING'],
      ['01HA', 'WORKLOAD_STATE_RUNNING'],
    ]);
  });

  it("lets a start's running (its answer tells it) ride the next message: an end's, or alone after LAZY_CHANGE_MS", async () => {
    const s = await startScheduler(60_000);
    const w = fakeWorkloads();
    reporter = newReporter(s.address, w.workloads);
    reporter.start();
    await until('the first heartbeat', () => s.messages.length === 1);
    // A short job, started and answered: with no busy timing told (an older scheduler), its
    // starting goes at once (on an idle node, the answer brings the busy timing); its running
    // waits, and rides its end's message.
    w.emit(record('01HA0000000000000000000000', 'starting'), true);
    await until('the starting change', () => s.messages.length === 2);
    w.emit(record('01HA0000000000000000000000', 'running'), true);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.messages).toHaveLength(2);
    w.emit(record('01HA0000000000000000000000', 'succeeded'));
    await until('the end', () => s.messages.length === 3);
    expect(s.messages.slice(1).map((m) => m.msg.changes.map((c) => c.state))).toEqual([
      ['WORKLOAD_STATE_STARTING'],
      ['WORKLOAD_STATE_RUNNING', 'WORKLOAD_STATE_SUCCEEDED'],
    ]);
    // A long one: its running goes alone, LAZY_CHANGE_MS later (the answer may have been lost).
    const t0 = Date.now();
    w.emit(record('01HB0000000000000000000000', 'running'), true);
    await until('the running change', () => s.messages.length === 4);
    expect(s.messages[3]!.at - t0).toBeGreaterThanOrEqual(LAZY_CHANGE_MS - 5);
    expect(s.messages[3]!.msg.changes.map((c) => [c.spec?.id.slice(0, 4), c.state])).toEqual([
      ['01HB', 'WORKLOAD_STATE_RUNNING'],
    ]);
    await new Promise((r) => setTimeout(r, LAZY_CHANGE_MS + 100));
    expect(s.messages).toHaveLength(4); // and once only
  });

  it('told the busy timing, takes it up when a start arrives: the start rides the next message, due at that interval', async () => {
    const busy = { heartbeatIntervalMs: 300, downAfterMs: 1500 };
    const s = await startScheduler(60_000, busy);
    const w = fakeWorkloads();
    reporter = newReporter(s.address, w.workloads);
    reporter.start();
    await until('the first heartbeat', () => s.messages.length === 1);
    expect(s.registers[0]!.takesBusyTiming).toBe(true);
    expect(reporter.contact()).toMatchObject({ heartbeatIntervalMs: 60_000, busy });
    // A short job: nothing goes until its end, and then all of it in one message.
    w.emit(record('01HA0000000000000000000000', 'starting'), true);
    expect(reporter.contact()).toMatchObject({ heartbeatIntervalMs: 300, downAfterMs: 1500 });
    expect(reporter.status().heartbeatIntervalMs).toBe(300);
    w.emit(record('01HA0000000000000000000000', 'running'), true);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.messages).toHaveLength(1);
    w.emit(record('01HA0000000000000000000000', 'succeeded'));
    await until('the end', () => s.messages.length === 2);
    expect(s.messages[1]!.msg.changes.map((c) => c.state)).toEqual([
      'WORKLOAD_STATE_STARTING',
      'WORKLOAD_STATE_RUNNING',
      'WORKLOAD_STATE_SUCCEEDED',
    ]);
    // Its answer said 60 s (this fake scheduler's idle timing): idle again.
    await until('the idle interval again', () => reporter!.status().heartbeatIntervalMs === 60_000);
    // A long one: its start rides the beat, due at the busy interval from the start.
    const t0 = Date.now();
    w.emit(record('01HB0000000000000000000000', 'starting'), true);
    w.emit(record('01HB0000000000000000000000', 'running'), true);
    await until('the beat', () => s.messages.length === 3);
    expect(s.messages[2]!.at - t0).toBeGreaterThanOrEqual(busy.heartbeatIntervalMs - 5);
    expect(s.messages[2]!.at - t0).toBeLessThan(LAZY_CHANGE_MS);
    expect(s.messages[2]!.msg.metrics).toBeTruthy();
    expect(s.messages[2]!.msg.changes.map((c) => c.state)).toEqual([
      'WORKLOAD_STATE_STARTING',
      'WORKLOAD_STATE_RUNNING',
    ]);
  });

  it('sends a health change as a change, with the checks', async () => {
    const s = await startScheduler(60_000);
    const w = fakeWorkloads();
    reporter = newReporter(s.address, w.workloads);
    reporter.start();
    await until('the first heartbeat', () => s.messages.length === 1);
    const r = record('01HA0000000000000000000000', 'running');
    const state = { status: 'unhealthy' as const, consecutivePasses: 0, consecutiveFailures: 3, since: 5 };
    r.health = {
      status: 'unhealthy',
      changedAtMs: 5,
      checks: { web: { ...state, lastResult: { ok: false, detail: 'HTTP 503', atMs: 5, durationMs: 1 } } },
    };
    w.emitHealth(r);
    await until('the change', () => s.messages.length === 2);
    const [change] = s.messages[1]!.msg.changes;
    expect(change).toMatchObject({ state: 'WORKLOAD_STATE_RUNNING', health: 'HEALTH_UNHEALTHY' });
    expect(Number(change!.healthChangedAtMs)).toBe(5);
    expect(change!.checks).toEqual([
      expect.objectContaining({ name: 'web', health: 'HEALTH_UNHEALTHY', detail: 'HTTP 503', failures: 3 }),
    ]);
  });

  it('beats at the interval the scheduler sets on the stream, and stops what it names', async () => {
    const s = await startScheduler(60_000);
    const w = fakeWorkloads();
    reporter = newReporter(s.address, w.workloads);
    reporter.start();
    await until('the stream', () => s.calls.length === 1 && s.messages.length === 1);
    s.state.intervalMs = 100;
    s.calls[0]!.write({ heartbeatIntervalMs: 100, stopAllocationIds: [ID, '01HUNKNOWN0000000000000000'] });
    await until('5 more heartbeats', () => s.messages.length >= 6);
    expect(reporter.status()).toMatchObject({ connected: true, heartbeatIntervalMs: 100 });
    // The unknown id is ignored (not found), the known one stopped with its own grace (0 = default).
    expect(w.stopped).toEqual([ID, '01HUNKNOWN0000000000000000']);
  });

  it('ends a session whose heartbeats go unanswered for three intervals, and registers again', async () => {
    const s = await startScheduler(100);
    const w = fakeWorkloads();
    const registers = () => s.calls.length;
    reporter = newReporter(s.address, w.workloads);
    reporter.start();
    await until('answered heartbeats', () => s.messages.length >= 3);
    const answeredAt = reporter.contact().lastContactMs;
    expect(Date.now() - answeredAt).toBeLessThan(1000);
    s.state.intervalMs = null; // the scheduler still receives, but no longer answers
    const silentFrom = Date.now();
    await until('a new stream after the silence', () => registers() >= 2);
    // Contact is what was answered: the session ended three unanswered intervals after the last answer.
    expect(Date.now() - answeredAt).toBeGreaterThanOrEqual(300);
    expect(Date.now() - silentFrom).toBeLessThan(2000);
    // The new Register was answered: in contact again.
    expect(reporter.contact().lastContactMs).toBeGreaterThan(answeredAt);
  });

  it('keeps its last contact on disk for the next agent run', async () => {
    const s = await startScheduler(100);
    const file = join(mkdtempSync(join(tmpdir(), 'mo-contact-')), 'scheduler-contact.json');
    reporter = newReporter(s.address, fakeWorkloads().workloads, file);
    reporter.start();
    // Written in place once a second: there once it holds a whole state (opened before it is written).
    const written = () => existsSync(file) && readFileSync(file, 'utf8').trim().endsWith('}');
    await until('the contact file', () => written() && s.messages.length >= 2);
    await reporter.close();
    const kept = JSON.parse(readFileSync(file, 'utf8')) as { lastContactMs: number; heartbeatIntervalMs: number };
    expect(kept.heartbeatIntervalMs).toBe(100);
    expect(Date.now() - kept.lastContactMs).toBeLessThan(2000);
    // A new reporter (the restarted agent) starts from it, before it has talked to anyone.
    const next = newReporter('127.0.0.1:1', fakeWorkloads().workloads, file);
    expect(next.contact()).toEqual({ ...kept, downAfterMs: 5000 });
  });

  it('closes without stopping any workload, and is idempotent', async () => {
    const s = await startScheduler(60_000);
    const w = fakeWorkloads();
    reporter = newReporter(s.address, w.workloads);
    reporter.start();
    await until('the stream', () => s.messages.length === 1);
    await Promise.all([reporter.close(), reporter.close()]);
    expect(reporter.status().connected).toBe(false);
    expect(w.stopped).toEqual([]);
  });
});
