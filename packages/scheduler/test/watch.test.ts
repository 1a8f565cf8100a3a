// Watch against a real scheduler and agent over gRPC: a stream killed mid-way resumes with
// after_seq and together the two see every event once (seq +1 each, one `running` per start);
// a restarted scheduler numbers above its old events and refuses a resume from before it
// (OUT_OF_RANGE); `mo events --after` prints what followed a seq.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MoError, SchedulerClient, type ClusterEvent__Output } from '@mo/api';
import {
  CLI_BIN,
  runMo,
  startCluster,
  startSchedulerProcess,
  testCliEnv,
  testClientOptions,
  waitFor,
  type Cluster,
} from '@mo/testkit';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Reads a watch into `into` until `until` says so (or the stream ends). */
async function collect(
  events: AsyncIterable<ClusterEvent__Output>,
  into: ClusterEvent__Output[],
  until: (e: ClusterEvent__Output) => boolean,
): Promise<void> {
  for await (const e of events) {
    into.push(e);
    if (until(e)) return;
  }
}

const ENDED = new Set(['WORKLOAD_STATE_SUCCEEDED', 'WORKLOAD_STATE_FAILED', 'WORKLOAD_STATE_STOPPED']);

describe('Watch resume, sequence and duplicates (a scheduler and an agent)', () => {
  let cluster: Cluster;
  let client: SchedulerClient;

  beforeAll(async () => {
    cluster = await startCluster({ agents: 1 });
    client = cluster.scheduler.client;
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('a stream killed mid-way and resumed with after_seq misses no event and repeats none', async () => {
    const first: ClusterEvent__Output[] = [];
    const abort1 = new AbortController();
    const reading1 = collect(client.watch({}, abort1.signal), first, () => false).catch(() => undefined);
    await waitFor('the first stream to be live', () => first.some((e) => e.caughtUp), { timeoutMs: 10_000 });
    const startSeq = first[0]!.seq;

    // Quick ones (starting, running, succeeded) and sleepers stopped while running (a stop
    // request is persisted first: it must not repeat `running`).
    const submit = (argv: string[]) => client.submitWorkload({ spec: { argv } }).then((r) => r.workload!.id);
    const quick = await Promise.all(Array.from({ length: 6 }, () => submit(['true'])));
    const sleepers = await Promise.all(Array.from({ length: 3 }, () => submit(['sleep', '600'])));
    await waitFor('half of the events read', () => first.length > 10, { timeoutMs: 30_000 });
    abort1.abort(); // the client's stream dies mid-way
    await reading1;
    const lastSeen = first.filter((e) => !e.caughtUp).at(-1)!.seq;

    // More happens while nobody watches.
    for (const id of sleepers) {
      await waitFor(`${id} running`, async () => (await client.getWorkload(id)).state === 'WORKLOAD_STATE_RUNNING', {
        timeoutMs: 30_000,
      });
    }
    await Promise.all(sleepers.map((id) => client.stopWorkload(id, 1000)));
    const more = await Promise.all(Array.from({ length: 3 }, () => submit(['true'])));
    const all = [...quick, ...sleepers, ...more];
    for (const id of all) {
      await waitFor(`${id} ended`, async () => ENDED.has((await client.getWorkload(id)).state), { timeoutMs: 30_000 });
    }

    // A new connection, as a restarted client would open.
    const second: ClusterEvent__Output[] = [];
    const resumed = new SchedulerClient(cluster.scheduler.grpcAddress, testClientOptions());
    const abort2 = new AbortController();
    try {
      await collect(resumed.watch({ afterSeq: lastSeen }, abort2.signal), second, (e) => e.caughtUp);
    } finally {
      abort2.abort();
      resumed.close();
    }

    const seen = [...first, ...second].filter((e) => !e.caughtUp && e.seq <= (second.at(-1)?.seq ?? 0));
    const seqs = seen.map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => startSeq + 1 + i)); // no gap, no repeat
    expect(second[0]!.seq).toBe(lastSeen + 1);
    for (const id of all) {
      const states = seen
        .filter((e) => e.workload?.id === id)
        .map((e) => e.workload!.state.replace('WORKLOAD_STATE_', ''));
      // A quick one may have ended before its start was answered: the scheduler never saw it run.
      const expected = sleepers.includes(id)
        ? [['STARTING', 'RUNNING', 'STOPPED']]
        : [
            ['STARTING', 'RUNNING', 'SUCCEEDED'],
            ['STARTING', 'SUCCEEDED'],
          ];
      expect(expected).toContainEqual(states);
    }
  }, 120_000);

  it('initial_state is sent as snapshot entries that take no numbers, then caught_up', async () => {
    const { workload } = await client.submitWorkload({ spec: { argv: ['true'] } });
    const id = workload!.id;
    await waitFor(`${id} ended`, async () => ENDED.has((await client.getWorkload(id)).state), { timeoutMs: 30_000 });
    const got: ClusterEvent__Output[] = [];
    const abort = new AbortController();
    await collect(client.watch({ initialState: true }, abort.signal), got, (e) => e.caughtUp).finally(() =>
      abort.abort(),
    );
    const marker = got.at(-1)!;
    expect(marker.caughtUp).toBe(true);
    const snapshot = got.slice(0, -1);
    expect(snapshot.every((e) => e.snapshot && e.seq === marker.seq)).toBe(true);
    expect(snapshot.filter((e) => e.node).map((e) => e.node!.name)).toEqual(['node-1']);
    expect(snapshot.find((e) => e.workload?.id === id)?.workload?.state).toBe('WORKLOAD_STATE_SUCCEEDED');
  });

  it('refuses bad requests with the field named, and a resume ahead of the latest seq with OUT_OF_RANGE', async () => {
    const first = async (req: Parameters<SchedulerClient['watch']>[0]) => {
      const abort = new AbortController();
      try {
        for await (const e of client.watch(req, abort.signal)) return e;
      } finally {
        abort.abort();
      }
    };
    await expect(first({ afterSeq: -5 })).rejects.toThrow('after_seq: must be a non-negative integer');
    await expect(first({ initialState: true, afterSeq: 3 })).rejects.toThrow('initial_state: cannot be combined');
    await expect(first({ replayRetained: true, afterSeq: 3 })).rejects.toThrow('replay_retained: cannot be combined');
    const err = await first({ afterSeq: 1e12 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MoError);
    expect((err as MoError).code).toBe(11); // OUT_OF_RANGE
    expect((err as MoError).message).toMatch(/after_seq 1000000000000 is ahead of the latest event/);
  });

  it('mo events --after N prints the events after N, one line each or NDJSON, and ends', async () => {
    // `true`: its exit, on the agent's heartbeat stream, can overtake the start's answer on the
    // other connection (a loaded CI run); it is still starting, running, succeeded.
    const { workload } = await client.submitWorkload({ spec: { argv: ['true'] } });
    const id = workload!.id;
    await waitFor(`${id} ended`, async () => ENDED.has((await client.getWorkload(id)).state), { timeoutMs: 30_000 });
    const mine: ClusterEvent__Output[] = [];
    const abort = new AbortController();
    await collect(
      client.watch({ replayRetained: true, workloadId: id }, abort.signal),
      mine,
      (e) => e.caughtUp,
    ).finally(() => abort.abort());
    const after = mine[0]!.seq; // its `starting`
    const env = { MO_SCHEDULER_ADDR: cluster.scheduler.grpcAddress };
    const text = await runMo(['events', '--after', String(after), '--workload', id], { env });
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^${after + 1} \\S+Z workload ${id} running on node-1 \\(pid \\d+\\)`));
    expect(lines[1]).toMatch(new RegExp(`^${mine[2]!.seq} \\S+Z workload ${id} succeeded on node-1`));

    const json = await runMo(['events', '--after', String(after - 1), '--workload', id, '--json'], { env });
    expect(json.code).toBe(0);
    const parsed = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ClusterEvent__Output);
    expect(parsed.map((e) => [e.seq, e.workload?.state])).toEqual(
      mine.filter((e) => !e.caughtUp).map((e) => [e.seq, e.workload?.state]),
    );
    const bad = await runMo(['events', '--after', 'x'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--after/);
  }, 60_000);
});

/** A TCP proxy to `target` whose open connections can be cut (a network blip between client and scheduler). */
async function startProxy(target: string): Promise<{ address: string; cut(): void; close(): Promise<void> }> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const open = new Set<Socket>();
  const server = createServer((down) => {
    const up = connect(port, host);
    for (const s of [down, up]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => undefined);
    }
    down.pipe(up).pipe(down);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cut = () => {
    for (const s of open) s.destroy();
  };
  const { port: own } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${own}`,
    cut,
    close: () => {
      cut();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('mo events -f across a broken connection', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    // No agents needed: a submitted workload waits (pending), then is stopped: two events.
    cluster = await startCluster({ agents: 0 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('reconnects with after_seq = the last seq printed: no gap, no duplicate, a note on stderr', async () => {
    const client = cluster.scheduler.client;
    const proxy = await startProxy(cluster.scheduler.grpcAddress);
    const child = spawn(process.execPath, [CLI_BIN, 'events', '-f'], {
      env: { PATH: process.env.PATH, ...testCliEnv(), MO_SCHEDULER_ADDR: proxy.address },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const seqs = () =>
      stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => Number(l.split(' ')[0]));
    try {
      const submitAndStop = async () => {
        const id = (await client.submitWorkload({ spec: { argv: ['true'] } })).workload!.id;
        await client.stopWorkload(id, 0);
      };
      for (let i = 0; i < 3; i++) await submitAndStop();
      await waitFor('6 events printed', () => seqs().length >= 6, { timeoutMs: 20_000 });
      proxy.cut();
      for (let i = 0; i < 3; i++) await submitAndStop(); // while the CLI reconnects
      await waitFor('12 events printed', () => seqs().length >= 12, { timeoutMs: 20_000 });
      const got = seqs();
      expect(got).toEqual(Array.from({ length: got.length }, (_, i) => got[0]! + i));
      expect(stderr).toMatch(/^mo events: .*; resuming after seq \d+$/m);
    } finally {
      child.kill('SIGINT');
      await new Promise((resolve) => child.once('exit', resolve));
      await proxy.close();
    }
  }, 60_000);
});

describe('Watch across a scheduler restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), `mo-watch-restart-${process.pid}-`));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('numbers events above the old ones and refuses a resume from before the restart', async () => {
    let scheduler = await startSchedulerProcess({ dataDir });
    let lastBefore: number;
    try {
      // No agents: a submitted workload waits (pending), which is an event.
      await scheduler.client.submitWorkload({ spec: { argv: ['true'] } });
      const got: ClusterEvent__Output[] = [];
      const abort = new AbortController();
      await collect(scheduler.client.watch({ replayRetained: true }, abort.signal), got, (e) => e.caughtUp).finally(
        () => abort.abort(),
      );
      lastBefore = got.at(-1)!.seq;
      expect(lastBefore).toBeGreaterThan(0);
    } finally {
      await scheduler.kill('SIGKILL');
    }
    scheduler = await startSchedulerProcess({ dataDir });
    try {
      const err = await (async () => {
        for await (const e of scheduler.client.watch({ afterSeq: lastBefore })) return e;
      })().catch((e: unknown) => e);
      expect((err as MoError).code).toBe(11); // OUT_OF_RANGE: the kept events did not survive
      expect((err as MoError).message).toMatch(/is older than the retained events .*relist/);
      await scheduler.client.submitWorkload({ spec: { argv: ['true'] } });
      const got: ClusterEvent__Output[] = [];
      const abort = new AbortController();
      await collect(scheduler.client.watch({ replayRetained: true }, abort.signal), got, (e) => e.caughtUp).finally(
        () => abort.abort(),
      );
      expect(got[0]!.seq).toBeGreaterThan(lastBefore); // never reused
      // `mo events -f` that cannot resume ends with the scheduler's reason.
      const env = { MO_SCHEDULER_ADDR: scheduler.grpcAddress };
      const res = await runMo(['events', '-f', '--after', String(lastBefore)], { env });
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/older than the retained events/);
    } finally {
      await scheduler.kill('SIGTERM');
    }
  }, 60_000);
});
