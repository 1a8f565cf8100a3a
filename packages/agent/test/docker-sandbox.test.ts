// Docker sandboxes through a real agent process and a real engine: the limits are enforced (memory,
// pids, network, read-only root), ports are published and released, logs land in the workload's
// files, stop honours the grace period, an agent crash loses nothing, orphans are removed, and bad
// input is refused by name. Needs docker.io and mo-sandbox:latest (deploy/sandbox/build.sh).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MoError, WorkloadState, type WorkloadSpec, type WorkloadStatus__Output } from '@mo/api';
import {
  dockerReady,
  removeContainersOfNode,
  requireTool,
  startAgentProcess,
  waitFor,
  type AgentProcess,
} from '@mo/testkit';
import * as grpc from '@grpc/grpc-js';
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';

const ready = requireTool(dockerReady(), 'a Docker engine with mo-sandbox:latest (docker.io; deploy/sandbox/build.sh)');
const suite = ready ? describe : describe.skip;
// A range of its own (tests run in parallel) with two ports, so exhaustion is quick to reach.
const PORTS = ['--docker-ports', '3951-3952'];
// Mounts from this run's temp dir (root's, 0700), writable ones too: both are off by default.
const MOUNTS = ['--docker-mount-root', tmpdir(), '--docker-allow-writable-mounts'];

const { RUNNING, FAILED, STOPPED, SUCCEEDED } = {
  RUNNING: WorkloadState.WORKLOAD_STATE_RUNNING,
  FAILED: WorkloadState.WORKLOAD_STATE_FAILED,
  STOPPED: WorkloadState.WORKLOAD_STATE_STOPPED,
  SUCCEEDED: WorkloadState.WORKLOAD_STATE_SUCCEEDED,
};

suite('docker sandboxes', () => {
  const agents: AgentProcess[] = [];
  let agent: AgentProcess;

  /** An agent with these flags (default: the shared port range and mount root). */
  async function newAgent(dataDir?: string, extraArgs = [...PORTS, ...MOUNTS]): Promise<AgentProcess> {
    const a = await startAgentProcess({ ...(dataDir ? { dataDir } : {}), extraArgs });
    agents.push(a);
    return a;
  }

  function nodeIdOf(a: AgentProcess): string {
    return readFileSync(join(a.dataDir, 'node-id'), 'utf8').trim();
  }

  function sandbox(argv: string[], extra: Partial<WorkloadSpec> = {}): WorkloadSpec {
    return { argv, driver: 'docker', ...extra, docker: { image: 'mo-sandbox:latest', ...extra.docker } };
  }

  async function ended(a: AgentProcess, id: string, timeoutMs = 20_000): Promise<WorkloadStatus__Output> {
    return waitFor(
      `workload ${id} to end`,
      async () => {
        const w = await a.client.getWorkload(id);
        return w.state !== RUNNING && w.state !== WorkloadState.WORKLOAD_STATE_STARTING ? w : undefined;
      },
      { timeoutMs, intervalMs: 50 },
    );
  }

  function logOf(a: AgentProcess, id: string, stream: 'stdout' | 'stderr' = 'stdout'): string {
    try {
      return readFileSync(join(a.dataDir, 'workloads', id, `${stream}.log`), 'utf8');
    } catch {
      return '';
    }
  }

  beforeAll(async () => {
    agent = await newAgent();
  });

  afterAll(async () => {
    for (const a of agents) {
      await a.kill('SIGKILL');
      removeContainersOfNode(nodeIdOf(a));
    }
  });

  it('offers the docker driver in its facts while the engine answers', async () => {
    const { facts } = await agent.client.getNodeStatus({ omitWorkloads: true });
    expect(facts?.dockerAvailable).toBe(true);
    expect(facts?.drivers).toEqual(expect.arrayContaining(['process', 'docker']));
  });

  it('reports a workload that allocates past its memory limit as failed, oom_killed', async () => {
    const w = await agent.client.startWorkload(
      sandbox(['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=128M', 'count=1'], {
        resources: { memoryBytes: 32 * 2 ** 20 },
      }),
    );
    const end = await ended(agent, w.spec!.id);
    expect(end.state).toBe(FAILED);
    expect(end.reason).toMatch(/^oom_killed/);
  });

  it('contains a fork bomb with the pids limit, and the host carries on', async () => {
    const bomb = await agent.client.startWorkload(
      sandbox(['sh', '-c', 'bomb() { bomb | bomb & }; bomb; sleep 300'], {
        resources: { cpuMillis: 200 },
        docker: { pidsLimit: 32 },
      }),
    );
    const containerId = readFileSync(join(agent.dataDir, 'workloads', bomb.spec!.id, 'container'), 'utf8').trim();
    // The bomb runs into the limit ("can't fork") and stays there.
    await waitFor(
      'the fork bomb to hit its limit',
      () => /can't fork|Resource temporarily/.test(logOf(agent, bomb.spec!.id, 'stderr')),
      {
        timeoutMs: 15_000,
      },
    );
    const pids = Number(
      execFileSync('docker', ['inspect', '-f', '{{.HostConfig.PidsLimit}}', containerId], { encoding: 'utf8' }),
    );
    expect(pids).toBe(32);
    const count = Number(
      execFileSync('docker', ['stats', '--no-stream', '--format', '{{.PIDs}}', containerId], { encoding: 'utf8' }),
    );
    expect(count).toBeLessThanOrEqual(32);
    // The host is fine: the agent answers and a process workload runs to completion.
    const probe = await agent.client.startWorkload({ argv: ['sh', '-c', 'echo host-ok'] });
    expect((await ended(agent, probe.spec!.id)).state).toBe(SUCCEEDED);
    const stopped = await agent.client.stopWorkload(bomb.spec!.id, 1000);
    expect(stopped.state).toBe(STOPPED);
  });

  it('keeps a network-none sandbox off every other listener, while bridge reaches the host', async () => {
    const server = net.createServer((s) => s.end('hello\n'));
    await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
    const port = (server.address() as net.AddressInfo).port;
    // Every address of this host, and from inside, the default gateway (the host's side of the bridge).
    const hostIps = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i?.family === 'IPv4')
      .map((i) => i!.address);
    const probe = (network: string) =>
      sandbox(
        [
          'sh',
          '-c',
          `gw=$(ip route | awk '/^default/ {print $3}'); for h in ${hostIps.join(' ')} $gw; do ` +
            `if nc -w 2 $h ${port} </dev/null | grep -q hello; then echo reached $h; fi; done; echo done`,
        ],
        { docker: { network } },
      );
    try {
      const [none, bridge] = await Promise.all([
        agent.client.startWorkload(probe('none')),
        agent.client.startWorkload(probe('bridge')),
      ]);
      await Promise.all([ended(agent, none.spec!.id), ended(agent, bridge.spec!.id)]);
      expect(logOf(agent, none.spec!.id)).toBe('done\n');
      // The control: the same probe on the bridge reaches the host, so "none" is what stopped it.
      expect(logOf(agent, bridge.spec!.id)).toMatch(/^reached /m);
    } finally {
      server.close();
    }
  });

  it('refuses writes to the read-only root while /tmp works, and relaxes it on request', async () => {
    const script = 'touch /root-file && echo root-ok; touch /tmp/f && echo tmp-ok';
    // Only the image's root may write in its / at all: that workload runs as root, allowed there.
    const rootAllowed = await newAgent(undefined, [...PORTS, ...MOUNTS, '--allowed-users', 'root']);
    const [ro, rw] = await Promise.all([
      agent.client.startWorkload(sandbox(['sh', '-c', script])),
      rootAllowed.client.startWorkload(sandbox(['sh', '-c', script], { user: 'root', docker: { writableRoot: true } })),
    ]);
    await Promise.all([ended(agent, ro.spec!.id), ended(rootAllowed, rw.spec!.id)]);
    expect(logOf(agent, ro.spec!.id)).toBe('tmp-ok\n');
    expect(logOf(agent, ro.spec!.id, 'stderr')).toContain('Read-only file system');
    expect(logOf(rootAllowed, rw.spec!.id)).toBe('root-ok\ntmp-ok\n');
  });

  it('reports a sandbox that outlives its run limit as failed, timed out, like a process', async () => {
    const w = await agent.client.startWorkload(sandbox(['sleep', '30'], { timeoutMs: 500, gracePeriodMs: 1000 }));
    const end = await ended(agent, w.spec!.id);
    expect(end.state).toBe(FAILED);
    expect(end.reason).toMatch(/^timed out after 500ms \(/);
  });

  it('drops every capability and sets no-new-privileges, and gives back only what the agent allows', async () => {
    // /proc/self/status: CapEff is the effective capability mask, NoNewPrivs the flag.
    const script = "grep -E '^(CapEff|NoNewPrivs):' /proc/self/status";
    const strict = await newAgent();
    const relaxed = await newAgent(undefined, [
      ...PORTS,
      ...MOUNTS,
      '--docker-allow-caps',
      'NET_BIND_SERVICE,chown',
      '--allowed-users',
      'root',
    ]);
    const def = await strict.client.startWorkload(sandbox(['sh', '-c', script]));
    // Capabilities given back are root's in the container (a user other than root gets none).
    const more = await relaxed.client.startWorkload(
      sandbox(['sh', '-c', script], {
        user: 'root',
        docker: { capAdd: ['net_bind_service', 'CAP_CHOWN'], allowNewPrivileges: true },
      }),
    );
    await Promise.all([ended(strict, def.spec!.id), ended(relaxed, more.spec!.id)]);
    expect(logOf(strict, def.spec!.id)).toBe('CapEff:\t0000000000000000\nNoNewPrivs:\t1\n');
    // CAP_CHOWN is bit 0, CAP_NET_BIND_SERVICE bit 10: 0x401.
    expect(logOf(relaxed, more.spec!.id)).toBe('CapEff:\t0000000000000401\nNoNewPrivs:\t0\n');

    const refused = await strict.client
      .startWorkload(sandbox(['true'], { docker: { capAdd: ['SYS_ADMIN'] } }))
      .catch((e: unknown) => e as MoError);
    expect((refused as MoError).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((refused as MoError).message).toMatch(/^spec\.docker\.cap_add\[0\]: SYS_ADMIN is not allowed by this agent/);
    const denied = await startAgentProcess({ extraArgs: [...PORTS, '--docker-deny', 'new-privileges'] });
    agents.push(denied);
    const noPriv = await denied.client
      .startWorkload(sandbox(['true'], { docker: { allowNewPrivileges: true } }))
      .catch((e: unknown) => e as MoError);
    expect((noPriv as MoError).message).toMatch(/^spec\.docker\.allow_new_privileges: is not allowed/);
  });

  it('publishes a container port on a host port from the range, releases it on stop, and says when the range is full', async () => {
    const web = await agent.client.startWorkload(
      sandbox(['sh', '-c', 'echo hello-from-sandbox > /tmp/index.html; exec httpd -f -p 3000 -h /tmp'], {
        docker: { network: 'bridge', ports: [3000] },
      }),
    );
    expect(web.ports).toHaveLength(1);
    const mapping = web.ports[0]!;
    expect(mapping.containerPort).toBe(3000);
    expect([3951, 3952]).toContain(mapping.hostPort);
    expect((await agent.client.getWorkload(web.spec!.id)).ports).toEqual(web.ports);
    const body = await waitFor('the published port to answer', () =>
      httpGet(`http://127.0.0.1:${mapping.hostPort}/index.html`),
    );
    expect(body).toBe('hello-from-sandbox\n');

    // One port left in the range: two more cannot be had, and the error says so at once.
    const t0 = Date.now();
    const full = await agent.client
      .startWorkload(sandbox(['sleep', '1'], { docker: { network: 'bridge', ports: [80, 81] } }))
      .catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(full).toBeInstanceOf(MoError);
    expect((full as MoError).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect((full as MoError).message).toMatch(/no free host port in 3951-3952/);

    const stopped = await agent.client.stopWorkload(web.spec!.id, 2000);
    expect(stopped.state).toBe(STOPPED);
    expect(stopped.ports).toEqual([]);
    // Released: both ports can be had again.
    const both = await agent.client.startWorkload(
      sandbox(['sleep', '30'], { docker: { network: 'bridge', ports: [80, 81] } }),
    );
    expect(both.ports.map((p) => p.hostPort).sort()).toEqual([3951, 3952]);
    await agent.client.stopWorkload(both.spec!.id, 100);
  });

  it('stops with SIGTERM, and with SIGKILL once the grace period is over', async () => {
    const polite = await agent.client.startWorkload(sandbox(['sleep', '300']));
    const stubborn = await agent.client.startWorkload(
      sandbox(['sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 1; done']),
    );
    await waitFor('the trap', () => logOf(agent, stubborn.spec!.id).includes('ready'));
    let t0 = Date.now();
    const a = await agent.client.stopWorkload(polite.spec!.id, 5000);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(a.state).toBe(STOPPED);
    expect(a.exit?.signal).toBe('SIGTERM');
    t0 = Date.now();
    const b = await agent.client.stopWorkload(stubborn.spec!.id, 700);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(650);
    expect(took).toBeLessThan(5000);
    expect(b.exit?.signal).toBe('SIGKILL');
    // The container is removed once its exit and logs are collected.
    const left = execFileSync('docker', ['ps', '-aq', '--filter', `label=mo.allocation=${stubborn.spec!.id}`], {
      encoding: 'utf8',
    });
    expect(left.trim()).toBe('');
  });

  it('copies stdout and stderr into the workload log files, readable and followable through the API', async () => {
    const w = await agent.client.startWorkload(
      sandbox(['sh', '-c', 'echo out-1; echo err-1 >&2; sleep 0.5; echo out-2; exit 3']),
    );
    const chunks: string[] = [];
    for await (const chunk of agent.client.streamLogs({
      workloadId: w.spec!.id,
      follow: true,
      stream: 'LOG_STREAM_STDOUT',
    })) {
      chunks.push(Buffer.from(chunk.data).toString());
    }
    expect(chunks.join('')).toBe('out-1\nout-2\n');
    const end = await ended(agent, w.spec!.id);
    expect(end.state).toBe(FAILED);
    expect(end.exit?.exitCode).toBe(3);
    expect(logOf(agent, w.spec!.id, 'stderr')).toBe('err-1\n');
  });

  it('re-attaches a running container after an agent SIGKILL and reports one that exited meanwhile with its code', async () => {
    const first = await newAgent();
    const long = await first.client.startWorkload(sandbox(['sh', '-c', 'echo before; sleep 300']));
    const short = await first.client.startWorkload(sandbox(['sh', '-c', 'echo bye; sleep 1; exit 7']));
    await first.kill('SIGKILL');
    // The short one exits while no agent is there.
    await waitFor(
      'the short container to exit',
      () =>
        execFileSync(
          'docker',
          ['ps', '-aq', '--filter', `label=mo.allocation=${short.spec!.id}`, '--filter', 'status=exited'],
          { encoding: 'utf8' },
        ).trim() !== '',
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    const second = await newAgent(first.dataDir);
    const a = await second.client.getWorkload(long.spec!.id);
    expect(a.state).toBe(RUNNING);
    expect(a.reason).toBe('re-attached after agent restart');
    const b = await ended(second, short.spec!.id);
    expect(b.state).toBe(FAILED);
    expect(b.exit?.exitCode).toBe(7);
    expect(logOf(second, short.spec!.id)).toBe('bye\n');
    const stopped = await second.client.stopWorkload(long.spec!.id, 1000);
    expect(stopped.state).toBe(STOPPED);
    expect(logOf(second, long.spec!.id)).toBe('before\n');
  });

  it('removes, on start-up, containers labelled as its own that it does not know', async () => {
    const a = await newAgent();
    const nodeId = nodeIdOf(a);
    await a.kill('SIGTERM');
    const orphan = execFileSync(
      'docker',
      [
        'run',
        '-d',
        '--label',
        `mo.node-id=${nodeId}`,
        '--label',
        'mo.allocation=not-known',
        'mo-sandbox:latest',
        'sleep',
        '300',
      ],
      { encoding: 'utf8' },
    ).trim();
    // Someone else's container (another node id) is left alone.
    const foreign = execFileSync(
      'docker',
      ['run', '-d', '--label', 'mo.node-id=someone-else', 'mo-sandbox:latest', 'sleep', '300'],
      { encoding: 'utf8' },
    ).trim();
    try {
      await newAgent(a.dataDir);
      const left = execFileSync('docker', ['ps', '-aq', '--no-trunc'], { encoding: 'utf8' });
      expect(left).not.toContain(orphan);
      expect(left).toContain(foreign);
    } finally {
      execFileSync('docker', ['rm', '-f', foreign], { stdio: 'ignore' });
    }
  });

  it.each<[string, WorkloadSpec, RegExp]>([
    [
      'an image that is absent and cannot be pulled',
      { docker: { image: 'mo-no-such-image:never' } },
      /spec\.docker\.image: image "mo-no-such-image:never" is not on this node and could not be pulled/,
    ],
    [
      'a relative mount path',
      { docker: { mounts: [{ source: 'src', target: '/work' }] } },
      /spec\.docker\.mounts\[0\]\.source: must be absolute/,
    ],
    [
      'a mount source that does not exist',
      { docker: { mounts: [{ source: '/tmp/mo-no-such-dir', target: '/work' }] } },
      /does not exist on this node/,
    ],
    [
      'a mount source outside the allowed roots',
      { docker: { mounts: [{ source: '/etc', target: '/x' }] } },
      /is not under a directory this agent allows/,
    ],
    [
      'a mount onto /',
      { docker: { mounts: [{ source: tmpdir(), target: '/' }] } },
      /spec\.docker\.mounts\[0\]\.target/,
    ],
    [
      'a port out of range',
      { docker: { network: 'bridge', ports: [70000] } },
      /spec\.docker\.ports\[0\]: must be a TCP port 1-65535/,
    ],
    ['a port without a network', { docker: { ports: [3000] } }, /needs network bridge/],
    ['an unknown network', { docker: { network: 'host' } }, /spec\.docker\.network: must be none or bridge/],
    ['a negative memory limit', { resources: { memoryBytes: -1 } }, /spec\.resources\.memory_bytes/],
    ['a negative pids limit', { docker: { pidsLimit: -5 } }, /spec\.docker\.pids_limit/],
    ['a pids limit above the agent maximum', { docker: { pidsLimit: 100_000 } }, /at most 4096/],
  ])('refuses %s with INVALID_ARGUMENT naming the field', async (_, extra, message) => {
    const spec = sandbox(['true'], extra);
    const err = await agent.client.startWorkload(spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MoError);
    expect((err as MoError).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((err as MoError).message).toMatch(message);
  });

  it('refuses every mount, by name, on an agent that names no mount root (the default)', async () => {
    const plain = await newAgent(undefined, []);
    const err = await plain.client
      .startWorkload(sandbox(['true'], { docker: { mounts: [{ source: tmpdir(), target: '/m', readOnly: true }] } }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MoError);
    expect((err as MoError).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((err as MoError).message).toBe(
      "spec.docker.mounts[0]: mounts are not allowed by this agent's configuration (it names no --docker-mount-root)",
    );
  });

  it('runs a build phase with network and a writable workspace, then a run phase with no network and the workspace read-only', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'mo-workspace-'));
    writeFileSync(join(workspace, 'src.txt'), 'source\n');
    // The sandbox runs as the agent's default user (nobody): its workspace is that user's.
    chownSync(workspace, 65534, 65534);
    const build = await agent.client.startWorkload(
      sandbox(['sh', '-c', 'cat /ws/src.txt > /ws/artifact && echo built >> /ws/artifact'], {
        docker: { network: 'bridge', mounts: [{ source: workspace, target: '/ws' }] },
      }),
    );
    expect((await ended(agent, build.spec!.id)).state).toBe(SUCCEEDED);
    const run = await agent.client.startWorkload(
      sandbox(['sh', '-c', 'cat /ws/artifact; touch /ws/x || echo ws-read-only'], {
        docker: { mounts: [{ source: workspace, target: '/ws', readOnly: true }] },
      }),
    );
    expect((await ended(agent, run.spec!.id)).state).toBe(SUCCEEDED);
    expect(logOf(agent, run.spec!.id)).toBe('source\nbuilt\nws-read-only\n');
  });
});

function httpGet(url: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    http
      .get(url, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve(res.statusCode === 200 ? body : undefined));
      })
      .on('error', () => resolve(undefined));
  });
}
