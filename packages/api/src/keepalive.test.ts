// Keepalive without root: a TCP relay between a real client and a real mo server that, when
// "partitioned", stops relaying in both directions while keeping every socket open — the peers see
// a silent partition (no RST, no FIN). A call in flight (wire unary, grpc-js stream) must fail
// with UNAVAILABLE within KEEPALIVE_TIME_MS + KEEPALIVE_TIMEOUT_MS, the server must see it end
// too (within SERVER_KEEPALIVE_TIME_MS + the timeout), and once the relay works again the same
// client must get through at once. An idle connection sends no PINGs of its own, yet a call
// begun on it into a partition fails within the client's bound.
// (packages/agent/test/keepalive-partition.test.ts does the same through real network namespaces.)
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { AgentClient } from './client.js';
import type { MoError } from './errors.js';
import type { NodeAgentHandlers } from './generated/mo/v1/NodeAgent.js';
import { KEEPALIVE_TIME_MS, KEEPALIVE_TIMEOUT_MS, SERVER_KEEPALIVE_TIME_MS } from './keepalive.js';
import { moProto } from './proto.js';
import { createMoServer, type MoServer } from './server.js';
import {
  agentCertificate,
  testAgentClientOptions,
  testChannelCredentials,
  testPki,
  testServerOptions,
} from '@mo/testkit';

const BOUND_MS = KEEPALIVE_TIME_MS + KEEPALIVE_TIMEOUT_MS + 2000; // slack for a loaded machine
/** A server's bound: its PINGs are sparser than a client's with a call in flight (keepalive.ts). */
const SERVER_BOUND_MS = SERVER_KEEPALIVE_TIME_MS + KEEPALIVE_TIMEOUT_MS + 2000;

/** A relay that can stop relaying: bytes written during the cut stay in its buffers forever. */
class Relay {
  private readonly pairs: Array<[Socket, Socket]> = [];
  private cut = false;
  private fromClients = 0;
  readonly server: Server;
  constructor(target: number) {
    this.server = createServer((down) => {
      const up = connect(target, '127.0.0.1');
      this.pairs.push([down, up]);
      down.on('data', (d: Buffer) => (this.fromClients += d.length));
      for (const [from, to] of [
        [down, up],
        [up, down],
      ] as const) {
        from.on('data', (d) => (this.cut ? from.pause() : to.write(d)));
        // A partition does not carry a FIN or RST either: each end must find out by itself.
        const hangUp = () => (this.cut ? undefined : to.destroy());
        from.on('error', hangUp);
        from.on('close', hangUp);
      }
    });
  }
  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }
  /** Bytes the clients have sent so far. */
  clientBytes(): number {
    return this.fromClients;
  }
  partition(): void {
    this.cut = true;
    for (const pair of this.pairs) for (const s of pair) s.pause();
  }
  /** New connections only: the old ones stay black holes, as after a real partition. */
  heal(): void {
    this.cut = false;
  }
  close(): void {
    for (const pair of this.pairs) for (const s of pair) s.destroy();
    this.server.close();
  }
}

let server: MoServer;
let serverPort: number;
let relay: Relay;
let client: AgentClient;
const started: string[] = [];
const ended: Array<{ method: string; at: number }> = [];

beforeAll(async () => {
  server = createMoServer({ services: ['mo.v1.NodeAgent'], ...testServerOptions(await agentCertificate('test-node')) });
  const unimplemented = (_call: unknown, cb: grpc.sendUnaryData<never>) => cb({ code: grpc.status.UNIMPLEMENTED });
  const handlers: NodeAgentHandlers = {
    StartWorkload: unimplemented,
    StartWorkloads: unimplemented,
    GetWorkload: unimplemented,
    // Answers at once unless asked to omit workloads; then never (a call that stays in flight).
    GetNodeStatus: (call, cb) => {
      if (!call.request.omitWorkloads) return cb(null, { workloads: [] });
      started.push('GetNodeStatus');
      call.on('cancelled', () => ended.push({ method: 'GetNodeStatus', at: Date.now() }));
    },
    StopWorkload: unimplemented,
    StreamLogs: (call) => {
      started.push('StreamLogs');
      const timer = setInterval(() => call.write({ data: Buffer.from('tick\n') }), 100);
      call.on('cancelled', () => {
        clearInterval(timer);
        ended.push({ method: call.request.workloadId === 'quiet' ? 'quiet' : 'StreamLogs', at: Date.now() });
      });
    },
  };
  server.server.addService(moProto().mo.v1.NodeAgent.service, handlers);
  serverPort = await server.listen('127.0.0.1:0');
  relay = new Relay(serverPort);
  client = new AgentClient(await relay.listen(), testAgentClientOptions('test-node', { deadlineMs: 60_000 }));
});

afterAll(async () => {
  client?.close();
  relay?.close();
  await server?.close(100);
});

async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !ok(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }
}

const outcome = (p: Promise<unknown>) =>
  p.then(
    () => ({ at: Date.now(), err: undefined as unknown }),
    (err: unknown) => ({ at: Date.now(), err }),
  );

it('a silent partition fails calls in flight within seconds on both sides, and the client gets through at once after it', async () => {
  await client.getNodeStatus(); // the wire session is up
  const chunks = client.streamLogs({ workloadId: 'w', follow: true });
  await chunks.next(); // the grpc-js connection is up, a chunk arrived
  const unary = outcome(client.getNodeStatus({ omitWorkloads: true })); // stays in flight
  const streamed = outcome(
    (async () => {
      for await (const _ of chunks) void _;
    })(),
  );
  await until('the unary call to reach the server', () => started.includes('GetNodeStatus'), 5000);

  relay.partition();
  const t0 = Date.now();
  const results = await Promise.all([unary, streamed]);
  await until('the server to see both calls end', () => ended.length >= 2, SERVER_BOUND_MS + 1000);
  console.log(
    `through a silent relay: unary failed after ${results[0].at - t0} ms, stream after ${results[1].at - t0} ms; ` +
      `the server ended them after ${ended.map((e) => `${e.method} ${e.at - t0} ms`).join(', ')}`,
  );
  for (const r of results) {
    expect((r.err as MoError).code).toBe(grpc.status.UNAVAILABLE);
    expect(r.at - t0).toBeGreaterThanOrEqual(KEEPALIVE_TIMEOUT_MS - 100);
    expect(r.at - t0).toBeLessThanOrEqual(BOUND_MS);
  }
  expect((results[0].err as MoError).message).toMatch(/keepalive PING not answered/);
  for (const e of ended) expect(e.at - t0).toBeLessThanOrEqual(SERVER_BOUND_MS);

  relay.heal();
  const t1 = Date.now();
  await client.getNodeStatus();
  const again = client.streamLogs({ workloadId: 'w', follow: true });
  await again.next();
  await again.return(undefined);
  expect(Date.now() - t1).toBeLessThan(2000);
});

it('an idle connection is quiet, and a call begun on it in a silent partition still fails within the bound', async () => {
  const idle = new Relay(serverPort);
  const quietClient = new AgentClient(await idle.listen(), testAgentClientOptions('test-node', { deadlineMs: 60_000 }));
  try {
    await quietClient.getNodeStatus(); // answered: connected, and no call in flight from here
    const before = idle.clientBytes();
    await new Promise((r) => setTimeout(r, KEEPALIVE_TIME_MS * 2 + 500));
    // At most the ACK of one server PING (a TLS record of a few dozen bytes), never our own PINGs.
    expect(idle.clientBytes() - before).toBeLessThan(100);
    idle.partition();
    const t0 = Date.now();
    const r = await outcome(quietClient.getNodeStatus());
    console.log(`a call begun on an idle connection in a silent partition failed after ${r.at - t0} ms`);
    expect((r.err as MoError).code).toBe(grpc.status.UNAVAILABLE);
    expect((r.err as MoError).message).toMatch(/keepalive PING not answered/);
    expect(r.at - t0).toBeLessThanOrEqual(BOUND_MS);
  } finally {
    quietClient.close();
    idle.close();
  }
});

it('the server pings by itself: the stream of a client that sends no PINGs ends on the server within seconds', async () => {
  const quiet = new Relay(serverPort);
  const Ctor = moProto().mo.v1.NodeAgent;
  const plain = new Ctor(await quiet.listen(), testChannelCredentials(testPki().scheduler, { kind: 'agent' })); // grpc-js defaults: no keepalive
  try {
    const call = plain.streamLogs({ workloadId: 'quiet', follow: true });
    call.on('error', () => undefined);
    await new Promise((r) => call.once('data', r));
    quiet.partition();
    const t0 = Date.now();
    const end = () => ended.find((e) => e.method === 'quiet');
    await until('the server to end the stream', () => end() !== undefined, SERVER_BOUND_MS + 1000);
    console.log(`the server ended a quiet client's stream ${end()!.at - t0} ms into a silent partition`);
    expect(end()!.at - t0).toBeLessThanOrEqual(SERVER_BOUND_MS);
    expect(end()!.at - t0).toBeGreaterThanOrEqual(KEEPALIVE_TIMEOUT_MS - 100);
  } finally {
    plain.close();
    quiet.close();
  }
});
