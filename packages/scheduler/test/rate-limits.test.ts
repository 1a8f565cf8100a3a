// Rates per identity on a real scheduler process: a burst of submissions from one token past its
// rate gets RESOURCE_EXHAUSTED with a `retry-after-ms` trailer and nothing is stored for the
// refused ones; another identity is not slowed by it; the refusals are counted in /metrics.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { MoError, moProto, SchedulerClient, TokenClient, RETRY_AFTER_KEY } from '@mo/api';
import {
  startSchedulerProcess,
  testChannelCredentials,
  testFetch,
  testTokenOptions,
  type SchedulerProcess,
} from '@mo/testkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const RATE = 5;
const BURST = 10;
let scheduler: SchedulerProcess;
const closers: Array<{ close(): void }> = [];
let admin: TokenClient;

beforeAll(async () => {
  scheduler = await startSchedulerProcess({ extraArgs: ['--rate-limit', `mutating=${RATE}/${BURST}`] });
  const bootstrap = readFileSync(join(scheduler.dataDir, 'bootstrap-token'), 'utf8').trim();
  admin = new TokenClient(scheduler.grpcAddress, testTokenOptions(bootstrap));
  closers.push(admin);
});

afterAll(async () => {
  for (const c of closers) c.close();
  await scheduler?.kill();
});

async function clientAs(name: string): Promise<{ client: SchedulerClient; token: string }> {
  const token = (await admin.create({ name, access: 'ACCESS_LEVEL_OPERATE', ttlMs: 0 })).secret;
  const client = new SchedulerClient(scheduler.grpcAddress, testTokenOptions(token));
  closers.push(client);
  return { client, token };
}

const spec = (tag: string) => ({ spec: { argv: ['true'], env: { TAG: tag }, resources: { memoryBytes: 1 << 40 } } });

describe('rates per identity', () => {
  it('refuses a burst past the rate with when to retry, stores nothing for it, and spares others', async () => {
    const { client: burst, token } = await clientAs('burst');
    const { client: other } = await clientAs('other');
    const started = performance.now();
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => burst.submitWorkload(spec(`b${i}`))));
    // The server saw the calls within this window (measured around it, so never shorter).
    const windowS = (performance.now() - started) / 1000;
    const accepted = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
    // The burst, plus what refilled while the 30 calls arrived: on a quiet machine a few ms (at
    // most one more), on a loaded one as many as RATE per second of the window.
    expect(accepted.length).toBeGreaterThanOrEqual(BURST);
    expect(accepted.length).toBeLessThanOrEqual(BURST + 1 + Math.floor(windowS * RATE));
    expect(refused.length).toBeGreaterThan(0);
    for (const e of refused) {
      expect(e).toBeInstanceOf(MoError);
      expect((e as MoError).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect((e as MoError).message).toMatch(
        new RegExp(`token:burst: more than ${RATE} mutating calls/s \\(burst ${BURST}\\); retry in \\d+ ms`),
      );
    }
    // Nothing was stored for a refused call: the workloads are exactly the accepted ones.
    const { total } = await other.listWorkloads({ limit: 1 });
    expect(total).toBe(accepted.length);
    // Another identity is not slowed by it.
    await expect(other.submitWorkload(spec('other'))).resolves.toBeDefined();

    // The trailer, read from a raw call: when one call would pass again.
    const Ctor = moProto().mo.v1.Scheduler as unknown as new (
      a: string,
      c: grpc.ChannelCredentials,
    ) => grpc.Client & {
      submitWorkload(req: object, md: grpc.Metadata, cb: (err: grpc.ServiceError | null) => void): grpc.ClientUnaryCall;
    };
    const raw = new Ctor(scheduler.grpcAddress, testChannelCredentials());
    closers.push(raw);
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${token}`);
    // More calls at once than the bucket can hold, however long it refilled since.
    const raws = await Promise.all(
      Array.from(
        { length: 2 * BURST },
        (_, i) => new Promise<grpc.ServiceError | null>((resolve) => raw.submitWorkload(spec(`raw${i}`), md, resolve)),
      ),
    );
    const rawRefused = raws.filter((e) => e?.code === grpc.status.RESOURCE_EXHAUSTED);
    expect(rawRefused.length).toBeGreaterThan(0);
    for (const e of rawRefused) {
      const retryAfter = Number(e!.metadata.get(RETRY_AFTER_KEY)[0]);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(1000 / RATE);
    }

    const metrics = await (await testFetch(`https://${scheduler.httpAddress}/metrics`)).text();
    const counted = Number(/^mo_scheduler_rate_limited_total\{class="mutating"\} (\d+)$/m.exec(metrics)?.[1]);
    expect(counted).toBe(refused.length + rawRefused.length);
  });
});
