// A full agent disk loses no exit code: the agent's data dir is a small tmpfs, filled to the last
// byte while workloads run; they end while it is full (seen by the agent, while the agent is
// SIGKILLed, and after it restarted on the full disk), each with its own exit code. A start on
// the full disk is refused with UNAVAILABLE and leaves nothing behind.
import { afterAll, describe, expect, it } from '@jest/globals';
import { WorkloadState, type WorkloadStatus__Output } from '@mo/api';
import {
  canMountTmpfs,
  mountTmpfs,
  requireTool,
  startAgentProcess,
  waitFor,
  type AgentProcess,
  type Tmpfs,
} from '@mo/testkit';
import * as grpc from '@grpc/grpc-js';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const agents: AgentProcess[] = [];
const gates: Gate[] = [];
const cleanups: Array<() => Promise<void> | void> = [];

afterAll(async () => {
  for (const a of agents) await a.kill('SIGKILL');
  for (const g of gates) g.open(); // workloads still waiting exit, so the tmpfs is not busy
  for (const c of cleanups.reverse()) await c();
});

/**
 * Workloads wait on a shared flock of a file the test holds exclusively (outside the tmpfs):
 * opening the gate (killing the holder) lets them all go at once, without any polling.
 */
interface Gate {
  readonly path: string;
  open(): void;
}

async function closedGate(dir: string, name: string): Promise<Gate> {
  const path = join(dir, name);
  const holder: ChildProcess = spawn('flock', ['-x', path, '-c', 'echo held; exec sleep 600'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    holder.stdout!.once('data', () => resolve());
    holder.once('exit', (code) => reject(new Error(`flock exited ${code}`)));
  });
  const gate = {
    path,
    open() {
      try {
        process.kill(-holder.pid!, 'SIGKILL');
      } catch {
        // open already
      }
    },
  };
  gates.push(gate);
  return gate;
}

/** Waits at the gate, prints a line (to a log the full disk cannot take), exits with code. */
function gated(gate: Gate, code: number): string[] {
  return ['sh', '-c', `flock -s ${gate.path} true; echo "exit ${code} after the gate"; exit ${code}`];
}

function byId(list: WorkloadStatus__Output[]): Map<string, WorkloadStatus__Output> {
  return new Map(list.map((w) => [w.spec!.id, w]));
}

/** The exit code each workload is reported with, or why there is none. */
function exitCodes(agent: AgentProcess, ids: Map<string, number>) {
  return async (): Promise<Map<string, number | string>> => {
    const status = byId((await agent.client.getNodeStatus()).workloads);
    const out = new Map<string, number | string>();
    for (const id of ids.keys()) {
      const w = status.get(id);
      out.set(id, w?.exit?.exited ? w.exit.exitCode : `${w?.state ?? 'unknown to the agent'}: ${w?.reason}`);
    }
    return out;
  };
}

describe('a full agent disk', () => {
  it('loses no exit code, live, while the agent is down and after it restarts on the full disk', async () => {
    if (!requireTool(canMountTmpfs(), 'root (to mount a tmpfs)')) return;
    if (!requireTool(spawnSync('flock', ['-V']).status === 0, 'flock (util-linux)')) return;
    const scratch = mkdtempSync(join(tmpdir(), `mo-full-disk-${process.pid}-`));
    chmodSync(scratch, 0o711); // the workloads (nobody) take the gates' locks in it
    cleanups.push(() => rmSync(scratch, { recursive: true, force: true }));
    const disk: Tmpfs = mountTmpfs('mo-full-disk', 16 * 2 ** 20);
    cleanups.push(() => disk.unmount());
    const dataDir = join(disk.dir, 'agent');

    const first = await startAgentProcess({ dataDir, extraArgs: ['--log-max-bytes', '65536'] });
    agents.push(first);
    // Three groups, each ending at another moment: A while the agent runs, B while it is down,
    // C after it restarted. 48 starts at once: more than the 32 spare dirs, so some workloads
    // get a directory made on the spot and their shim reserves its exit record itself.
    const gateA = await closedGate(scratch, 'gate-a');
    const gateB = await closedGate(scratch, 'gate-b');
    const gateC = await closedGate(scratch, 'gate-c');
    const groups: Array<[Gate, number[]]> = [
      [gateA, range(1, 16)],
      [gateB, range(17, 32)],
      [gateC, range(33, 48)],
    ];
    const expected = new Map<string, number>();
    const group = new Map<Gate, Map<string, number>>();
    await Promise.all(
      groups.map(async ([gate, codes]) => {
        const ids = new Map<string, number>();
        const started = await first.client.startWorkloads(codes.map((code) => ({ argv: gated(gate, code) })));
        started.forEach((w, i) => {
          if (w instanceof Error) throw w;
          ids.set(w.spec!.id, codes[i]!);
          expected.set(w.spec!.id, codes[i]!);
        });
        group.set(gate, ids);
      }),
    );
    await waitFor('every workload running', async () =>
      (await first.client.getNodeStatus()).workloads.every((w) => w.state === WorkloadState.WORKLOAD_STATE_RUNNING),
    );

    const filled = disk.fill();
    expect(filled).toBeGreaterThan(0);
    expect(disk.freeBytes()).toBe(0);

    // A: they end while the agent runs.
    gateA.open();
    const seenA = await waitFor('group A reported', async () => {
      const codes = await exitCodes(first, group.get(gateA)!)();
      return (
        [...codes.values()].every((c) => typeof c === 'number' || !c.startsWith('WORKLOAD_STATE_RUNNING')) && codes
      );
    });
    expect(seenA).toEqual(group.get(gateA));

    // A start now has no room for its record: refused, nothing left behind.
    const refusedId = `full-disk-refused-${process.pid}`;
    const refused = await first.client.startWorkload({ id: refusedId, argv: ['true'] }).then(
      () => undefined,
      (err: unknown) => err as { code: number; message: string },
    );
    expect(refused?.code).toBe(grpc.status.UNAVAILABLE);
    expect(refused?.message).toMatch(/data dir .*\/agent\/workloads is full \(ENOSPC/);
    expect(existsSync(join(dataDir, 'workloads', refusedId))).toBe(false);

    // B: they end while no agent runs (the shims record it), on the full disk.
    await first.kill('SIGKILL');
    gateB.open();
    await waitFor('the shims of group B recorded their exits', () =>
      [...group.get(gateB)!.keys()].every((id) => existsSync(join(dataDir, 'workloads', id, 'exit'))),
    );

    // The agent restarts on the still full disk, re-attaches C and reports A and B from the shims.
    expect(disk.freeBytes()).toBe(0);
    const second = await startAgentProcess({ dataDir, extraArgs: ['--log-max-bytes', '65536'] });
    agents.push(second);
    const afterRestart = await exitCodes(second, expected)();
    for (const [id, code] of [...group.get(gateA)!, ...group.get(gateB)!]) expect(afterRestart.get(id)).toBe(code);
    for (const id of group.get(gateC)!.keys())
      expect(afterRestart.get(id)).toMatch(/^WORKLOAD_STATE_RUNNING: re-attached/);

    // C: they end after the restart, still on the full disk.
    gateC.open();
    const all = await waitFor('group C reported', async () => {
      const codes = await exitCodes(second, expected)();
      return [...group.get(gateC)!.keys()].every((id) => typeof codes.get(id) === 'number') && codes;
    });
    expect(all).toEqual(expected); // 48 of 48: not one exit code lost
    const failed = (await second.client.getNodeStatus()).workloads.filter((w) => expected.has(w.spec!.id));
    for (const w of failed) expect(w.state).toBe(WorkloadState.WORKLOAD_STATE_FAILED);

    // Space again: the records the agent could not save are written, and starts work again.
    disk.unfill();
    await waitFor(
      'every record saved once there is room',
      () =>
        [...expected].every(([id]) => {
          const r = JSON.parse(readFileSync(join(dataDir, 'workloads', id, 'workload.json'), 'utf8')) as {
            state: string;
            exit?: { exitCode?: number };
          };
          return r.state === 'failed' && r.exit?.exitCode === expected.get(id);
        }),
      { timeoutMs: 40_000, intervalMs: 200 },
    );
    const again = await second.client.startWorkload({ argv: ['sh', '-c', 'exit 3'] });
    await waitFor('the start after the disk had room again', async () => {
      const w = await second.client.getWorkload(again.spec!.id);
      return w.exit?.exited && w.exit.exitCode === 3;
    });
    expect(readdirSync(join(dataDir, 'workloads'))).not.toContain(refusedId);
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
