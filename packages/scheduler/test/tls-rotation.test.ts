// Certificate rotation without a restart: the scheduler's certificate replaced on disk and SIGHUP
// sent; new connections get the new certificate, the running cluster keeps working (its agent's
// heartbeat stream, placements on it), and a reload of broken files keeps the old material.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createCertificate, readCa, writePair } from '@mo/pki';
import {
  requireTool,
  startAgentProcess,
  startHaCluster,
  startSchedulerProcess,
  testPki,
  waitFor,
  type AgentProcess,
  type SchedulerProcess,
} from '@mo/testkit';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';

const haveEtcd = requireTool(existsSync('/usr/bin/etcd'), 'etcd (Debian etcd-server)');
let dir: string;
let scheduler: SchedulerProcess;
let agent: AgentProcess;

/** The serial number of the certificate a new TLS connection to `address` is shown. */
function servedSerial(address: string): Promise<string> {
  const [host, port] = [
    address.slice(0, address.lastIndexOf(':')),
    Number(address.slice(address.lastIndexOf(':') + 1)),
  ];
  const pki = testPki();
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port,
      ca: readFileSync(pki.ca),
      cert: readFileSync(pki.client.cert),
      key: readFileSync(pki.client.key),
      servername: 'scheduler.mo',
      ALPNProtocols: ['h2'],
    });
    socket.once('secureConnect', () => {
      resolve(socket.getPeerCertificate().serialNumber);
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

async function newSchedulerCertificate(name = 'scheduler'): Promise<string> {
  const pair = await createCertificate(readCa(testPki().dir), { role: { kind: 'scheduler' } });
  writePair(dir, name, pair, true);
  return new (await import('node:crypto')).X509Certificate(pair.certPem).serialNumber;
}

beforeAll(async () => {
  // Its own copy of the scheduler's files: rotating the run's shared ones would disturb other tests.
  dir = mkdtempSync(join(tmpdir(), `mo-tls-rotation-${process.pid}-`));
  await newSchedulerCertificate();
  scheduler = await startSchedulerProcess({
    extraArgs: ['--tls-cert', join(dir, 'scheduler.pem'), '--tls-key', join(dir, 'scheduler-key.pem')],
  });
  agent = await startAgentProcess({ extraArgs: ['--scheduler', scheduler.grpcAddress, '--node-name', 'rot-1'] });
  await waitFor('the node up', async () =>
    (await scheduler.client.listNodes()).nodes.some((n) => n.name === 'rot-1' && n.state === 'NODE_STATE_UP'),
  );
}, 60_000);

afterAll(async () => {
  await agent?.kill();
  await scheduler?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('SIGHUP: new connections get the new certificate and the cluster keeps working', async () => {
  const before = await servedSerial(scheduler.grpcAddress);
  const next = await newSchedulerCertificate();
  expect(next).not.toBe(before);
  process.kill(scheduler.pid, 'SIGHUP');
  await waitFor('the reload logged', () => /"msg":"TLS certificates reloaded"/.test(scheduler.logs()));
  await waitFor('the new certificate served', async () => (await servedSerial(scheduler.grpcAddress)) === next);

  // The agent's stream opened before the rotation goes on, and placement reaches it.
  const { workload } = await scheduler.client.submitWorkload({ spec: { argv: ['sleep', '30'] } });
  await waitFor('the workload running on rot-1', async () => {
    const w = await scheduler.client.getWorkload(workload!.id);
    return w.state === 'WORKLOAD_STATE_RUNNING' && w.nodeName === 'rot-1';
  });
  await scheduler.client.stopWorkload(workload!.id, 1000);
  expect((await scheduler.client.listNodes()).nodes.find((n) => n.name === 'rot-1')?.state).toBe('NODE_STATE_UP');
  // The agent's outgoing connections are new ones after a restart of its reporter: it registers again.
  await agent.kill();
  agent = await startAgentProcess({
    dataDir: agent.dataDir,
    extraArgs: ['--scheduler', scheduler.grpcAddress, '--node-name', 'rot-1'],
  });
  await waitFor('the node up again', async () =>
    (await scheduler.client.listNodes()).nodes.some((n) => n.name === 'rot-1' && n.state === 'NODE_STATE_UP'),
  );
});

it('SIGHUP with broken files: the old certificate stays, and the log says why', async () => {
  const served = await servedSerial(scheduler.grpcAddress);
  writeFileSync(join(dir, 'scheduler.pem'), 'not a certificate');
  process.kill(scheduler.pid, 'SIGHUP');
  await waitFor('the failed reload logged', () =>
    /"msg":"TLS reload failed; keeping the previous certificates".*is not a PEM certificate/.test(scheduler.logs()),
  );
  expect(await servedSerial(scheduler.grpcAddress)).toBe(served);
  expect((await scheduler.client.getClusterStatus()).nodes.map((n) => n.name)).toEqual(['rot-1']);
});

it('several schedulers: a follower reloads on SIGHUP, and leads with what it reloaded', async () => {
  if (!haveEtcd) return;
  await newSchedulerCertificate('ha-0');
  await newSchedulerCertificate('ha-1');
  const ha = await startHaCluster({
    schedulers: 2,
    leaseTtl: '2s',
    schedulerArgs: (i) => ['--tls-cert', join(dir, `ha-${i}.pem`), '--tls-key', join(dir, `ha-${i}-key.pem`)],
  });
  try {
    const leader = await ha.leader();
    const follower = ha.schedulers[1 - leader]!;
    const rotated = await newSchedulerCertificate(`ha-${1 - leader}`);
    process.kill(follower.pid, 'SIGHUP');
    await waitFor(
      'the follower served its new certificate',
      async () => (await servedSerial(follower.grpcAddress)) === rotated,
    );
    expect(follower.logs()).toMatch(/"msg":"TLS certificates reloaded"/);

    await ha.killScheduler(leader, 'SIGKILL');
    await waitFor('the follower leads', async () => (await ha.leader()) === 1 - leader, { timeoutMs: 20_000 });
    expect(await servedSerial(follower.grpcAddress)).toBe(rotated);
    // Leading, the same source is reloaded.
    const again = await newSchedulerCertificate(`ha-${1 - leader}`);
    process.kill(follower.pid, 'SIGHUP');
    await waitFor(
      'the leader served its newer certificate',
      async () => (await servedSerial(follower.grpcAddress)) === again,
    );
    expect((await ha.client.getClusterStatus()).nodes).toEqual([]);
  } finally {
    await ha.stop();
  }
}, 90_000);
