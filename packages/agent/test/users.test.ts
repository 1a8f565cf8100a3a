// Workloads not as root (issue 13), on real agents with real processes and real setuid: the attack
// from the issue (a nobody user's `mo start` read /etc/shadow as root) now gets nobody; root only
// where the agent allows it; an allowed user runs with its uid and groups, in a process and in a
// docker sandbox; and a workload cannot touch what stays the agent's (records, logs, its shim).
// The agents here run in plaintext (--insecure): this file is about who workloads run as on one
// agent; who may call an agent is tls.test.ts's (an unprivileged user reaches one only through
// the scheduler, scheduler/test/users.test.ts).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startAgent, type Agent } from '@mo/agent';
import { AgentClient, MoError, WorkloadState, type WorkloadSpec, type WorkloadStatus__Output } from '@mo/api';
import {
  CLI_BIN,
  dockerReady,
  removeContainersOfNode,
  requireTool,
  runMo,
  startAgentProcess,
  waitFor,
  type AgentProcess,
} from '@mo/testkit';
import * as grpc from '@grpc/grpc-js';
import { execFile, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const asRoot = requireTool(
  process.getuid?.() === 0 && spawnSync('runuser', ['--version']).status === 0,
  'root and runuser (util-linux), to switch users',
);
const suite = asRoot ? describe : describe.skip;
const NOBODY = '65534';

const processAgents: AgentProcess[] = [];
const agents: Agent[] = [];
const clients: AgentClient[] = [];

afterAll(async () => {
  for (const c of clients) c.close();
  for (const a of agents) {
    removeContainersOfNode(readFileSync(join(a.options.dataDir, 'node-id'), 'utf8').trim());
    await a.close();
  }
  for (const a of processAgents) await a.kill('SIGTERM');
});

async function processAgent(extraArgs: string[] = []): Promise<AgentProcess> {
  const a = await startAgentProcess({ extraArgs, insecure: true });
  processAgents.push(a);
  return a;
}

async function ended(client: AgentClient, id: string): Promise<WorkloadStatus__Output> {
  return waitFor(
    `workload ${id} to end`,
    async () => {
      const w = await client.getWorkload(id);
      const live: string[] = [WorkloadState.WORKLOAD_STATE_RUNNING, WorkloadState.WORKLOAD_STATE_STARTING];
      return live.includes(w.state) ? undefined : w;
    },
    { timeoutMs: 20_000, intervalMs: 50 },
  );
}

function logOf(dataDir: string, id: string, stream: 'stdout' | 'stderr' = 'stdout'): string {
  try {
    return readFileSync(join(dataDir, 'workloads', id, `${stream}.log`), 'utf8');
  } catch {
    return '';
  }
}

/** Runs the `mo` CLI as another user of this host (runuser), as that user would. */
function moAs(user: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      'runuser',
      ['-u', user, '--', process.execPath, CLI_BIN, '--insecure', ...args],
      { env: { PATH: process.env.PATH }, timeout: 30_000 },
      (_err, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

async function refusal(client: AgentClient, spec: WorkloadSpec): Promise<MoError> {
  const err = await client.startWorkload(spec).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MoError);
  return err as MoError;
}

suite('workloads not as root, on a real agent', () => {
  let agent: AgentProcess;
  beforeAll(async () => {
    agent = await processAgent();
  });

  it("gives a nobody user's `mo start` nobody, not root: /etc/shadow stays closed (the issue's attack)", async () => {
    const started = await moAs('nobody', [
      '--agent',
      agent.grpcAddress,
      '--json',
      'start',
      '--',
      'sh',
      '-c',
      'id -u; head -c 12 /etc/shadow',
    ]);
    expect(started.code).toBe(0);
    const id = (JSON.parse(started.stdout) as { spec: { id: string } }).spec.id;
    const w = await ended(agent.client, id);
    expect(logOf(agent.dataDir, id)).toBe(`${NOBODY}\n`); // not 0, and no `root:*:`
    expect(logOf(agent.dataDir, id, 'stderr')).toMatch(/\/etc\/shadow.*Permission denied/);
    expect(w.runAs).toBe('nobody (65534:65534)');
    // `mo status ID` says who it ran as.
    const status = await runMo(['--insecure', '--agent', agent.grpcAddress, 'status', id]);
    expect(status.stdout).toMatch(/^user +nobody \(65534:65534\)$/m);
  });

  it.each([['root'], ['0'], ['0:0']])(
    'refuses user %s unless the agent allows root, with FAILED_PRECONDITION naming spec.user',
    async (user) => {
      const err = await refusal(agent.client, { argv: ['id', '-u'], user });
      expect(err.code).toBe(grpc.status.FAILED_PRECONDITION);
      expect(err.message).toMatch(/^spec\.user: user "0(:0)?"|^spec\.user: user "root"/);
      expect(err.message).toContain('(uid 0) is not allowed on this node');
    },
  );

  it('refuses a user that does not exist here, or one that is not allowed, and a malformed one', async () => {
    const missing = await refusal(agent.client, { argv: ['true'], user: `mo-no-such-${process.pid}` });
    expect([missing.code, missing.message]).toEqual([
      grpc.status.FAILED_PRECONDITION,
      `spec.user: user "mo-no-such-${process.pid}" does not exist on this node`,
    ]);
    const daemon = await refusal(agent.client, { argv: ['true'], user: 'daemon' });
    expect(daemon.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(daemon.message).toMatch(/^spec\.user: user "daemon" \(uid 1\) is not allowed on this node/);
    const bad = await refusal(agent.client, { argv: ['true'], user: '-u root' });
    expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(bad.message).toMatch(/^spec\.user: must be a user name/);
  });

  it('runs root where --allowed-users lists it, and says so', async () => {
    const rootAgent = await processAgent(['--allowed-users', 'daemon,root']);
    const w = await rootAgent.client.startWorkload({ argv: ['id', '-u'], user: 'root' });
    expect((await ended(rootAgent.client, w.spec!.id)).runAs).toBe('root (0:0)');
    expect(logOf(rootAgent.dataDir, w.spec!.id)).toBe('0\n');
    // The default user still needs no listing; the others listed are allowed too.
    const d = await rootAgent.client.startWorkload({ argv: ['id', '-u'], user: 'daemon' });
    await ended(rootAgent.client, d.spec!.id);
    expect(logOf(rootAgent.dataDir, d.spec!.id)).toBe('1\n');
  });

  it('runs every workload as the agent itself when the agent is not root, and refuses any other user', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mo-users-nonroot-'));
    chownSync(dataDir, 65534, 65534);
    const plain = await startAgentProcess({
      dataDir,
      wrap: ['runuser', '-u', 'nobody', '--'],
      extraArgs: ['--cgroup-root', 'off'],
      insecure: true,
    });
    processAgents.push(plain);
    expect(plain.logs()).toContain('the agent does not run as root: every workload runs as the agent user');
    const w = await plain.client.startWorkload({ argv: ['id', '-u'] });
    expect((await ended(plain.client, w.spec!.id)).runAs).toBe('nobody (65534:65534)');
    expect(logOf(dataDir, w.spec!.id)).toBe(`${NOBODY}\n`);
    const err = await refusal(plain.client, { argv: ['true'], user: 'root' });
    expect([err.code, err.message]).toEqual([
      grpc.status.FAILED_PRECONDITION,
      'spec.user: this agent runs as uid 65534, not root, so it runs workloads only as that user, not "root"',
    ]);
  });

  it("keeps the agent's files and the shim out of the workload's reach", async () => {
    const dir = '"$MO_WORKLOAD_DIR"';
    const script = [
      `echo '{"exitCode":0}' > ${dir}/exit && echo FORGED-EXIT`,
      `ln -sf /etc/passwd ${dir}/stdout.log && echo LINKED-LOG`,
      `cat ${dir}/workload.json && echo READ-RECORD`,
      'kill -9 $PPID && echo KILLED-SHIM',
      'touch here && echo own-dir-ok',
      'echo k=v > "$MO_OUTPUT" && echo output-ok',
      'exit 3',
    ].join('; ');
    const w = await agent.client.startWorkload({ argv: ['sh', '-c', script], env: { SECRET: 'hunter2' } });
    const end = await ended(agent.client, w.spec!.id);
    expect([end.state, end.exit?.exitCode]).toEqual([WorkloadState.WORKLOAD_STATE_FAILED, 3]);
    expect(logOf(agent.dataDir, w.spec!.id)).toBe('own-dir-ok\noutput-ok\n');
    expect(end.outputs).toEqual({ k: 'v' });
    const stderr = logOf(agent.dataDir, w.spec!.id, 'stderr');
    expect(stderr).not.toContain('hunter2');
    expect(stderr.match(/Permission denied|Operation not permitted/g)?.length).toBe(4);
  });
});

suite('workloads as a named user, with its groups (an agent with its own user database)', () => {
  let agent: Agent;
  let client: AgentClient;
  const name = `mo-u${process.pid}`;
  // Ids no one else here uses: the user, its primary group, two more groups that list it.
  const base = 41000 + (process.pid % 1000) * 4;
  const [uid, gid, g1, g2] = [base, base + 1, base + 2, base + 3] as const;

  beforeAll(async () => {
    const files = mkdtempSync(join(tmpdir(), 'mo-users-'));
    writeFileSync(
      join(files, 'passwd'),
      `root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n${name}:x:${uid}:${gid}::/nonexistent:/bin/sh\n`,
    );
    writeFileSync(
      join(files, 'group'),
      `root:x:0:\nnogroup:x:65534:\n${name}:x:${gid}:\nbuilders:x:${g1}:${name}\ndeployers:x:${g2}:other,${name}\n`,
    );
    agent = await startAgent({
      grpcListen: '127.0.0.1:0',
      httpListen: '127.0.0.1:0',
      dataDir: mkdtempSync(join(tmpdir(), 'mo-users-agent-')),
      nodeName: `users-${process.pid}`,
      logLevel: 'warn',
      cgroupRoot: 'off',
      userFiles: { passwd: join(files, 'passwd'), group: join(files, 'group') },
      allowedUsers: [name],
      insecure: true,
    });
    agents.push(agent);
    client = new AgentClient(agent.grpcAddress, { insecure: true });
    clients.push(client);
  });

  it('runs an allowed user with its uid, its gid and its groups, and shows it', async () => {
    const w = await client.startWorkload({
      argv: ['sh', '-c', 'id -u; id -g; id -G | tr " " "\\n" | sort -n | tr "\\n" " "; echo; echo $USER; touch here'],
      user: name,
    });
    const end = await ended(client, w.spec!.id);
    expect(end.state).toBe(WorkloadState.WORKLOAD_STATE_SUCCEEDED);
    expect(logOf(agent.options.dataDir, w.spec!.id).split('\n')).toEqual([
      String(uid),
      String(gid),
      `${[gid, g1, g2].sort((a, b) => a - b).join(' ')} `,
      name,
      '',
    ]);
    expect(end.runAs).toBe(`${name} (${uid}:${gid}, groups ${g1},${g2})`);
    const status = await runMo(['--insecure', '--agent', agent.grpcAddress, 'status', w.spec!.id]);
    const userLine = status.stdout.split('\n').find((l) => l.startsWith('user '));
    expect(userLine?.replace(/ +/, ' ')).toBe(`user ${name} (${uid}:${gid}, groups ${g1},${g2})`);
  });

  it('takes one of its groups as the gid, and refuses a group that is not its own', async () => {
    const w = await client.startWorkload({ argv: ['id', '-g'], user: `${uid}:${g2}` });
    await ended(client, w.spec!.id);
    expect(logOf(agent.options.dataDir, w.spec!.id)).toBe(`${g2}\n`);
    const err = await refusal(client, { argv: ['true'], user: `${uid}:0` });
    expect([err.code, err.message]).toEqual([
      grpc.status.FAILED_PRECONDITION,
      `spec.user: gid 0 is not a group of user "${name}" on this node`,
    ]);
  });

  it('refuses to start with a default user that does not exist, naming --default-user', async () => {
    await expect(
      startAgent({
        grpcListen: '127.0.0.1:0',
        httpListen: '127.0.0.1:0',
        dataDir: mkdtempSync(join(tmpdir(), 'mo-users-agent-')),
        logLevel: 'warn',
        cgroupRoot: 'off',
        defaultUser: `mo-ghost-${process.pid}`,
        insecure: true,
      }),
    ).rejects.toThrow(`--default-user: user "mo-ghost-${process.pid}" (the agent's --default-user) does not exist`);
  });

  const withDocker = requireTool(dockerReady(), 'a Docker engine with mo-sandbox:latest (deploy/sandbox/build.sh)');
  (withDocker ? it : it.skip)('runs a docker sandbox as the user, with its groups, owning /mo', async () => {
    const script = 'id -u; id -g; id -G | tr " " "\\n" | sort -n | tr "\\n" " "; echo; touch /mo/x && echo mo-ok';
    const sandbox = (user?: string): WorkloadSpec => ({
      argv: ['sh', '-c', script],
      driver: 'docker',
      docker: { image: 'mo-sandbox:latest' },
      ...(user && { user }),
    });
    const [def, named] = await Promise.all([client.startWorkload(sandbox()), client.startWorkload(sandbox(name))]);
    const [d, n] = await Promise.all([ended(client, def.spec!.id), ended(client, named.spec!.id)]);
    expect([d.state, n.state]).toEqual([
      WorkloadState.WORKLOAD_STATE_SUCCEEDED,
      WorkloadState.WORKLOAD_STATE_SUCCEEDED,
    ]);
    expect(logOf(agent.options.dataDir, def.spec!.id)).toBe('65534\n65534\n65534 \nmo-ok\n');
    expect(logOf(agent.options.dataDir, named.spec!.id)).toBe(
      `${uid}\n${gid}\n${[gid, g1, g2].sort((a, b) => a - b).join(' ')} \nmo-ok\n`,
    );
    expect(n.runAs).toBe(`${name} (${uid}:${gid}, groups ${g1},${g2})`);
  });
});
