// The follower server against real clients, and the clients following it to a real leader: a
// follower server in this process, a real mo-scheduler process as the leader, TLS as deployed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import {
  HEALTH_SERVICE,
  JobClient,
  NotLeaderError,
  PipelineClient,
  RegistryClient,
  SchedulerClient,
  TokenClient,
  UnavailableError,
  createLogger,
  type LeaderAddress,
} from '@mo/api';
import { WireSchedulerClient } from '@mo/api/wire';
import { createServer, type AddressInfo } from 'node:net';
import {
  agentCertificate,
  ensureTestPki,
  freePort,
  startSchedulerProcess,
  testChannelCredentials,
  testClientOptions,
  testFetch,
  testServerOptions,
  testTls,
  testPki,
  type SchedulerProcess,
} from '@mo/testkit';
import { startFollowerServer, type FollowerServer } from './follower.js';

let leaderProcess: SchedulerProcess;
let follower: FollowerServer;
/** What the follower says about the leader; a test may make it unknown. */
let leader: LeaderAddress | undefined;
let dead: string;

beforeAll(async () => {
  await ensureTestPki();
  leaderProcess = await startSchedulerProcess();
  leader = { grpc: leaderProcess.grpcAddress, http: leaderProcess.httpAddress };
  follower = await startFollowerServer({
    grpcListen: '127.0.0.1:0',
    httpListen: '127.0.0.1:0',
    ...testServerOptions(),
    leader: () => leader,
    logger: createLogger('error'),
    defaultMetrics: false,
  });
  // A port nobody listens on: a scheduler that is down.
  dead = `127.0.0.1:${await freePort()}`;
});

afterAll(async () => {
  await follower?.close();
  leaderProcess?.client.close();
  await leaderProcess?.kill();
});

/** Runs `fn` with the follower naming `who` as the leader, then restores it. */
async function withLeader<T>(who: LeaderAddress | undefined, fn: () => Promise<T>): Promise<T> {
  const before = leader;
  leader = who;
  try {
    return await fn();
  } finally {
    leader = before;
  }
}

describe('the follower server', () => {
  it('refuses every call with the leader in the trailer, and a one-address client follows it', async () => {
    const raw = new (grpc.makeGenericClientConstructor({}, 'x'))(follower.grpcAddress, testChannelCredentials());
    const md = await new Promise<grpc.Metadata>((resolve, reject) => {
      raw.makeUnaryRequest(
        '/mo.v1.Scheduler/GetClusterStatus',
        () => Buffer.alloc(0),
        (b: Buffer) => b,
        {},
        (err) => (err ? resolve(err.metadata) : reject(new Error('the follower answered'))),
      );
    });
    raw.close();
    expect(md.get('mo-leader')).toEqual([leaderProcess.grpcAddress]);
    // Given the follower alone, the client follows the redirect and stays with the leader.
    const client = new SchedulerClient(follower.grpcAddress, testClientOptions());
    try {
      const status = await client.getClusterStatus();
      expect(status.schedulerVersion).not.toBe('');
      expect(client.address).toBe(leaderProcess.grpcAddress);
    } finally {
      client.close();
    }
  });

  it('says NOT_SERVING to health checks', async () => {
    const Health = grpc.makeGenericClientConstructor(HEALTH_SERVICE, 'Health');
    const health = new Health(follower.grpcAddress, testChannelCredentials());
    try {
      for (const service of ['', 'mo.v1.Scheduler', 'mo.v1.NodeRegistry']) {
        const res = await new Promise<{ status: string }>((resolve, reject) =>
          health.makeUnaryRequest(
            '/grpc.health.v1.Health/Check',
            HEALTH_SERVICE.Check!.requestSerialize,
            HEALTH_SERVICE.Check!.responseDeserialize,
            { service },
            (err, r) => (err ? reject(err) : resolve(r as { status: string })),
          ),
        );
        expect([service, res.status]).toEqual([service, 'NOT_SERVING']);
      }
    } finally {
      health.close();
    }
  });

  it('refuses streams too: a watch given the follower first is opened on the leader', async () => {
    const client = new SchedulerClient(`${follower.grpcAddress},${leaderProcess.grpcAddress}`, testClientOptions());
    const abort = new AbortController();
    try {
      for await (const e of client.watch({ initialState: true }, abort.signal)) {
        expect(typeof e.seq).toBe('number');
        break;
      }
      expect(client.address).toBe(leaderProcess.grpcAddress);
    } finally {
      abort.abort();
      client.close();
    }
  });

  it("refuses an agent's heartbeat stream and artifact upload (bidi and client streams) naming the leader", async () => {
    const registry = new RegistryClient(follower.grpcAddress, { tls: testTls(await agentCertificate('ha-refused')) });
    try {
      const stream = registry.heartbeat();
      const err = await new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve));
      expect(err.metadata.get('mo-leader')).toEqual([leaderProcess.grpcAddress]);
      async function* nothing(): AsyncGenerator<never> {}
      await expect(registry.uploadArtifact(nothing(), 5000)).rejects.toMatchObject({
        leader: leaderProcess.grpcAddress,
      });
    } finally {
      registry.close();
    }
  });

  it('answers the HTTP API with 503 naming the leader, /healthz with 503, / with a link, /metrics with leader 0', async () => {
    const base = `https://${follower.httpAddress}`;
    const api = await testFetch(`${base}/api/v1/status`);
    expect(api.status).toBe(503);
    expect(api.headers.get('mo-leader')).toBe(leaderProcess.grpcAddress);
    expect(api.headers.get('mo-leader-http')).toBe(leaderProcess.httpAddress);
    expect(await api.json()).toEqual({
      code: 'UNAVAILABLE',
      message: `not the leader: the leader is ${leaderProcess.grpcAddress}`,
      leader: { grpc: leaderProcess.grpcAddress, http: leaderProcess.httpAddress },
    });
    const health = await testFetch(`${base}/healthz`, { pair: null });
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({
      ok: false,
      role: 'follower',
      leader: { grpc: leaderProcess.grpcAddress },
    });
    const page = await testFetch(`${base}/`, { pair: null });
    expect(await page.text()).toContain(`href="https://${leaderProcess.httpAddress}/"`);
    const metrics = await testFetch(`${base}/metrics`);
    expect(await metrics.text()).toMatch(/^mo_scheduler_leader 0$/m);
    await withLeader(undefined, async () => {
      const none = await testFetch(`${base}/api/v1/nodes`);
      expect(none.status).toBe(503);
      expect(none.headers.get('retry-after')).toBe('1');
      expect(((await none.json()) as { leader: unknown }).leader).toBeNull();
    });
  });
});

describe('clients given several scheduler addresses', () => {
  it.each([
    ['[follower, leader]', () => [follower.grpcAddress, leaderProcess.grpcAddress]],
    ['[follower, dead port, leader]', () => [follower.grpcAddress, dead, leaderProcess.grpcAddress]],
  ])('%s: every client reaches the leader, writes included', async (_, list) => {
    const addresses = list();
    const options = testClientOptions({ deadlineMs: 10_000 });
    const scheduler = new SchedulerClient(addresses, options);
    const pipelines = new PipelineClient(addresses.join(','), options);
    const jobs = new JobClient(addresses, options);
    const tokens = new TokenClient(addresses, options);
    try {
      // A write without an idempotency key: the redirect is a refusal before anything ran.
      const submitted = await scheduler.submitWorkload({ spec: { argv: ['true'] } });
      expect(submitted.workload?.spec?.argv).toEqual(['true']);
      expect(scheduler.address).toBe(leaderProcess.grpcAddress);
      expect((await pipelines.list()).pipelines).toEqual(expect.any(Array));
      expect((await jobs.list()).jobs).toEqual(expect.any(Array));
      expect((await tokens.list()).tokens).toEqual(expect.any(Array));
      for (const c of [pipelines, jobs, tokens]) expect(c.address).toBe(leaderProcess.grpcAddress);
    } finally {
      for (const c of [scheduler, pipelines, jobs, tokens]) c.close();
    }
  });

  it('with no leader known, goes round the others: [follower, dead port, leader] reaches the leader', async () => {
    await withLeader(undefined, async () => {
      const client = new SchedulerClient([follower.grpcAddress, dead, leaderProcess.grpcAddress], testClientOptions());
      try {
        await client.getClusterStatus();
        expect(client.address).toBe(leaderProcess.grpcAddress);
      } finally {
        client.close();
      }
    });
  });

  it('an unkeyed write is not moved past a scheduler that dropped the connection; the next call goes on', async () => {
    // It accepts and hangs up: the call may have reached a scheduler, so it is not sent again.
    const dropper = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', resolve));
    const dropping = `127.0.0.1:${(dropper.address() as AddressInfo).port}`;
    const client = new SchedulerClient([dropping, leaderProcess.grpcAddress], testClientOptions());
    try {
      await expect(client.submitWorkload({ spec: { argv: ['true'] } })).rejects.toBeInstanceOf(UnavailableError);
      expect(client.address).toBe(leaderProcess.grpcAddress);
      expect((await client.submitWorkload({ spec: { argv: ['true'] } })).workload?.spec?.argv).toEqual(['true']);
      // A keyed one may move: the key makes a retry harmless.
      const keyed = new SchedulerClient([dropping, leaderProcess.grpcAddress], testClientOptions());
      try {
        const r = await keyed.submitWorkload({ spec: { argv: ['true'] }, idempotencyKey: `follow-${process.pid}` });
        expect(r.workload?.spec?.argv).toEqual(['true']);
      } finally {
        keyed.close();
      }
    } finally {
      client.close();
      dropper.close();
    }
  });

  it('a refused connection (a dead scheduler: nothing was sent) moves even an unkeyed write on', async () => {
    const client = new SchedulerClient([dead, leaderProcess.grpcAddress], testClientOptions());
    try {
      expect((await client.submitWorkload({ spec: { argv: ['true'] } })).workload?.spec?.argv).toEqual(['true']);
      expect(client.address).toBe(leaderProcess.grpcAddress);
    } finally {
      client.close();
    }
  });

  it('a follower with no leader to name: the refusal is the error once the deadline allows no more', async () => {
    await withLeader(undefined, async () => {
      const client = new SchedulerClient(follower.grpcAddress, testClientOptions({ deadlineMs: 300 }));
      try {
        await expect(client.getClusterStatus()).rejects.toBeInstanceOf(NotLeaderError);
      } finally {
        client.close();
      }
    });
  });

  it('the wire client (the CLI fast path) follows the leader too', async () => {
    const tls = testTls(testPki().client);
    const wire = new WireSchedulerClient(`${follower.grpcAddress},${dead},${leaderProcess.grpcAddress}`, { tls });
    try {
      const submitted = await wire.submitWorkload({ spec: { argv: ['true'] } });
      expect(submitted.workload?.spec?.argv).toEqual(['true']);
      expect(wire.address).toBe(leaderProcess.grpcAddress);
      const abort = new AbortController();
      const fresh = new WireSchedulerClient([follower.grpcAddress, leaderProcess.grpcAddress], { tls });
      try {
        for await (const e of fresh.watch({ initialState: true }, abort.signal)) {
          expect(typeof e.seq).toBe('number');
          break;
        }
      } finally {
        abort.abort();
        fresh.close();
      }
    } finally {
      wire.close();
    }
  });
});
