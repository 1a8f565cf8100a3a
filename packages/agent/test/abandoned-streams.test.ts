// 300 abandoned StreamLogs calls against a real agent following a chatty workload: clients that
// never read (raw HTTP/2, the window full) and clients that vanish. The agent admits up to its cap
// (the rest get RESOURCE_EXHAUSTED), cuts the stalled readers off with RESOURCE_EXHAUSTED
// (RST_STREAM ENHANCE_YOUR_CALM) after --stream-stall-timeout, keeps serving a normal follower
// throughout, and afterwards holds no more files than before and about the memory it had.
import { afterAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import {
  collectGarbage,
  debugGcEnv,
  openRawCall,
  processHolds,
  rawSession,
  sleep,
  startAgentProcess,
  testPki,
  waitFor,
  type AgentProcess,
  type RawCallEnd,
} from '@mo/testkit';
import http2 from 'node:http2';
import { statSync } from 'node:fs';
import { join } from 'node:path';

const CAP = 256; // the default
const ABANDONED = 300;
const STALL_MS = 2000;
const MiB = 1024 * 1024;

const agents: AgentProcess[] = [];
const sessions: http2.ClientHttp2Session[] = [];
const aborts: AbortController[] = [];
afterAll(async () => {
  for (const a of aborts) a.abort();
  for (const s of sessions) s.destroy();
  for (const a of agents) {
    await a.client.stopWorkload(chattyId, 0).catch(() => undefined);
    a.client.close();
    await a.kill('SIGKILL');
  }
});
let chattyId = '';

// ~3 MiB/s on stdout from one process (no fork per line), so followers always have something new.
const CHATTY =
  "const l = 'x'.repeat(1023) + '\\n'; setInterval(() => { for (let i = 0; i < 64; i++) process.stdout.write(l); }, 20);";

const mib = (n: number) => (n / MiB).toFixed(1);

/** Opens `n` never-read follow streams, `perSession` per connection. */
function abandon(address: string, n: number, perSession: number) {
  const own: http2.ClientHttp2Session[] = [];
  const ends: Array<Promise<RawCallEnd>> = [];
  for (let i = 0; i < n; i++) {
    if (i % perSession === 0) own.push(rawSession(address, { pair: testPki().scheduler })); // NodeAgent serves the scheduler alone
    const call = openRawCall(own.at(-1)!, '/mo.v1.NodeAgent/StreamLogs', 'StreamLogsRequest', {
      workloadId: chattyId,
      follow: true,
      tailLines: 0, // everything kept: megabytes to send
    });
    ends.push(call.ended);
  }
  sessions.push(...own);
  return { sessions: own, ends };
}

describe('abandoned log streams on a real agent', () => {
  it(`admits ${CAP}, refuses the rest, cuts stalled readers off, serves a normal follower, and gives back files and memory`, async () => {
    const agent = await startAgentProcess({
      extraArgs: ['--stream-stall-timeout', `${STALL_MS}ms`],
      env: debugGcEnv(), // the test can ask the agent for a full GC (see the memory check below)
    });
    agents.push(agent);
    const w = await agent.client.startWorkload({ argv: [process.execPath, '-e', CHATTY] });
    chattyId = w.spec!.id;
    const log = join(agent.dataDir, 'workloads', chattyId, 'stdout.log');
    await waitFor('2 MiB of logs', () => (statSync(log, { throwIfNoEntry: false })?.size ?? 0) > 2 * MiB);

    // The baseline is the agent as a normal workload left it: up, one workload writing, its logs
    // read once. The follower's connection (grpc-js, one socket) exists before it, as it does after.
    const probe = agent.client.streamLogs({ workloadId: chattyId, tailLines: 1 });
    await probe.next();
    await probe.return(undefined);
    // Settling windows before a measurement: idle long enough for V8's memory reducer (~8 s), then
    // a full GC and its ArrayBuffer sweeper thread.
    await sleep(12_000);
    const baseGc = await collectGarbage(agent);
    await sleep(2000);
    const baseline = processHolds(agent.pid);

    // A normal `mo logs -f`: it reads everything and must never be cut off.
    const follower = new AbortController();
    aborts.push(follower);
    let followed = 0;
    let followerError: unknown;
    void (async () => {
      for await (const chunk of agent.client.streamLogs(
        { workloadId: chattyId, follow: true, tailLines: 1 },
        follower.signal,
      )) {
        followed += chunk.data.length;
      }
    })().catch((err: unknown) => (followerError = err));
    await waitFor('the follower to read', () => followed > 0);

    // Wave 1: never read, connections kept open.
    const wave1 = abandon(agent.grpcAddress, ABANDONED, 100);
    await sleep(STALL_MS / 2); // the measurement point: mid-way, the stalled streams open and full
    const peak = processHolds(agent.pid);
    const ends = await Promise.all(wave1.ends);
    const refused = ends.filter((e) => e.grpcStatus === grpc.status.RESOURCE_EXHAUSTED);
    const cutOff = ends.filter((e) => e.rstCode === http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
    // The follower holds one slot.
    expect(refused).toHaveLength(ABANDONED - (CAP - 1));
    expect(refused[0]!.grpcMessage).toMatch(/too many logs streams open on this daemon \(at most 256\)/);
    expect(cutOff).toHaveLength(CAP - 1);

    // The follower kept working through it all, and still does.
    const before = followed;
    // Its error, if it has one, is what the wait reports.
    const readOn = () => {
      if (followerError) throw followerError as Error;
      return followed > before + 64 * 1024;
    };
    await waitFor('the follower to read on', readOn);
    expect(followerError).toBeUndefined();
    for (const s of wave1.sessions) s.destroy();

    // Wave 2: never read, then the clients vanish (connections dropped) before the stall bound.
    const wave2 = abandon(agent.grpcAddress, ABANDONED, 100);
    await sleep(STALL_MS / 4); // the scenario's timing: the clients vanish before the stall bound
    for (const s of wave2.sessions) s.destroy();
    await Promise.all(wave2.ends);

    // Everything is given back: the files at once, the memory once the heap has settled (the
    // follower's churn stopped, as it was when the baseline was taken).
    follower.abort();
    await waitFor('the fds of before', () => processHolds(agent.pid).fds <= baseline.fds, { timeoutMs: 10_000 });
    // What the streams held is garbage by then, but an idle agent may not collect it for a long
    // time (a CI run saw 55 MiB still resident 30 s later, with nothing left open): reported as it
    // is after 10 s idle, then measured after a full GC, as the scheduler's test does. What the
    // agent holds is its JS heap and ArrayBuffers: both must come back to where they were. Some
    // ArrayBuffers are freed only a little after the GC (seen here: 6 MiB, gone 10 s later), so a
    // few rounds of GC are allowed; memory still referenced would never come back. RSS also counts
    // pages the allocator keeps for reuse (small native pieces of HTTP/2 sessions, below the mmap
    // threshold), so it gets a looser bound: the bug was +716 MiB that never came back.
    await sleep(10_000); // a measurement: what it holds after 10 s idle
    const idle = processHolds(agent.pid);
    const rounds: string[] = [];
    let held = { gc: baseGc, after: baseline, back: false };
    for (let round = 1; round <= 5 && !held.back; round++) {
      const gc = await collectGarbage(agent);
      await sleep(2000); // the ArrayBuffer sweeper thread runs after the GC
      const after = processHolds(agent.pid);
      const back =
        gc.heapUsed <= baseGc.heapUsed + 4 * MiB &&
        gc.arrayBuffers <= baseGc.arrayBuffers + 4 * MiB &&
        after.rssBytes <= baseline.rssBytes + 48 * MiB;
      held = { gc, after, back };
      rounds.push(
        `GC ${round}: ${mib(after.rssBytes)} MiB (JS heap ${mib(gc.heapUsed)}, ArrayBuffers ${mib(gc.arrayBuffers)})`,
      );
    }
    console.log(
      `agent: baseline RSS ${mib(baseline.rssBytes)} MiB (JS heap ${mib(baseGc.heapUsed)}, ArrayBuffers ` +
        `${mib(baseGc.arrayBuffers)}), ${baseline.fds} fds; ${CAP - 1} stalled readers open: ${mib(peak.rssBytes)} MiB, ` +
        `${peak.fds} fds; idle 10 s: ${mib(idle.rssBytes)} MiB; ${rounds.join('; ')}; ${held.after.fds} fds`,
    );
    expect(held.gc.heapUsed).toBeLessThanOrEqual(baseGc.heapUsed + 4 * MiB);
    expect(held.gc.arrayBuffers).toBeLessThanOrEqual(baseGc.arrayBuffers + 4 * MiB);
    expect(held.after.rssBytes).toBeLessThanOrEqual(baseline.rssBytes + 48 * MiB);
    expect(followerError).toBeUndefined();
  }, 180_000);
});
