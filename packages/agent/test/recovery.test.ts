// The agent survives its own crash: SIGKILL it, start another on the same data dir, and every
// workload is re-attached or reported with the exit code it had while the agent was down.
import { afterAll, describe, expect, it } from '@jest/globals';
import { WorkloadState, type WorkloadStatus__Output } from '@mo/api';
import { isAlive, sleep, startAgentProcess, waitFor, type AgentProcess } from '@mo/testkit';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const started: AgentProcess[] = [];
const strays: number[] = [];

afterAll(async () => {
  for (const a of started) await a.kill('SIGKILL');
  for (const pid of strays) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

async function agentOn(dataDir?: string): Promise<AgentProcess> {
  const a = await startAgentProcess(dataDir ? { dataDir } : {});
  started.push(a);
  return a;
}

function byId(list: WorkloadStatus__Output[]): Map<string, WorkloadStatus__Output> {
  return new Map(list.map((w) => [w.spec!.id, w]));
}

describe('agent crash and restart', () => {
  it('re-attaches 20 running workloads and reports the exact exit codes of 5 that ended meanwhile', async () => {
    const first = await agentOn();
    const long = await Promise.all(
      Array.from({ length: 20 }, (_, i) => first.client.startWorkload({ argv: ['sleep', '300'], name: `long-${i}` })),
    );
    const short = await Promise.all(
      [11, 12, 13, 14, 15].map((code) =>
        first.client.startWorkload({ argv: ['sh', '-c', `sleep 0.5; exit ${code}`], name: `short-${code}` }),
      ),
    );
    // One that is still running at restart and exits afterwards, when it is no longer our child.
    const later = await first.client.startWorkload({ argv: ['sh', '-c', 'sleep 2.5; exit 7'], name: 'later' });

    await first.kill('SIGKILL');
    // While the agent is down the short ones exit; nobody but their mo-shim sees it (and records it).
    await waitFor('the short ones to exit while the agent is down', () =>
      short.every((w) => existsSync(join(first.dataDir, 'workloads', w.spec!.id, 'exit'))),
    );
    for (const w of long) expect(await isAlive(w.pid)).toBe(true);

    const second = await agentOn(first.dataDir);
    const status = byId((await second.client.getNodeStatus()).workloads);
    for (const w of long) {
      const now = status.get(w.spec!.id)!;
      expect(now.state).toBe(WorkloadState.WORKLOAD_STATE_RUNNING);
      expect(now.reason).toBe('re-attached after agent restart');
      expect(now.pid).toBe(w.pid);
      // The running state is not saved by the agent; the shim's `started` file has the start time.
      expect(now.startedAtMs).toBeGreaterThanOrEqual(Number(w.startedAtMs));
      expect(now.startedAtMs).toBeLessThan(Number(w.startedAtMs) + 1000);
    }
    for (const [i, w] of short.entries()) {
      const now = status.get(w.spec!.id)!;
      expect(now.state).toBe(WorkloadState.WORKLOAD_STATE_FAILED);
      expect(now.exit).toMatchObject({ exited: true, exitCode: 11 + i });
    }

    const laterEnded = await waitFor(
      'the workload that exits after the restart',
      async () => {
        const s = await second.client.getWorkload(later.spec!.id);
        return s.state === WorkloadState.WORKLOAD_STATE_FAILED ? s : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(laterEnded.exit?.exitCode).toBe(7);

    // Re-attached workloads are fully controllable: stop kills them.
    const stopped = await Promise.all(long.map((w) => second.client.stopWorkload(w.spec!.id, 1000)));
    for (const s of stopped) expect(s.state).toBe(WorkloadState.WORKLOAD_STATE_STOPPED);
    for (const w of long) expect(await isAlive(w.pid)).toBe(false);
  });

  it('reports a workload that ended just before the agent was killed with its exit code', async () => {
    // Its end is saved once starts pause (saveLater): killed right after, the agent may or may
    // not have written it; either way the restarted agent reports what the shim recorded.
    const first = await agentOn();
    const w = await first.client.startWorkload({ argv: ['sh', '-c', 'exit 23'], name: 'just-ended' });
    await waitFor(
      'the end seen by the first agent',
      async () => (await first.client.getWorkload(w.spec!.id)).state === WorkloadState.WORKLOAD_STATE_FAILED,
      { timeoutMs: 10_000, intervalMs: 2 },
    );
    await first.kill('SIGKILL');
    const second = await agentOn(first.dataDir);
    const now = await second.client.getWorkload(w.spec!.id);
    expect(now.state).toBe(WorkloadState.WORKLOAD_STATE_FAILED);
    expect(now.exit).toMatchObject({ exited: true, exitCode: 23 });
    expect(now.startedAtMs).toBeGreaterThan(0);
  });

  it('keeps counting a run limit across an agent restart', async () => {
    const first = await agentOn();
    const w = await first.client.startWorkload({ argv: ['sleep', '60'], timeoutMs: 2500, gracePeriodMs: 500 });
    await first.kill('SIGKILL');
    await sleep(500); // a planned absence: the limit keeps counting while no agent runs
    const second = await agentOn(first.dataDir);
    const restartedAtMs = Date.now();
    const ended = await waitFor(
      'timed out after the restart',
      async () => {
        const s = await second.client.getWorkload(w.spec!.id);
        return s.state === 'WORKLOAD_STATE_FAILED' ? s : undefined;
      },
      { timeoutMs: 15_000 },
    );
    expect(ended.reason).toMatch(/^timed out after 2\.5s/);
    // Counted from the original start, not from the restart: it ended before a whole limit had
    // passed since the restart (a bound relative to the restart, so a loaded machine moves both).
    expect(ended.exit!.finishedAtMs - w.startedAtMs).toBeGreaterThanOrEqual(2500);
    expect(ended.exit!.finishedAtMs).toBeLessThan(restartedAtMs + 2500);
    expect(await isAlive(w.pid)).toBe(false);
  });

  it('never signals a pid that was reused by an unrelated process', async () => {
    const first = await agentOn();
    const w = await first.client.startWorkload({ argv: ['sleep', '300'], name: 'victim' });
    await first.kill('SIGKILL');

    // The workload and its shim die without a trace (shim first, so no exit record is written) ...
    const shimPid = Number(readFileSync(`/proc/${w.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
    process.kill(shimPid, 'SIGKILL');
    process.kill(-w.pid, 'SIGKILL');
    await waitFor('the workload to die', async () => !(await isAlive(w.pid)));

    // ... and its pid now belongs to an unrelated process. Pid reuse cannot be forced, so point the
    // persisted record at a live unrelated process: same pid, different start time.
    const unrelated = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    strays.push(unrelated.pid!);
    // Both places that name the workload's pid: the agent's record (its handle may not have
    // reached disk before the SIGKILL) and the shim's own `started` file.
    const dir = join(first.dataDir, 'workloads', w.spec!.id);
    const record = JSON.parse(readFileSync(join(dir, 'workload.json'), 'utf8')) as { handle?: { pid: number } };
    if (record.handle) record.handle.pid = unrelated.pid!;
    writeFileSync(join(dir, 'workload.json'), JSON.stringify(record));
    const started = JSON.parse(readFileSync(join(dir, 'started'), 'utf8')) as { pid: number };
    expect(started.pid).toBe(w.pid);
    writeFileSync(join(dir, 'started'), JSON.stringify({ ...started, pid: unrelated.pid! }));

    const second = await agentOn(first.dataDir);
    const now = await second.client.getWorkload(w.spec!.id);
    expect(now.state).toBe(WorkloadState.WORKLOAD_STATE_LOST);
    expect(now.reason).toMatch(/vanished/);
    const stop = await second.client.stopWorkload(w.spec!.id, 100);
    expect(stop.state).toBe(WorkloadState.WORKLOAD_STATE_LOST);
    await sleep(200); // proves a negative: nothing signals the unrelated process meanwhile
    expect(await isAlive(unrelated.pid!)).toBe(true);
  });

  it('refuses to start a second agent on a data dir that a live agent holds', async () => {
    const first = await agentOn();
    await expect(startAgentProcess({ dataDir: first.dataDir, readyTimeoutMs: 5000 })).rejects.toThrow(
      /in use by another agent/,
    );
  });
});
