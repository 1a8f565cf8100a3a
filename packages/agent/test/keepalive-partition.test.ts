// Keepalive at the transport level, through a silent partition (iptables DROP in a network
// namespace: packets vanish, no RST, no FIN). Both directions of mo's traffic:
// - agent → scheduler: a RegistryClient heartbeat stream opened from inside a namespace, against a
//   NodeRegistry server (createMoServer) in the host namespace;
// - scheduler → agent: a real mo-agent inside a namespace, called by an AgentClient from outside
//   (a unary call on the wire transport and a followed log stream on grpc-js).
// Each side must see the connection end within its keepalive bound (a client with a call in flight
// KEEPALIVE_TIME_MS + KEEPALIVE_TIMEOUT_MS, a server SERVER_KEEPALIVE_TIME_MS + the same timeout;
// plus slack for a loaded machine), not when TCP retransmission gives up, and a new call must work at
// once after the heal. The measured times are printed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import {
  AgentClient,
  CONNECT_TIMEOUT_MS,
  KEEPALIVE_TIME_MS,
  KEEPALIVE_TIMEOUT_MS,
  MoError,
  SERVER_KEEPALIVE_TIME_MS,
  createMoServer,
  moProto,
  type HeartbeatResponse,
  type HeartbeatRequest__Output,
  type MoServer,
  type NodeRegistryHandlers,
} from '@mo/api';
import {
  agentCertificate,
  createNetnsBed,
  netnsUnavailable,
  requireTool,
  startAgentProcess,
  testAgentClientOptions,
  testPki,
  testServerOptions,
  waitFor,
  type AgentProcess,
  type NetnsBed,
} from '@mo/testkit';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ChildProcess } from 'node:child_process';

const why = netnsUnavailable();
const maybe = requireTool(!why, `a network-namespace test bed (${why})`) ? describe : describe.skip;

/**
 * Keepalive's bounds: a client with a call in flight, and a server (its PINGs are sparser: see
 * keepalive.ts); and slack for timers on a machine shared by busy test workers.
 */
const DETECT_MS = KEEPALIVE_TIME_MS + KEEPALIVE_TIMEOUT_MS;
const SERVER_DETECT_MS = SERVER_KEEPALIVE_TIME_MS + KEEPALIVE_TIMEOUT_MS;
const SLACK_MS = 2000;
const API = createRequire(import.meta.url).resolve('@mo/api');

let bed: NetnsBed;
beforeAll(async () => {
  if (why) return;
  bed = await createNetnsBed({ hosts: 2 });
});
afterAll(async () => {
  await bed?.close();
});

/** A NodeRegistry that answers every heartbeat and records when each stream ends on its side. */
async function startRegistry(host: string): Promise<{ server: MoServer; address: string; ends: number[] }> {
  const server = createMoServer({ services: ['mo.v1.NodeRegistry'], ...testServerOptions() });
  const ends: number[] = [];
  const handlers: NodeRegistryHandlers = {
    UploadArtifact: (_call, cb) => cb({ code: grpc.status.UNIMPLEMENTED }),
    ReportArtifactReplicas: (_call, cb) => cb({ code: grpc.status.UNIMPLEMENTED }),
    DownloadArtifact: (call) => call.emit('error', { code: grpc.status.UNIMPLEMENTED }),
    // Inventories here fit one page.
    SyncInventory: (_call, cb) => cb({ code: grpc.status.UNIMPLEMENTED }),
    Register: (call, cb) => cb(null, { nodeId: call.request.nodeId, heartbeatIntervalMs: 500, downAfterMs: 5000 }),
    Heartbeat: (call: grpc.ServerDuplexStream<HeartbeatRequest__Output, HeartbeatResponse>) => {
      call.on('data', () => call.write({ heartbeatIntervalMs: 500 }));
      call.on('cancelled', () => ends.push(Date.now()));
      call.on('error', () => undefined);
      call.on('end', () => call.end());
    },
  };
  server.server.addService(moProto().mo.v1.NodeRegistry.service, handlers);
  const port = await server.listen(`${host}:0`);
  return { server, address: `${host}:${port}`, ends };
}

/**
 * The agent's side, inside a namespace: opens a heartbeat stream (a heartbeat every 500 ms) and
 * reports on stdout as JSON lines; on stdin, `register` makes a new client and registers.
 */
const CLIENT = `
const { RegistryClient, loadClientTls } = await import(process.argv[1]);
const address = process.argv[2];
const tls = loadClientTls({ ca: process.argv[3], cert: process.argv[4], key: process.argv[5] });
const say = (ev, extra = {}) => process.stdout.write(JSON.stringify({ ev, ...extra }) + '\\n');
const client = new RegistryClient(address, { tls });
const stream = client.heartbeat();
stream.on('data', () => say('data'));
stream.on('error', (err) => say('error', { code: err.code, details: err.details }));
const beat = setInterval(() => stream.write({ nodeId: 'probe' }), 500);
stream.on('error', () => clearInterval(beat));
process.stdin.setEncoding('utf8');
process.stdin.on('data', async () => {
  const fresh = new RegistryClient(address, { tls, deadlineMs: 5000 });
  try { await fresh.register({ nodeId: 'probe', nodeName: 'probe' }); say('registered'); }
  catch (err) { say('register-failed', { details: err.message }); }
  fresh.close();
});`;

function lines(child: ChildProcess): (ev: string) => Promise<{ at: number; code?: number; details?: string }> {
  const seen: Array<{ at: number; ev: string; code?: number; details?: string }> = [];
  createInterface({ input: child.stdout! }).on('line', (l) => seen.push({ at: Date.now(), ...JSON.parse(l) }));
  return (ev) => waitFor(`the client to say ${ev}`, () => seen.find((s) => s.ev === ev), { timeoutMs: 20_000 });
}

/** Established TCP connections on `port` inside the namespace (its server side). */
async function established(netnsExec: (argv: string[]) => Promise<string>, port: number): Promise<number> {
  const out = await netnsExec(['ss', '-Htn', 'state', 'established', 'sport', '=', `:${port}`]);
  return out.split('\n').filter(Boolean).length;
}

maybe('keepalive through a silent partition', () => {
  it('agent → scheduler: the heartbeat stream ends on both sides within seconds, and a new client registers at once after the heal', async () => {
    const h = bed.hosts[0]!;
    const registry = await startRegistry(bed.hostAddress);
    const probe = await agentCertificate('probe');
    const args = [CLIENT, API, registry.address, testPki().ca, probe.cert, probe.key];
    const child = h.spawn([process.execPath, '--input-type=module', '-e', ...args], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    try {
      const next = lines(child);
      await next('data');
      await h.partition();
      const t0 = Date.now();
      const clientEnd = await next('error');
      const serverEnd = await waitFor('the server to see the call end', () => registry.ends[0], { timeoutMs: 20_000 });
      const clientMs = clientEnd.at - t0;
      const serverMs = serverEnd - t0;
      console.log(
        `heartbeat stream through a partition: client error after ${clientMs} ms, server end after ${serverMs} ms`,
      );
      expect(clientEnd.code).toBe(grpc.status.UNAVAILABLE);
      // No sooner than the PING timeout (it was keepalive that ended it), no later than its bound.
      for (const ms of [clientMs, serverMs]) expect(ms).toBeGreaterThanOrEqual(KEEPALIVE_TIMEOUT_MS - 100);
      expect(clientMs).toBeLessThanOrEqual(DETECT_MS + SLACK_MS);
      expect(serverMs).toBeLessThanOrEqual(SERVER_DETECT_MS + SLACK_MS);

      await h.heal();
      const t1 = Date.now();
      child.stdin!.write('register\n');
      const registered = await next('registered');
      console.log(`after the heal, a new client registered in ${registered.at - t1} ms`);
      expect(registered.at - t1).toBeLessThan(2000);
    } finally {
      child.kill('SIGKILL');
      await registry.server.close(100);
    }
  });

  describe('scheduler → agent', () => {
    let agent: AgentProcess;
    let client: AgentClient;
    const h = () => bed.hosts[1]!;
    const port = 7610; // the namespace's own port space: nothing else listens there

    beforeAll(async () => {
      if (why) return;
      agent = await startAgentProcess({ wrap: h().wrap, grpcListen: `${h().address}:${port}` });
      client = new AgentClient(agent.grpcAddress, testAgentClientOptions());
    });
    afterAll(async () => {
      client?.close();
      await agent?.kill('SIGKILL');
    });

    it('a unary call (wire) and a followed log stream (grpc-js) fail within seconds on both sides, and calls work at once after the heal', async () => {
      const w = await client.startWorkload({
        argv: ['sh', '-c', 'trap "" TERM; while :; do echo tick; sleep 0.2; done'],
      });
      const id = w.spec!.id;
      // A followed log stream, and a stop that waits out a 60 s grace (the workload ignores TERM).
      const logs = new AbortController();
      let firstChunk: (() => void) | undefined;
      const streaming = (async () => {
        for await (const _ of client.streamLogs({ workloadId: id, follow: true }, logs.signal)) firstChunk?.();
      })().then(
        () => ({ at: Date.now(), err: undefined as unknown }),
        (err: unknown) => ({ at: Date.now(), err }),
      );
      await new Promise<void>((r) => (firstChunk = r));
      const stopping = client.stopWorkload(id, 60_000).then(
        () => ({ at: Date.now(), err: undefined as unknown }),
        (err: unknown) => ({ at: Date.now(), err }),
      );
      // The stop is under way: the agent has it (saved as requested before it signals the workload).
      const record = join(agent.dataDir, 'workloads', id, 'workload.json');
      await waitFor('the agent to take the stop', () => readFileSync(record, 'utf8').includes('"stopRequested":true'));
      const inside = (argv: string[]) => h().exec(argv);
      expect(await established(inside, port)).toBeGreaterThanOrEqual(1);

      await h().partition();
      const t0 = Date.now();
      const [stop, stream] = await Promise.all([stopping, streaming]);
      await waitFor('the agent to drop its connections', async () => (await established(inside, port)) === 0, {
        timeoutMs: 20_000,
        intervalMs: 50,
      });
      const agentMs = Date.now() - t0;
      console.log(
        `calls to an agent through a partition: unary failed after ${stop.at - t0} ms, stream after ${stream.at - t0} ms; the agent's server dropped them after ≤ ${agentMs} ms`,
      );
      expect((stop.err as MoError).message).toMatch(/keepalive PING not answered/);
      for (const r of [stop, stream]) {
        expect((r.err as MoError).code).toBe(grpc.status.UNAVAILABLE);
        expect(r.at - t0).toBeLessThanOrEqual(DETECT_MS + SLACK_MS);
      }
      expect(agentMs).toBeLessThanOrEqual(SERVER_DETECT_MS + SLACK_MS);

      await h().heal();
      const t1 = Date.now();
      await client.getNodeStatus({ omitWorkloads: true });
      const unaryMs = Date.now() - t1;
      const again = new AbortController();
      for await (const _ of client.streamLogs({ workloadId: id, follow: true }, again.signal)) break;
      const streamMs = Date.now() - t1;
      console.log(`after the heal: a unary call took ${unaryMs} ms, a new log stream's first chunk ${streamMs} ms`);
      expect(unaryMs).toBeLessThan(2000);
      expect(streamMs).toBeLessThan(2000);
      await client.stopWorkload(id, 1);
    });

    it('a dial into a partition is given up after CONNECT_TIMEOUT_MS (wire and grpc-js), and the same client connects at once after the heal', async () => {
      // A client that has not connected yet: its first calls dial while SYNs vanish.
      const fresh = new AgentClient(agent.grpcAddress, testAgentClientOptions(undefined, { deadlineMs: 60_000 }));
      await h().partition();
      try {
        const t0 = Date.now();
        const outcome = (p: Promise<unknown>) =>
          p.then(
            () => ({ at: Date.now(), err: undefined as unknown }),
            (err: unknown) => ({ at: Date.now(), err }),
          );
        const [unary, stream] = await Promise.all([
          outcome(fresh.getNodeStatus({ omitWorkloads: true })),
          outcome(
            (async () => {
              for await (const _ of fresh.streamLogs({ workloadId: 'none', follow: true })) break;
            })(),
          ),
        ]);
        console.log(`dials into a partition given up after: unary ${unary.at - t0} ms, stream ${stream.at - t0} ms`);
        for (const r of [unary, stream]) {
          expect((r.err as MoError).code).toBe(grpc.status.UNAVAILABLE);
          expect((r.err as MoError).message).toMatch(/No connection established within/);
          expect(r.at - t0).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 100);
          expect(r.at - t0).toBeLessThanOrEqual(CONNECT_TIMEOUT_MS + SLACK_MS);
        }
      } finally {
        await h().heal();
      }
      const t1 = Date.now();
      await fresh.getNodeStatus({ omitWorkloads: true });
      const unaryMs = Date.now() - t1;
      // The workload does not exist: NOT_FOUND proves the call reached the agent.
      const reached = await (async () => {
        for await (const _ of fresh.streamLogs({ workloadId: 'none', follow: true })) break;
      })().catch((err: MoError) => err);
      const streamMs = Date.now() - t1;
      console.log(`after the heal, the same client: unary ${unaryMs} ms, stream answered in ${streamMs} ms`);
      expect((reached as MoError).code).toBe(grpc.status.NOT_FOUND);
      expect(unaryMs).toBeLessThan(2000);
      expect(streamMs).toBeLessThan(2000);
      fresh.close();
    });
  });
});
