// 300 Watch streams that are never read, against a real scheduler process, while events flow
// (workloads of ~2 KiB submitted and stopped): past the 'watch' stream cap the rest are refused,
// every admitted one is cut off with RESOURCE_EXHAUSTED once it lags past its bound, and once the
// clients are gone the scheduler's memory is back within 20 MiB and its open files where they were.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { DEFAULT_STREAM_CAPS, moProto, type ClusterEvent__Output, type SchedulerClient } from '@mo/api';
import {
  collectGarbage,
  debugGcEnv,
  processHolds,
  sleep,
  startSchedulerProcess,
  waitFor,
  type SchedulerProcess,
  testChannelCredentials,
} from '@mo/testkit';

const STREAMS = 300;
const CONNECTIONS = 10;
const MiB = 1024 * 1024;

const rssBytes = (pid: number) => processHolds(pid).rssBytes;
const openFiles = (pid: number) => processHolds(pid).fds;

type RawScheduler = grpc.Client & {
  watch(req: object): grpc.ClientReadableStream<ClusterEvent__Output>;
};

describe('300 abandoned Watch streams', () => {
  let scheduler: SchedulerProcess;
  let client: SchedulerClient;

  beforeAll(async () => {
    // A small window (lag bound: 100 events) so a few hundred events are enough to cut readers off;
    // few ended workloads kept, so the churn itself reaches a steady state in the warm-up.
    // Churn as fast as it goes (not a client's rate): the rate limit is off.
    // debugGcEnv: memory is compared after a full GC on both sides (what the streams held is
    // garbage once they are cut off, but an idle scheduler may not collect it for minutes).
    scheduler = await startSchedulerProcess({
      extraArgs: ['--events-retained', '200', '--max-ended', '100', '--rate-limit', 'mutating=off'],
      env: debugGcEnv(),
    });
    client = scheduler.client;
  });
  afterAll(async () => {
    await scheduler?.kill('SIGTERM');
  });

  /** Submits `n` workloads (pending: there are no nodes) of ~2 KiB each and stops them: 2n events. */
  async function churn(n: number, tag: string): Promise<void> {
    const pad = 'x'.repeat(2 * 1024);
    for (let i = 0; i < n; i += 20) {
      const ids = await Promise.all(
        Array.from({ length: Math.min(20, n - i) }, (_, k) =>
          client
            .submitWorkload({ spec: { argv: ['true'], env: { PAD: pad, TAG: `${tag}-${i + k}` } } })
            .then((r) => r.workload!.id),
        ),
      );
      await Promise.all(ids.map((id) => client.stopWorkload(id, 0)));
    }
  }

  it('refuses those past the cap, cuts off the rest, and gives back their memory and files', async () => {
    // Warm up every path once (a read watch, submits, stops), then take the baseline.
    const warm = new AbortController();
    const reading = (async () => {
      for await (const e of client.watch({}, warm.signal)) void e;
    })().catch(() => undefined);
    await churn(150, 'warm');
    warm.abort();
    await reading;
    await collectGarbage(scheduler);
    await sleep(1000); // a settling window before the baseline: the GC's ArrayBuffer sweeper thread
    const baseRss = rssBytes(scheduler.pid);
    const baseFiles = openFiles(scheduler.pid);

    const Ctor = moProto().mo.v1.Scheduler as unknown as new (
      address: string,
      creds: grpc.ChannelCredentials,
    ) => RawScheduler;
    const conns = Array.from({ length: CONNECTIONS }, () => new Ctor(scheduler.grpcAddress, testChannelCredentials()));
    const ended: Array<{ code: number; details: string }> = [];
    const calls: Array<grpc.ClientReadableStream<ClusterEvent__Output>> = [];
    let peakRss = baseRss;
    try {
      for (let i = 0; i < STREAMS; i++) {
        // Never read: no 'data' listener, so the stream stays paused and HTTP/2 flow control
        // leaves what the scheduler writes in the scheduler.
        const call = conns[i % CONNECTIONS]!.watch({});
        call.on('error', (err: grpc.ServiceError) => ended.push({ code: err.code, details: err.details }));
        calls.push(call);
      }
      const cap = DEFAULT_STREAM_CAPS.watch!;
      await waitFor(`${STREAMS - cap} refused`, () => ended.length >= STREAMS - cap, { timeoutMs: 20_000 });
      expect(
        ended.every((e) => e.code === grpc.status.RESOURCE_EXHAUSTED && /too many watch streams/.test(e.details)),
      ).toBe(true);

      await churn(150, 'flow');
      peakRss = Math.max(peakRss, rssBytes(scheduler.pid));
      await waitFor(`all ${STREAMS} streams ended`, () => ended.length === STREAMS, { timeoutMs: 60_000 });
      const cutOff = ended.slice(STREAMS - cap);
      expect(cutOff.every((e) => e.code === grpc.status.RESOURCE_EXHAUSTED)).toBe(true);
    } finally {
      for (const c of calls) c.cancel();
      for (const c of conns) c.close();
    }

    // A stream that is cut off holds nothing; the connections are gone with the clients.
    let rss = 0;
    let files = 0;
    await waitFor(
      'memory within 20 MiB of the baseline and the open files back',
      async () => {
        await collectGarbage(scheduler);
        await sleep(500); // settling before a measurement: ArrayBuffers are freed by a sweeper thread after the GC
        rss = rssBytes(scheduler.pid);
        files = openFiles(scheduler.pid);
        return rss <= baseRss + 20 * MiB && files <= baseFiles;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    ).catch(() => undefined);
    console.log(
      `scheduler RSS: baseline ${(baseRss / MiB).toFixed(1)} MiB, peak seen ${(peakRss / MiB).toFixed(1)} MiB, ` +
        `after ${(rss / MiB).toFixed(1)} MiB; open files ${baseFiles} -> ${files}`,
    );
    expect(rss - baseRss).toBeLessThanOrEqual(20 * MiB);
    expect(files).toBeLessThanOrEqual(baseFiles);

    // The scheduler still serves watchers.
    const abort = new AbortController();
    for await (const e of client.watch({}, abort.signal)) {
      expect(e.caughtUp).toBe(true);
      break;
    }
    abort.abort();
  }, 180_000);
});
