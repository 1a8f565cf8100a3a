// The mount-swap attack of issue 13, against a real agent and a real Docker engine: an unprivileged
// user who owns a directory on a mount source's path swaps it for a symlink to / while workloads
// start, hoping Docker resolves the path after the agent checked it and mounts the host's /etc.
// 40 starts race the swap; none may see the host's /etc (before the fix, 14 of 30 did).
// Needs root (to be the agent, and to run the attacker as nobody), python3, docker.io and mo-sandbox:latest.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MoError, WorkloadState, type WorkloadSpec } from '@mo/api';
import {
  dockerReady,
  removeContainersOfNode,
  requireTool,
  startAgentProcess,
  waitFor,
  type AgentProcess,
} from '@mo/testkit';
import * as grpc from '@grpc/grpc-js';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lchownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

const ready = requireTool(
  process.getuid?.() === 0 && existsSync('/usr/bin/python3') && dockerReady(),
  'root, /usr/bin/python3 (the attacker) and a Docker engine with mo-sandbox:latest (docker.io; deploy/sandbox/build.sh)',
);
const suite = ready ? describe : describe.skip;
// An unprivileged local user.
const ATTACKER = 65534;
const TRIES = 40;

// Swaps play/d, a real directory (holding etc/legit), with play/d.sym, a symlink to /, atomically
// (renameat2 RENAME_EXCHANGE: the path always exists, half the time through the symlink) as fast as
// it can, until killed or its own deadline passes (so it never outlives a test that died).
const SWAPPER = `
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
d = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    if libc.renameat2(d, b'd', d, b'd.sym', 2) != 0:
        sys.exit('renameat2: ' + os.strerror(ctypes.get_errno()))
`;

suite('a docker mount source swapped while workloads start', () => {
  let base: string;
  let play: string;
  let agent: AgentProcess;
  let swapper: ChildProcess | undefined;

  beforeAll(async () => {
    // base is root's, in the sticky, world-writable /tmp itself (not the test run's private TMPDIR:
    // the attacker must reach it); play is the attacker's own directory.
    base = mkdtempSync(`/tmp/mo-mount-swap-${process.pid}-`);
    chmodSync(base, 0o755);
    play = join(base, 'play');
    mkdirSync(join(play, 'd', 'etc'), { recursive: true });
    writeFileSync(join(play, 'd', 'etc', 'legit'), 'legit\n');
    symlinkSync('/', join(play, 'd.sym'));
    for (const p of [play, join(play, 'd'), join(play, 'd', 'etc'), join(play, 'd', 'etc', 'legit')]) {
      chownSync(p, ATTACKER, ATTACKER);
    }
    lchownSync(join(play, 'd.sym'), ATTACKER, ATTACKER); // lchown: chown would follow it to /
    // /tmp as a mount root, as the agent's old default had it.
    agent = await startAgentProcess({ extraArgs: ['--docker-mount-root', '/tmp'] });
  });

  afterAll(async () => {
    swapper?.kill('SIGKILL');
    if (agent) {
      await agent.kill('SIGKILL');
      removeContainersOfNode(readFileSync(join(agent.dataDir, 'node-id'), 'utf8').trim());
    }
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it(`never mounts the host's /etc into a sandbox in ${TRIES} starts`, async () => {
    swapper = spawn('/usr/bin/python3', ['-c', SWAPPER, play, '120'], {
      uid: ATTACKER,
      gid: ATTACKER,
      stdio: 'ignore',
    });
    const source = join(play, 'd', 'etc');
    // The attack is on: the path is seen swapped before the first start.
    await waitFor('the swapper to swap', () => realpathOrNot(source) !== source, { timeoutMs: 10_000, intervalMs: 1 });
    const started: string[] = [];
    const refusals: string[] = [];
    for (let i = 0; i < TRIES; i++) {
      const spec: WorkloadSpec = {
        argv: ['sh', '-c', 'ls /m'],
        driver: 'docker',
        docker: { image: 'mo-sandbox:latest', mounts: [{ source, target: '/m', readOnly: true }] },
      };
      try {
        started.push((await agent.client.startWorkload(spec)).spec!.id);
      } catch (err) {
        expect(err).toBeInstanceOf(MoError);
        expect((err as MoError).code).toBe(grpc.status.INVALID_ARGUMENT);
        refusals.push((err as MoError).message);
      }
    }
    swapper.kill('SIGKILL');

    const seen = { hostEtc: 0, legit: 0, other: 0 };
    for (const id of started) {
      await waitFor(
        `workload ${id} to end`,
        async () => {
          const w = await agent.client.getWorkload(id);
          return w.state !== WorkloadState.WORKLOAD_STATE_RUNNING && w.state !== WorkloadState.WORKLOAD_STATE_STARTING;
        },
        { timeoutMs: 30_000, intervalMs: 50 },
      );
      let out = '';
      try {
        out = readFileSync(join(agent.dataDir, 'workloads', id, 'stdout.log'), 'utf8');
      } catch {
        // no output
      }
      if (/\bpasswd\b/.test(out)) seen.hostEtc++;
      else if (out === 'legit\n') seen.legit++;
      else seen.other++;
    }
    expect({ started: started.length, ...seen }).toEqual({ started: 0, hostEtc: 0, legit: 0, other: 0 });
    // Every start is refused by name; those that found the path in place are refused for its owner.
    for (const m of refusals) expect(m).toMatch(/^spec\.docker\.mounts\[0\]\.source: /);
    expect(refusals.filter((m) => m.includes(`owned by uid ${ATTACKER}`)).length).toBeGreaterThan(0);
  }, 180_000);
});

function realpathOrNot(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}
