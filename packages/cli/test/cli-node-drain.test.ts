// The built `mo` against a real scheduler and 2 agents: `mo node drain` (--detach, following until
// drained and printing what moves, --cancel, --json), `mo node eligibility --enable|--disable`
// (refused while the node drains) and `mo nodes` showing eligibility and the drain.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CLI_BIN,
  CLI_NODE_FLAGS,
  runMo,
  startCluster,
  testCliEnv,
  waitFor,
  type Cluster,
  type MoResult,
} from '@mo/testkit';
import { spawn } from 'node:child_process';
import { once } from 'node:events';

let cluster: Cluster;

function mo(...args: string[]): Promise<MoResult> {
  return runMo(args, { env: { MO_SCHEDULER_ADDR: cluster.scheduler.grpcAddress }, timeoutMs: 60_000 });
}

interface NodeJson {
  name: string;
  eligible: boolean;
  drain: { state: string; servicesLeft: number; batchLeft: number; workloadsLeft: number } | null;
}

async function nodeJson(name: string): Promise<NodeJson> {
  const r = await mo('nodes', '--json');
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { nodes: NodeJson[] }).nodes.find((n) => n.name === name)!;
}

/** A sleeper with a restart policy; its id. */
async function sleeper(...flags: string[]): Promise<string> {
  const r = await mo('start', '--json', '--wait', '--restart', 'on-failure', ...flags, '--', 'sleep', '600');
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { workload: { id: string } }).workload.id;
}

beforeAll(async () => {
  cluster = await startCluster({ agents: 2 });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

describe('mo node drain and eligibility', () => {
  it('refuses to enable a draining node, cancels a drain, and shows both in mo nodes', async () => {
    // Pinned to node-1: it cannot move, so the drain stays on while the test looks at it.
    const pinned = await sleeper('--node', 'node-1');
    const r = await mo('node', 'drain', 'node-1', '--detach');
    expect(r).toMatchObject({ code: 0, stdout: expect.stringMatching(/^node node-1: draining, .*deadline in 5\dm/) });
    await waitFor('node-1 counting its workload', async () => (await nodeJson('node-1')).drain?.workloadsLeft === 1);
    const table = await mo('nodes');
    expect(table.stdout).toMatch(/\nnode-1\s+up\s+draining\s/);
    expect(table.stdout).toMatch(/\n {2}node-1: draining, 1 workload left, deadline in /);

    const refused = await mo('node', 'eligibility', 'node-1', '--enable');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('node node-1 is draining: cancel the drain');

    const cancel = await mo('node', 'drain', 'node-1', '--cancel');
    expect(cancel).toMatchObject({ code: 0, stdout: 'node node-1: drain cancelled, eligible\n' });
    expect(await nodeJson('node-1')).toMatchObject({ eligible: true, drain: null });
    expect(await mo('stop', pinned)).toMatchObject({ code: 0 });
  });

  it('follows a drain until it is done, printing what moves, and leaves the node ineligible until enabled', async () => {
    // The sleeper lands on node-2: node-1 takes nothing meanwhile.
    expect(await mo('node', 'eligibility', 'node-1', '--disable')).toMatchObject({
      code: 0,
      stdout: 'node node-1: ineligible\n',
    });
    const id = await sleeper();
    expect(await mo('node', 'eligibility', 'node-1', '--enable')).toMatchObject({ code: 0 });
    const r = await mo('node', 'drain', 'node-2', '--deadline', '1s');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^node node-2: draining, 1 workload left/);
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(`^ {2}moved ${id}: pending — draining node node-2: its deadline \\(1s\\) passed`),
      ),
    );
    expect(lines.at(-1)).toMatch(/^node node-2: drained in \S+, ineligible$/);
    const w = JSON.parse((await mo('status', id, '--json')).stdout) as { nodeName: string; state: string };
    expect(w.nodeName).toBe('node-1');

    const table = await mo('nodes');
    expect(table.stdout).toMatch(/\nnode-2\s+up\s+drained\s/);
    // Drained already: a drain again is a new one, done at once (nothing there), as JSON.
    const again = await mo('node', 'drain', 'node-2', '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      node: { name: 'node-2', drain: { state: 'NODE_DRAIN_STATE_DRAINED' } },
    });
    expect(await mo('node', 'eligibility', 'node-2', '--enable')).toMatchObject({
      code: 0,
      stdout: 'node node-2: eligible\n',
    });
    expect(await nodeJson('node-2')).toMatchObject({ eligible: true, drain: null });
    expect(await mo('stop', id)).toMatchObject({ code: 0 });
  });

  it('stops following on Ctrl-C and leaves the drain running', async () => {
    const pinned = await sleeper('--node', 'node-1');
    const child = spawn(process.execPath, [...CLI_NODE_FLAGS, CLI_BIN, 'node', 'drain', 'node-1'], {
      env: { PATH: process.env.PATH, ...testCliEnv(), MO_SCHEDULER_ADDR: cluster.scheduler.grpcAddress },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = once(child, 'exit');
    try {
      await waitFor('the first progress line', () => stdout.includes('node node-1: draining'));
      child.kill('SIGINT');
      const [code] = (await exited) as [number | null];
      expect({ code, stderr }).toEqual({
        code: 0,
        stderr:
          'stopped following; the drain of node-1 goes on (mo nodes shows it, mo node drain node-1 --cancel ends it)\n',
      });
      expect((await nodeJson('node-1')).drain?.state).toBe('NODE_DRAIN_STATE_DRAINING');
    } finally {
      child.kill('SIGKILL');
      await mo('node', 'drain', 'node-1', '--cancel');
      await mo('stop', pinned);
    }
  });

  it.each([
    [['node', 'eligibility', 'node-1'], '--enable: give one of --enable or --disable'],
    [['node', 'drain', 'node-1', '--deadline', '10'], '--deadline: "10" has no unit'],
    [['node', 'drain', 'node-1', '--cancel', '--force'], '--cancel: cannot be combined with --force or --deadline'],
  ])('refuses mo %j (exit 2)', async (args, message) => {
    const r = await mo(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('names an unknown node (exit 1)', async () => {
    const r = await mo('node', 'drain', 'no-such-node', '--detach');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no-such-node');
  });
});
