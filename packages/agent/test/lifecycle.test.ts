// A real mo-agent process driven over real gRPC: start/stop/status, process trees, grace and
// SIGKILL, logs (tail, follow, rotation).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WorkloadState, type AgentClient, type LogChunk__Output } from '@mo/api';
import { isAlive, sleep, startAgentProcess, waitFor, type AgentProcess } from '@mo/testkit';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

let agent: AgentProcess;
let client: AgentClient;

beforeAll(async () => {
  agent = await startAgentProcess({ extraArgs: ['--log-max-bytes', '1000'] });
  client = agent.client;
});

afterAll(async () => {
  const status = await client.getNodeStatus();
  await Promise.all(
    status.workloads
      .filter((w) => w.state === WorkloadState.WORKLOAD_STATE_RUNNING)
      .map((w) => client.stopWorkload(w.spec!.id, 100)),
  );
  await agent.kill('SIGTERM');
});

/** Pids whose process group is `pgid`, read from /proc. */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') out.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

async function collect(stream: AsyncIterable<LogChunk__Output>): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  for await (const chunk of stream) {
    if (chunk.stream === 'LOG_STREAM_STDERR') stderr += chunk.data.toString();
    else stdout += chunk.data.toString();
  }
  return { stdout, stderr };
}

describe('a workload on a real agent', () => {
  it('starts, shows in node status with its usage, and stops on request', async () => {
    const started = await client.startWorkload({ argv: ['sleep', '300'], name: 'sleeper', labels: { team: 'infra' } });
    expect(started.state).toBe(WorkloadState.WORKLOAD_STATE_RUNNING);
    expect(started.pid).toBeGreaterThan(0);
    expect(await isAlive(started.pid)).toBe(true);

    const status = await client.getNodeStatus();
    const mine = status.workloads.find((w) => w.spec!.id === started.spec!.id);
    expect(mine?.spec?.name).toBe('sleeper');
    expect(mine?.spec?.labels).toEqual({ team: 'infra' });
    expect(mine?.usage?.rssBytes).toBeGreaterThan(0);
    expect(status.facts?.cpuCores).toBeGreaterThan(0);
    expect(status.metrics?.memoryTotalBytes).toBeGreaterThan(0);

    const stopped = await client.stopWorkload(started.spec!.id, 2000);
    expect(stopped.state).toBe(WorkloadState.WORKLOAD_STATE_STOPPED);
    expect(stopped.exit?.signal).toBe('SIGTERM');
    expect(await isAlive(started.pid)).toBe(false);

    // Stopping an ended workload is a no-op that reports its final state.
    const again = await client.stopWorkload(started.spec!.id);
    expect(again.state).toBe(WorkloadState.WORKLOAD_STATE_STOPPED);
  });

  it('starts a batch in one StartWorkloads call, each start succeeding or failing on its own', async () => {
    const results = await client.startWorkloads([
      { argv: ['sleep', '30'], name: 'batch-a' },
      { argv: [] },
      { argv: ['sleep', '30'], name: 'batch-b' },
    ]);
    expect(results).toHaveLength(3);
    const [a, bad, b] = results;
    expect(a).not.toBeInstanceOf(Error);
    expect(b).not.toBeInstanceOf(Error);
    expect(bad).toBeInstanceOf(Error);
    expect((bad as Error & { code: number }).code).toBe(3); // INVALID_ARGUMENT
    expect((bad as Error).message).toMatch(/^spec\.argv: /);
    for (const w of [a, b] as Array<Exclude<(typeof results)[number], Error>>) {
      expect(w.state).toBe(WorkloadState.WORKLOAD_STATE_RUNNING);
      expect(await isAlive(w.pid)).toBe(true);
      await client.stopWorkload(w.spec!.id, 1000);
    }
  });

  it('stops a workload at its run limit and reports it failed, timed out', async () => {
    const t0 = Date.now();
    const w = await client.startWorkload({ argv: ['sleep', '30'], timeoutMs: 400, gracePeriodMs: 1000 });
    expect(w.spec!.timeoutMs).toBe(400);
    const ended = await waitFor('timed out', async () => {
      const s = await client.getWorkload(w.spec!.id);
      return s.state === WorkloadState.WORKLOAD_STATE_FAILED ? s : undefined;
    });
    expect(ended.reason).toBe('timed out after 400ms (killed by SIGTERM)');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    expect(await isAlive(w.pid)).toBe(false);
    const bad = (await client.startWorkload({ argv: ['true'], timeoutMs: -1 }).catch((e: unknown) => e)) as Error;
    expect(bad.message).toMatch(/^spec\.timeout_ms: must be a non-negative number of milliseconds/);
  });

  it("keeps a workload with a 26-day run limit running (above Node's 24.8-day timer limit)", async () => {
    const day = 24 * 60 * 60 * 1000;
    const w = await client.startWorkload({ argv: ['sleep', '600'], timeoutMs: 26 * day, gracePeriodMs: 100 });
    // Proves a negative: a limit past Node's timer maximum would fire at once (after 1 ms) if it
    // reached setTimeout as it is; 5 s without a stop shows it did not.
    await sleep(5000);
    const s = await client.getWorkload(w.spec!.id);
    expect([s.state, s.spec!.timeoutMs]).toEqual([WorkloadState.WORKLOAD_STATE_RUNNING, 26 * day]);
    expect(await isAlive(w.pid)).toBe(true);
    await client.stopWorkload(w.spec!.id, 100);
  });

  it('records the exit code of a workload that ends by itself', async () => {
    const w = await client.startWorkload({ argv: ['sh', '-c', 'exit 3'] });
    const ended = await waitFor('exit', async () => {
      const s = await client.getWorkload(w.spec!.id);
      return s.state === WorkloadState.WORKLOAD_STATE_FAILED ? s : undefined;
    });
    expect(ended.exit).toMatchObject({ exited: true, exitCode: 3 });
    expect(ended.reason).toBe('exited with code 3');

    const ok = await client.startWorkload({ argv: ['true'] });
    await waitFor('success', async () => (await client.getWorkload(ok.spec!.id)).state === 'WORKLOAD_STATE_SUCCEEDED');
  });

  it('runs argv without a shell and with the given env and working dir', async () => {
    const w = await client.startWorkload({
      argv: ['sh', '-c', 'echo "$GREETING from $(pwd)"; echo "$1"', 'sh', 'a; rm -rf / #'],
      env: { GREETING: 'hello' },
      workingDir: '/tmp',
    });
    await waitFor('exit', async () => (await client.getWorkload(w.spec!.id)).state === 'WORKLOAD_STATE_SUCCEEDED');
    const { stdout } = await collect(client.streamLogs({ workloadId: w.spec!.id }));
    expect(stdout).toBe('hello from /tmp\na; rm -rf / #\n');
  });

  it('kills the whole process tree on stop, including a grandchild that left the group', async () => {
    const w = await client.startWorkload({
      argv: ['sh', '-c', 'sleep 301 & sleep 302 & setsid sleep 303 & wait'],
    });
    const escaped = await waitFor('the setsid grandchild', () => {
      const pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
      return pids.map(Number).find((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8') === 'sleep\u0000303\u0000';
        } catch {
          return false;
        }
      });
    });
    await waitFor('both group members', () => groupMembers(w.pid).length >= 3);
    const members = groupMembers(w.pid);

    const stopped = await client.stopWorkload(w.spec!.id, 2000);
    expect(stopped.state).toBe(WorkloadState.WORKLOAD_STATE_STOPPED);
    for (const pid of [...members, escaped]) expect(await isAlive(pid)).toBe(false);
    expect(groupMembers(w.pid)).toEqual([]);
  });

  it('sends SIGKILL after the grace period to a workload that ignores SIGTERM', async () => {
    const w = await client.startWorkload({
      argv: ['sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 0.05; done'],
    });
    // SIGTERM before the trap is installed would simply kill the shell.
    const log = join(agent.dataDir, 'workloads', w.spec!.id, 'stdout.log');
    await waitFor('the trap', () => readFileSync(log, 'utf8').includes('ready'));
    const t0 = Date.now();
    const stopped = await client.stopWorkload(w.spec!.id, 700);
    const took = Date.now() - t0;
    expect(stopped.state).toBe(WorkloadState.WORKLOAD_STATE_STOPPED);
    expect(stopped.exit?.signal).toBe('SIGKILL');
    expect(took).toBeGreaterThanOrEqual(650); // it waited for the grace period before killing
    expect(await isAlive(w.pid)).toBe(false);
  });

  it('keeps stdout and stderr apart, tails the last lines and follows until the workload ends', async () => {
    const w = await client.startWorkload({
      argv: ['sh', '-c', 'for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; sleep 0.15; done'],
    });
    // Follow from the start while it is still writing: everything arrives, in order, then the stream ends.
    const followed = await collect(client.streamLogs({ workloadId: w.spec!.id, follow: true }));
    expect(followed.stdout).toBe('out1\nout2\nout3\nout4\nout5\n');
    expect(followed.stderr).toBe('err1\nerr2\nerr3\nerr4\nerr5\n');

    const tail = await collect(
      client.streamLogs({ workloadId: w.spec!.id, stream: 'LOG_STREAM_STDOUT', tailLines: 2 }),
    );
    expect(tail).toEqual({ stdout: 'out4\nout5\n', stderr: '' });
  });

  it('follow delivers output written after the stream opened', async () => {
    const w = await client.startWorkload({ argv: ['sh', '-c', 'sleep 0.5; echo late; sleep 0.3; echo later'] });
    const abort = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const c of client.streamLogs({ workloadId: w.spec!.id, follow: true }, abort.signal)) {
        seen.push(c.data.toString());
      }
    })();
    await waitFor('late output', () => seen.join('').includes('late\n'));
    await done;
    expect(seen.join('')).toBe('late\nlater\n');
  });

  it('caps log files and keeps one rotated copy', async () => {
    // 200 lines of 50 bytes = 10 kB against a 1000-byte cap (agent started with --log-max-bytes 1000).
    const w = await client.startWorkload({
      argv: [
        'sh',
        '-c',
        'i=0; while [ $i -lt 200 ]; do printf "line %04d .....................................\\n" $i; i=$((i+1)); done',
      ],
    });
    await waitFor('exit', async () => (await client.getWorkload(w.spec!.id)).state === 'WORKLOAD_STATE_SUCCEEDED');
    const dir = join(agent.dataDir, 'workloads', w.spec!.id);
    expect(statSync(join(dir, 'stdout.log')).size).toBeLessThanOrEqual(1000);
    expect(statSync(join(dir, 'stdout.log.1')).size).toBeLessThanOrEqual(1000);
    const { stdout } = await collect(client.streamLogs({ workloadId: w.spec!.id, stream: 'LOG_STREAM_STDOUT' }));
    expect(stdout.length).toBeLessThanOrEqual(2000);
    expect(stdout.endsWith('line 0199 .....................................\n')).toBe(true);
    const tail = await collect(
      client.streamLogs({ workloadId: w.spec!.id, stream: 'LOG_STREAM_STDOUT', tailLines: 3 }),
    );
    expect(tail.stdout.split('\n').slice(0, 3)).toEqual([
      'line 0197 .....................................',
      'line 0198 .....................................',
      'line 0199 .....................................',
    ]);
  });

  it('reports a workload whose program cannot be executed as failed, not as a crash', async () => {
    // Exists and is executable, but its interpreter does not: execve itself fails (ENOENT).
    const { writeFileSync, chmodSync } = await import('node:fs');
    const script = join(agent.dataDir, 'bad-interpreter');
    writeFileSync(script, '#!/nonexistent/interpreter\necho never\n');
    chmodSync(script, 0o755);
    const w = await client.startWorkload({ argv: [script] });
    expect(w.state).toBe(WorkloadState.WORKLOAD_STATE_FAILED);
    expect(w.reason).toMatch(/exec .* failed: No such file or directory/);
    expect(w.exit?.exitCode).toBe(127);
    await sleep(50); // proves a negative: the agent does not crash on it a moment later
    expect((await client.getNodeStatus()).facts?.nodeName).toBeTruthy();
  });
});
