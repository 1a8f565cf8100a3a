// Workloads not as root, through the scheduler (issue 13): the attack, run by a nobody user
// with the mo CLI, gets nobody; the scheduler shows who each workload ran as on its node; a spec
// asking for a user its node does not allow fails with the node's reason (the node is not blamed);
// a pipeline's steps run as the nodes' default user, its artifacts and outputs as before.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PipelineClient, TokenClient } from '@mo/api';
import {
  CLI_BIN,
  requireTool,
  runMo,
  startCluster,
  stepOf,
  waitFor,
  waitForPipeline,
  type Cluster,
  testClientOptions,
  testPki,
  testTokenOptions,
} from '@mo/testkit';
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const asRoot = requireTool(
  process.getuid?.() === 0 && spawnSync('runuser', ['--version']).status === 0,
  'root and runuser (util-linux), to switch users',
);
let cluster: Cluster;
let pipelines: PipelineClient;
/** An operate token the unprivileged user's mo sends (it cannot read the test's client key). */
let operateToken = '';
/** The run's CA certificate where the unprivileged user can read it (public, unlike the keys). */
let caForUser = '';

beforeAll(async () => {
  if (!asRoot) return;
  // node-2 allows root; node-1 has the defaults (nobody only).
  cluster = await startCluster({ agents: 2, agentArgs: (i) => (i === 1 ? ['--allowed-users', 'root'] : []) });
  pipelines = new PipelineClient(cluster.scheduler.grpcAddress, testClientOptions());
  const bootstrap = readFileSync(join(cluster.scheduler.dataDir, 'bootstrap-token'), 'utf8').trim();
  const admin = new TokenClient(cluster.scheduler.grpcAddress, testTokenOptions(bootstrap));
  operateToken = (await admin.create({ name: 'nobody-user', access: 'ACCESS_LEVEL_OPERATE', ttlMs: 0 })).secret;
  admin.close();
  const dir = mkdtempSync(join(tmpdir(), 'mo-users-ca-'));
  chmodSync(dir, 0o755);
  caForUser = join(dir, 'ca.pem');
  copyFileSync(testPki().ca, caForUser);
  chmodSync(caForUser, 0o644);
}, 30_000);

afterAll(async () => {
  pipelines?.close();
  await cluster?.stop();
});

/** The mo CLI, run by `user` of this host, against the cluster's scheduler. */
function moAs(user: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      'runuser',
      ['-u', user, '--', process.execPath, CLI_BIN, ...args],
      {
        env: {
          PATH: process.env.PATH,
          MO_SCHEDULER_ADDR: cluster.scheduler.grpcAddress,
          MO_CA_CERT: caForUser,
          MO_TOKEN: operateToken,
        },
        timeout: 30_000,
      },
      (_err, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

(asRoot ? describe : describe.skip)('workloads not as root, through the scheduler', () => {
  it("runs a nobody user's workload as nobody: `id -u` is not 0 and /etc/shadow stays closed", async () => {
    const r = await moAs('nobody', [
      'start',
      '--json',
      '--wait=exit',
      '--node',
      'node-1',
      '--',
      'sh',
      '-c',
      'id -u; head -c 12 /etc/shadow',
    ]);
    expect(r.code).toBe(4); // head failed, so the workload did
    const w = (JSON.parse(r.stdout) as { workload: { id: string; runAs: string } }).workload;
    expect(w.runAs).toBe('nobody (65534:65534)');
    const logs = await runMo(['--scheduler', cluster.scheduler.grpcAddress, 'logs', w.id]);
    expect(logs.stdout).toBe('65534\n');
    const status = await runMo(['--scheduler', cluster.scheduler.grpcAddress, 'status', w.id]);
    expect(status.stdout).toMatch(/^user +nobody \(65534:65534\)$/m);
  });

  it('fails a workload whose user its node does not allow, with the reason, without blaming the node', async () => {
    const { client } = cluster.scheduler;
    const { workload } = await client.submitWorkload({
      spec: { argv: ['id', '-u'], user: 'root' },
      scheduling: { node: 'node-1' },
    });
    const w = await waitFor('the refused workload to fail', async () => {
      const s = await client.getWorkload(workload!.id);
      return s.state === 'WORKLOAD_STATE_FAILED' ? s : undefined;
    });
    expect(w.reason).toMatch(
      /^node node-1 could not start it: spec\.user: user "root" \(uid 0\) is not allowed on this node/,
    );
    expect(w.attempt).toBe(1);
    const node = (await client.listNodes()).nodes.find((n) => n.name === 'node-1')!;
    expect(node.startFailures).toBe(0);

    // Where root is allowed, it runs as root, and the scheduler says so.
    const { workload: allowed } = await client.submitWorkload({
      spec: { argv: ['id', '-u'], user: 'root' },
      scheduling: { node: 'node-2' },
    });
    const done = await waitFor('root on node-2 to succeed', async () => {
      const s = await client.getWorkload(allowed!.id);
      return s.state === 'WORKLOAD_STATE_SUCCEEDED' ? s : undefined;
    });
    expect([done.spec?.user, done.runAs]).toEqual(['root', 'root (0:0)']);
  });

  it('refuses a malformed user on submit, naming spec.user, and stores nothing', async () => {
    const before = (await cluster.scheduler.client.listWorkloads({})).total;
    const r = await runMo(['--scheduler', cluster.scheduler.grpcAddress, 'start', '--user', 'root;id', '--', 'true']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/spec\.user: must be a user name/);
    expect((await cluster.scheduler.client.listWorkloads({})).total).toBe(before);
  });

  it("runs a pipeline's steps as the default user, passing artifacts they own from node to node", async () => {
    const sh = (script: string) => ['sh', '-c', script];
    const spec = {
      name: 'as-nobody',
      steps: [
        { id: 'build', node: 'node-1', command: sh('mkdir -p dist && id -u > dist/who'), artifacts: ['dist/who'] },
        {
          id: 'use',
          needs: ['build'],
          inputs: ['build'],
          node: 'node-2',
          // Its input is its own: it may change it.
          command: sh(
            'echo "built_by=$(cat dist/who)" > "$MO_OUTPUT"; echo more >> dist/who && echo "own=$(id -u)" >> "$MO_OUTPUT"',
          ),
        },
        { id: 'root', needs: ['use'], node: 'node-2', user: 'root', command: sh('echo "uid=$(id -u)" > "$MO_OUTPUT"') },
      ],
    };
    const { pipeline } = await pipelines.submit({ spec: JSON.stringify(spec) });
    const p = await waitForPipeline(pipelines, pipeline!.id, 'PIPELINE_STATE_SUCCEEDED', 30_000);
    expect(stepOf(p, 'use').outputs).toEqual({ built_by: '65534', own: '65534' });
    expect(stepOf(p, 'root').outputs).toEqual({ uid: '0' });
    const runAs = await Promise.all(
      ['build', 'use', 'root'].map(
        async (s) => (await cluster.scheduler.client.getWorkload(stepOf(p, s).workloadId)).runAs,
      ),
    );
    expect(runAs).toEqual(['nobody (65534:65534)', 'nobody (65534:65534)', 'root (0:0)']);
  });
});
