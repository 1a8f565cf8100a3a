// The built `mo` against a real scheduler and real agents: `mo logs -f` following a workload across
// its restarts, `--previous` and `--alloc` reading earlier allocations, colour on a terminal and
// none in a pipe, and the blame for a node that cannot be reached (exit 6 naming the node, never
// "cannot reach scheduler").
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { tmpdir } from 'node:os';
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
import { spawnSync } from 'node:child_process';

let cluster: Cluster;

function mo(...args: string[]): Promise<MoResult> {
  return runMo(args, { env: { MO_SCHEDULER_ADDR: cluster.scheduler.grpcAddress }, timeoutMs: 60_000 });
}

interface WorkloadJson {
  id: string;
  state: string;
  attempt: number;
  allocationId: string;
  previousAllocations: { allocationId: string; nodeName: string; attempt: number; state: string }[];
}

async function workload(id: string): Promise<WorkloadJson> {
  const r = await mo('status', id, '--json');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as WorkloadJson;
}

/**
 * Starts a workload that prints which run it is (a counter file) and fails, restarted twice. The
 * first run holds until `${dir}/go` exists (at most 60 s), so the test releases it only once
 * `mo logs -f` has printed its output: no race with a slow CLI start on a loaded machine.
 */
async function startFlaky(dir: string): Promise<string> {
  const r = await mo(
    'start',
    '--json',
    '--wait',
    '--node',
    'node-1',
    '--restart',
    'on-failure',
    '--max-restarts',
    '2',
    '--',
    'sh',
    '-c',
    `n=$(cat ${dir}/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${dir}/n; echo "run $n"; if [ $n = 1 ]; then i=0; while [ ! -e ${dir}/go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; fi; exit 1`,
  );
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { workload: { id: string } }).workload.id;
}

beforeAll(async () => {
  cluster = await startCluster({ agents: 2 });
});

afterAll(async () => {
  await cluster.stop();
});

describe('mo logs across restarts', () => {
  it('follows each next allocation after a restart, saying so in one stderr line each, and ends with the workload', async () => {
    const dir = await mkdtemp(`${tmpdir()}/mo-logs-restart-`);
    await chmod(dir, 0o777); // the workload may run as the agent's default (unprivileged) user
    const id = await startFlaky(dir);
    const follow = execa(process.execPath, [...CLI_NODE_FLAGS, CLI_BIN, 'logs', '-f', id], {
      env: { PATH: process.env.PATH, ...testCliEnv(), MO_SCHEDULER_ADDR: cluster.scheduler.grpcAddress },
      extendEnv: false,
      timeout: 60_000,
      reject: false,
      stripFinalNewline: false,
    });
    let seen = '';
    follow.stdout.on('data', (b: Buffer) => (seen += b.toString()));
    await waitFor('mo logs -f printing run 1', () => seen.includes('run 1\n'), { timeoutMs: 30_000 }).catch(
      (err: unknown) => {
        follow.kill();
        throw err;
      },
    );
    await writeFile(`${dir}/go`, '');
    const done = await follow;
    const r = { code: done.exitCode, stdout: done.stdout, stderr: done.stderr };
    const w = await workload(id);
    // One comparison, so a failure shows the output, the notices and the workload together.
    expect({ code: r.code, stdout: r.stdout, notices: r.stderr.split('\n').filter(Boolean), state: w.state }).toEqual({
      code: 0,
      stdout: 'run 1\nrun 2\nrun 3\n',
      notices: [
        expect.stringMatching(new RegExp(`^mo: ${id} restarted: following attempt 2 \\(allocation \\S+ on node-1\\)$`)),
        expect.stringMatching(new RegExp(`^mo: ${id} restarted: following attempt 3 \\(allocation \\S+ on node-1\\)$`)),
      ],
      state: 'WORKLOAD_STATE_FAILED',
    });

    // The earlier allocations: listed oldest first, readable by --previous and --alloc.
    expect(w.previousAllocations.map((a) => [a.attempt, a.nodeName, a.state])).toEqual([
      [1, 'node-1', 'WORKLOAD_STATE_FAILED'],
      [2, 'node-1', 'WORKLOAD_STATE_FAILED'],
    ]);
    expect((await mo('logs', id)).stdout).toBe('run 3\n');
    expect((await mo('logs', '--previous', id)).stdout).toBe('run 2\n');
    const first = await mo('logs', '--alloc', w.previousAllocations[0]!.allocationId, id);
    expect(first).toMatchObject({ code: 0, stdout: 'run 1\n' });
    const json = await mo('logs', '--json', '--previous', id);
    expect(JSON.parse(json.stdout)).toEqual({ stream: 'stdout', data: 'run 2\n' });
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses --previous of a workload that never restarted, and an allocation it never had, naming the field', async () => {
    const started = await mo('start', '--json', '--wait=exit', '--', 'echo', 'once');
    const id = (JSON.parse(started.stdout) as { workload: { id: string } }).workload.id;
    const prev = await mo('logs', '--previous', id);
    expect(prev.code).toBe(1);
    expect(prev.stderr).toMatch(/^mo: previous: no earlier allocation of workload .*never restarted/);
    const alloc = await mo('logs', '--alloc', '01NOSUCHALLOCATION', id);
    expect(alloc.code).toBe(1);
    expect(alloc.stderr).toMatch(
      /^mo: allocation_id: no allocation of workload \S+ "01NOSUCHALLOCATION" \(its allocations are \S+\)/,
    );
    const both = await mo('logs', '--previous', '--alloc', 'x', id);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('mo: --previous: cannot be combined with --alloc');
  });
});

const ESC = String.fromCharCode(27);
const GREEN_UP = `${ESC}[32mup${ESC}[0m`;

describe('colour', () => {
  /** `mo nodes` on a pseudo-terminal (util-linux `script`), as a person at a terminal runs it. */
  function onTerminal(env: Record<string, string> = {}): string {
    const r = spawnSync('script', ['-q', '-e', '-c', `${process.execPath} ${CLI_BIN} nodes`, '/dev/null'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ...testCliEnv(), MO_SCHEDULER_ADDR: cluster.scheduler.grpcAddress, ...env },
    });
    expect(r.status).toBe(0);
    return r.stdout;
  }

  it('paints states on a terminal, and not when NO_COLOR is set', () => {
    const node1 = onTerminal()
      .split('\n')
      .find((l) => l.startsWith('node-1'));
    expect(node1).toContain(` ${GREEN_UP} `);
    const plain = onTerminal({ NO_COLOR: '1' });
    expect(plain).toMatch(/^node-1\s+up\s+eligible\s+127\.0\.0\.1/m);
    expect(plain).not.toContain(ESC);
  });

  it('writes no colour into a pipe, unless FORCE_COLOR asks', async () => {
    const piped = await mo('nodes');
    expect(piped.stdout).toMatch(/^node-1\s+up\s/m);
    expect(piped.stdout).not.toContain(ESC);
    const forced = await runMo(['nodes'], {
      env: { MO_SCHEDULER_ADDR: cluster.scheduler.grpcAddress, FORCE_COLOR: '1' },
    });
    expect(forced.stdout).toContain(GREEN_UP);
  });
});

describe('blame for a node that cannot be reached', () => {
  it('exits 6 naming the node, not the scheduler, when the node holding the logs is gone', async () => {
    const started = await mo('start', '--json', '--wait', '--node', 'node-2', '--', 'sleep', '30');
    expect(started.code).toBe(0);
    const id = (JSON.parse(started.stdout) as { workload: { id: string } }).workload.id;
    await cluster.agents[1]!.kill('SIGKILL');
    // Whether the scheduler has yet marked it down (then it says so) or still dials it (and fails).
    const r = await mo('logs', id);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/^mo: node node-2 is unreachable at 127\.0\.0\.1:\d+: /);
    expect(r.stderr).not.toMatch(/cannot reach scheduler|Resolution note|No connection established/);
    const json = await mo('logs', '--json', id);
    expect(json.code).toBe(6);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'UNAVAILABLE', message: expect.stringMatching(/^node node-2 is unreachable/) },
    });
    // Once the scheduler marks it down, still the node's fault.
    await waitFor('node-2 down', async () => /^node-2\s+down/m.test((await mo('nodes')).stdout), {
      timeoutMs: 30_000,
      intervalMs: 500,
    });
    const down = await mo('logs', id);
    expect(down.code).toBe(6);
    expect(down.stderr).toMatch(
      /^mo: node node-2 is unreachable at \S+: it is down; the logs of workload \S+ are on it/,
    );
    await cluster.restartAgent(1);
    await cluster.waitForNodesUp(2);
    await mo('stop', id);
  });
});
