// 300 abandoned streams of each kind the scheduler serves besides Watch, against a real cluster (a
// scheduler + an agent, as processes): uploads that never end, downloads never read, proxied log
// follows never read. Past each cap: RESOURCE_EXHAUSTED; the admitted ones are ended after
// --stream-stall-timeout (idle uploads with RESOURCE_EXHAUSTED and their temp files removed,
// stalled readers reset with ENHANCE_YOUR_CALM); afterwards no fd is left, no temp file remains and
// memory is back near where it was. A scheduler stopped mid-upload leaves no temp file either, and
// one a crash left is removed at start.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { PipelineClient } from '@mo/api';
import {
  openRawCall,
  processHolds,
  rawSession,
  sleep,
  startCluster,
  startSchedulerProcess,
  waitFor,
  waitForPipeline,
  type Cluster,
  type RawCallEnd,
} from '@mo/testkit';
import http2 from 'node:http2';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const N = 300;
const STALL_MS = 2000;
const MiB = 1024 * 1024;
const cleanup: Array<() => Promise<void>> = [];
let cluster: Cluster;
let pipelines: PipelineClient;
let holdPipeline = '';
let madePipeline = '';
let chattyId = '';

const sh = (script: string) => ['sh', '-c', script];
const CHATTY =
  "const l = 'x'.repeat(1023) + '\\n'; setInterval(() => { for (let i = 0; i < 64; i++) process.stdout.write(l); }, 20);";

beforeAll(async () => {
  cluster = await startCluster({ agents: 1, schedulerArgs: ['--stream-stall-timeout', `${STALL_MS}ms`] });
  cleanup.push(() => cluster.stop());
  pipelines = new PipelineClient(cluster.scheduler.grpcAddress);
  cleanup.push(async () => pipelines.close());
  // A stored artifact to download (4 MiB), and a running step that may upload `out.bin`.
  madePipeline = (
    await pipelines.submit({
      spec: JSON.stringify({
        name: 'made',
        steps: [{ id: 'make', command: sh('head -c 4194304 /dev/zero > big.bin'), artifacts: ['big.bin'] }],
      }),
    })
  ).pipeline!.id;
  await waitForPipeline(pipelines, madePipeline, 'PIPELINE_STATE_SUCCEEDED');
  holdPipeline = (
    await pipelines.submit({
      spec: JSON.stringify({
        name: 'hold',
        steps: [{ id: 'hold', command: ['sleep', '600'], artifacts: ['out.bin'] }],
      }),
    })
  ).pipeline!.id;
  await waitForPipeline(pipelines, holdPipeline, 'PIPELINE_STATE_RUNNING');
  const w = await cluster.scheduler.client.submitWorkload({ spec: { argv: [process.execPath, '-e', CHATTY] } });
  chattyId = w.workload!.id;
  await waitFor('the chatty workload to run', async () => {
    const s = await cluster.scheduler.client.getWorkload(chattyId);
    return s.state === 'WORKLOAD_STATE_RUNNING';
  });
  await sleep(1000); // some output to follow
}, 60_000);

afterAll(async () => {
  await pipelines.cancel({ pipelineId: holdPipeline }).catch(() => undefined);
  await cluster.scheduler.client.stopWorkload(chattyId).catch(() => undefined);
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

/** `.upload-*` temp files under a scheduler data dir's artifacts. */
function tempFiles(dataDir: string): string[] {
  const root = join(dataDir, 'artifacts');
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((p) =>
    p.split('/').at(-1)!.startsWith('.upload-'),
  );
}

/** `n` raw calls of one kind over connections of 100 calls each; returns how each ended. */
async function abuse(address: string, open: (session: http2.ClientHttp2Session) => Promise<RawCallEnd>, n = N) {
  const sessions: http2.ClientHttp2Session[] = [];
  const ends: Array<Promise<RawCallEnd>> = [];
  for (let i = 0; i < n; i++) {
    if (i % 100 === 0) sessions.push(rawSession(address));
    ends.push(open(sessions.at(-1)!));
  }
  const all = await Promise.all(ends);
  for (const s of sessions) s.destroy();
  return {
    refused: all.filter((e) => e.grpcStatus === grpc.status.RESOURCE_EXHAUSTED && /too many/.test(e.grpcMessage ?? '')),
    idle: all.filter(
      (e) => e.grpcStatus === grpc.status.RESOURCE_EXHAUSTED && /no message for/.test(e.grpcMessage ?? ''),
    ),
    reset: all.filter((e) => e.rstCode === http2.constants.NGHTTP2_ENHANCE_YOUR_CALM),
    all,
  };
}

const upload = (s: http2.ClientHttp2Session) =>
  openRawCall(
    s,
    '/mo.v1.NodeRegistry/UploadArtifact',
    'ArtifactUpload',
    { artifact: { pipelineId: holdPipeline, stepId: 'hold', path: 'out.bin' }, data: Buffer.alloc(64 * 1024, 1) },
    { end: false }, // and never another message
  ).ended;
const download = (s: http2.ClientHttp2Session) =>
  openRawCall(s, '/mo.v1.NodeRegistry/DownloadArtifact', 'DownloadArtifactRequest', {
    pipelineId: madePipeline,
    stepId: 'make',
    path: 'big.bin',
  }).ended;
const logs = (s: http2.ClientHttp2Session) =>
  openRawCall(s, '/mo.v1.Scheduler/StreamWorkloadLogs', 'StreamWorkloadLogsRequest', {
    workloadId: chattyId,
    follow: true,
    tailLines: 0,
  }).ended;

async function round(address: string) {
  const ups = await abuse(address, upload);
  const downs = await abuse(address, download);
  const follows = await abuse(address, logs);
  return { ups, downs, follows };
}

describe('abandoned streams on a real scheduler', () => {
  it('caps each kind, ends idle uploads and stalled readers, and leaves no fd, temp file or memory behind', async () => {
    const { pid, dataDir, grpcAddress } = cluster.scheduler;
    // Warm-up round (see the agent's test: the first use raises the malloc high-water mark once).
    await round(grpcAddress);
    await sleep(12_000);
    const baseline = processHolds(pid);

    const { ups, downs, follows } = await round(grpcAddress);
    // Uploads: 64 at once; each admitted one is ended after the idle bound.
    expect(ups.refused).toHaveLength(N - 64);
    expect(ups.idle).toHaveLength(64);
    expect(ups.idle[0]!.grpcMessage).toMatch(/upload: no message for 2000 ms/);
    // Downloads: 64 at once, each stalled reader reset.
    expect(downs.refused).toHaveLength(N - 64);
    expect(downs.reset).toHaveLength(64);
    // Proxied logs: 256 at once; the stalled readers are reset (and their agent streams cancelled).
    expect(follows.refused).toHaveLength(N - 256);
    expect(follows.reset).toHaveLength(256);
    expect(tempFiles(dataDir)).toEqual([]);

    await waitFor('the fds of before', () => processHolds(pid).fds <= baseline.fds, { timeoutMs: 10_000 });
    let last = baseline;
    const after = await waitFor(
      'RSS within 20 MiB of before',
      () => {
        last = processHolds(pid);
        return last.rssBytes <= baseline.rssBytes + 20 * MiB && last;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    ).catch((err: Error) => {
      throw new Error(
        `${err.message}: baseline ${(baseline.rssBytes / MiB).toFixed(1)} MiB, now ${(last.rssBytes / MiB).toFixed(1)} MiB`,
      );
    });
    console.log(
      `scheduler after 3 × ${N} abandoned streams: RSS ${(baseline.rssBytes / MiB).toFixed(1)} → ${(after.rssBytes / MiB).toFixed(1)} MiB, fds ${baseline.fds} → ${after.fds}`,
    );
    // The cluster still works: a normal follower gets the chatty workload's output.
    const it = cluster.scheduler.client.streamLogs({ workloadId: chattyId, follow: true, tailLines: 1 });
    expect((await it.next()).done).toBe(false);
    await it.return(undefined);
  }, 180_000);

  it('a scheduler stopped during an upload removes its temp file; one left by a crash goes at start', async () => {
    const { dataDir, grpcAddress } = cluster.scheduler;
    const session = rawSession(grpcAddress);
    const call = openRawCall(
      session,
      '/mo.v1.NodeRegistry/UploadArtifact',
      'ArtifactUpload',
      { artifact: { pipelineId: holdPipeline, stepId: 'hold', path: 'out.bin' }, data: Buffer.alloc(1024, 1) },
      { end: false },
    );
    await waitFor('the upload to have its temp file', () => tempFiles(dataDir).length === 1);
    await cluster.scheduler.kill('SIGTERM');
    const end = await call.ended;
    session.destroy();
    expect(end.grpcStatus).toBe(grpc.status.UNAVAILABLE);
    expect(end.grpcMessage).toMatch(/the scheduler is shutting down/);
    expect(tempFiles(dataDir)).toEqual([]);

    // What a crash mid-upload leaves is removed when the scheduler starts on that data dir.
    const stepDir = join(dataDir, 'artifacts', holdPipeline, 'hold');
    writeFileSync(join(stepDir, '.upload-deadbeef0000'), 'half an artifact');
    const again = await startSchedulerProcess({ dataDir });
    cleanup.push(() => again.kill('SIGKILL'));
    expect(tempFiles(dataDir)).toEqual([]);
    expect(again.logs()).toMatch(/removed unfinished artifact uploads/);
  });
});
