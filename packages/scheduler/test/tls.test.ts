// Every connection is mutually authenticated (issue 13): a real scheduler and two agents with the
// run's certificates, and callers with none, with another CA's, with expired ones and with the
// wrong role. Each refusal says what is wrong; nothing refused runs or registers.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  AgentClient,
  MoError,
  RegistryClient,
  SchedulerClient,
  clientTls,
  type ClientMaterial,
  type ClientOptions,
} from '@mo/api';
import { createCa, createCertificate } from '@mo/pki';
import {
  SCHEDULER_BIN,
  agentCertificate,
  startAgentProcess,
  startCluster,
  testCertificate,
  testFetch,
  testPki,
  type AgentProcess,
  type Cluster,
  type TestPair,
} from '@mo/testkit';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const pem = (path: string) => readFileSync(path);
const material = (pair?: TestPair, ca = testPki().ca): ClientMaterial => ({
  ca: pem(ca),
  ...(pair ? { cert: pem(pair.cert), key: pem(pair.key) } : {}),
});
const opts = (m: ClientMaterial, extra: ClientOptions = {}): ClientOptions => ({
  tls: clientTls(m),
  deadlineMs: 5000,
  ...extra,
});

/** The error a call fails with (a test fails if it succeeds). */
async function refusal(p: Promise<unknown>): Promise<MoError> {
  try {
    await p;
  } catch (err) {
    return err as MoError;
  }
  throw new Error('the call was not refused');
}

/** Runs `fn` with a client and closes it. */
async function withClient<C extends { close(): void }, T>(client: C, fn: (c: C) => Promise<T>): Promise<T> {
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

let cluster: Cluster;
/** Another cluster's CA, and a client and scheduler certificate of it. */
let foreign: { ca: Buffer; client: ClientMaterial; scheduler: ClientMaterial };

beforeAll(async () => {
  cluster = await startCluster({ agents: 2 });
  const ca = await createCa({ commonName: 'another cluster' });
  const client = await createCertificate(ca, { role: { kind: 'client', name: 'eve', access: 'admin' } });
  const scheduler = await createCertificate(ca, { role: { kind: 'scheduler' } });
  const caPem = Buffer.from(ca.certPem);
  foreign = {
    ca: caPem,
    client: { ca: pem(testPki().ca), cert: Buffer.from(client.certPem), key: Buffer.from(client.keyPem) },
    scheduler: { ca: pem(testPki().ca), cert: Buffer.from(scheduler.certPem), key: Buffer.from(scheduler.keyPem) },
  };
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

describe('callers the scheduler refuses', () => {
  it('a client without a certificate: UNAUTHENTICATED, nothing submitted', async () => {
    const err = await withClient(new SchedulerClient(cluster.scheduler.grpcAddress, opts(material())), (c) =>
      refusal(c.submitWorkload({ spec: { argv: ['true'] } })),
    );
    expect(err.code).toBe(16);
    expect(err.message).toMatch(/no client certificate signed by this cluster's CA .* and no bearer token/);
    expect((await cluster.scheduler.client.listWorkloads()).workloads).toHaveLength(0);
  });

  it('a plaintext client: the connection fails', async () => {
    const err = await withClient(
      new SchedulerClient(cluster.scheduler.grpcAddress, { insecure: true, deadlineMs: 3000 }),
      (c) => refusal(c.getClusterStatus()),
    );
    expect(err.code).toBe(14);
  });

  it('a certificate of another CA: UNAUTHENTICATED (it is not verified, so not taken)', async () => {
    const err = await withClient(new SchedulerClient(cluster.scheduler.grpcAddress, opts(foreign.client)), (c) =>
      refusal(c.getClusterStatus()),
    );
    expect(err.code).toBe(16);
    expect(err.message).toMatch(/none sent, expired, or from another CA/);
  });

  it('an expired client certificate: UNAUTHENTICATED', async () => {
    const old = await testCertificate(
      { kind: 'client', name: 'old', access: 'admin' },
      { days: 1, notBefore: new Date(Date.now() - 3 * 86_400_000) },
    );
    const err = await withClient(new SchedulerClient(cluster.scheduler.grpcAddress, opts(material(old))), (c) =>
      refusal(c.getClusterStatus()),
    );
    expect(err.code).toBe(16);
  });

  it('a process without an agent certificate cannot register, nor heartbeat', async () => {
    const node = { nodeId: '01HFAKE000000000000000000A', nodeName: 'fake', address: '127.0.0.1:1' };
    for (const [who, pair] of [
      ['client:test-admin', testPki().client],
      ['scheduler', testPki().scheduler],
    ] as const) {
      const err = await withClient(new RegistryClient(cluster.scheduler.grpcAddress, opts(material(pair))), (c) =>
        refusal(c.register(node)),
      );
      expect(err.code).toBe(7);
      expect(err.message).toBe(`Register is only for agents, not ${who}`);
    }
    const anonymous = await withClient(new RegistryClient(cluster.scheduler.grpcAddress, opts(material())), (c) =>
      refusal(c.register(node)),
    );
    expect(anonymous.code).toBe(16);
    const names = (await cluster.scheduler.client.listNodes()).nodes.map((n) => n.name).sort();
    expect(names).toEqual(['node-1', 'node-2']);
  });

  it('read access lists but cannot submit or stop: PERMISSION_DENIED naming operate and the caller', async () => {
    const reader = await testCertificate({ kind: 'client', name: 'reader', access: 'read' });
    await withClient(new SchedulerClient(cluster.scheduler.grpcAddress, opts(material(reader))), async (c) => {
      expect((await c.listWorkloads()).workloads).toEqual([]);
      const err = await refusal(c.submitWorkload({ spec: { argv: ['true'] } }));
      expect(err.code).toBe(7);
      expect(err.message).toBe('SubmitWorkload needs operate access; client:reader has read');
      expect((await refusal(c.stopWorkload('01HNOPE00000000000000000AA'))).code).toBe(7);
    });
  });
});

describe('callers an agent refuses', () => {
  const agentOpts = (m: ClientMaterial, node = 'node-1') => opts(m, { peer: { kind: 'agent', node } });

  it('a client certificate: PERMISSION_DENIED, NodeAgent serves the scheduler alone', async () => {
    const err = await withClient(
      new AgentClient(cluster.agents[0]!.grpcAddress, agentOpts(material(testPki().client))),
      (c) => refusal(c.startWorkload({ argv: ['true'] })),
    );
    expect(err.code).toBe(7);
    expect(err.message).toBe('StartWorkload is only for the scheduler, not client:test-admin');
    expect((await cluster.agents[0]!.client.getNodeStatus()).workloads).toEqual([]);
  });

  it('another agent: PERMISSION_DENIED', async () => {
    const err = await withClient(
      new AgentClient(cluster.agents[0]!.grpcAddress, agentOpts(material(await agentCertificate('node-2')))),
      (c) => refusal(c.getNodeStatus()),
    );
    expect(err.message).toMatch(/is only for the scheduler, not agent:node-2$/);
  });

  it('no certificate, or another CA’s: refused at the handshake', async () => {
    for (const m of [material(), foreign.scheduler]) {
      const err = await withClient(new AgentClient(cluster.agents[0]!.grpcAddress, agentOpts(m)), (c) =>
        refusal(c.getNodeStatus()),
      );
      expect(err.code).toBe(14);
    }
  });
});

describe('servers a client refuses', () => {
  it('an agent answering for the scheduler', async () => {
    const err = await withClient(
      new SchedulerClient(cluster.agents[0]!.grpcAddress, opts(material(testPki().client))),
      (c) => refusal(c.getClusterStatus()),
    );
    expect(err.code).toBe(14);
    expect(err.message).toMatch(/presented a certificate for agent:node-1, expected the scheduler \(scheduler\.mo\)/);
  });

  it("node-2 answering at the address the scheduler dials for node-1's name", async () => {
    const err = await withClient(
      new AgentClient(
        cluster.agents[1]!.grpcAddress,
        opts(material(testPki().scheduler), { peer: { kind: 'agent', node: 'node-1' } }),
      ),
      (c) => refusal(c.getNodeStatus()),
    );
    expect(err.message).toMatch(
      /presented a certificate for agent:node-2, expected agent node-1 \(agent\.node-1\.mo\)/,
    );
  });

  it('a scheduler of another CA', async () => {
    const trustsOther = { ...material(testPki().client), ca: foreign.ca };
    const err = await withClient(new SchedulerClient(cluster.scheduler.grpcAddress, opts(trustsOther)), (c) =>
      refusal(c.getClusterStatus()),
    );
    expect(err.code).toBe(14);
    expect(err.message).toMatch(/self[- ]signed certificate in certificate chain/);
  });
});

describe('the HTTP listeners', () => {
  it.each([
    ['scheduler', () => cluster.scheduler.httpAddress],
    ['agent', () => cluster.agents[0]!.httpAddress],
  ])('%s: /healthz is open, /metrics wants a certificate of the CA (any role)', async (_, address) => {
    expect((await testFetch(`https://${address()}/healthz`, { pair: null })).status).toBe(200);
    const anonymous = await testFetch(`https://${address()}/metrics`, { pair: null });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).toMatch(/client certificate .* --metrics-open/);
    const reader = await testCertificate({ kind: 'client', name: 'prometheus', access: 'read' });
    const scrape = await testFetch(`https://${address()}/metrics`, { pair: reader });
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toMatch(/^mo_/m);
  });

  it('--metrics-open serves /metrics without a certificate', async () => {
    let agent: AgentProcess | undefined;
    try {
      agent = await startAgentProcess({ extraArgs: ['--node-name', 'open-metrics', '--metrics-open'] });
      expect((await testFetch(`https://${agent.httpAddress}/metrics`, { pair: null })).status).toBe(200);
    } finally {
      await agent?.kill();
    }
  });
});

describe('starting a daemon', () => {
  const run = (args: string[]) => {
    const dataDir = mkdtempSync(join(tmpdir(), `mo-tls-start-${process.pid}-`));
    return spawnSync(
      process.execPath,
      [SCHEDULER_BIN, '--grpc-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', '--data-dir', dataDir, ...args],
      { encoding: 'utf8', env: { PATH: process.env.PATH }, timeout: 20_000 },
    );
  };

  it('without TLS files or --insecure: refused, naming the flags', () => {
    const r = run([]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/mo-scheduler needs TLS: give --tls-ca, --tls-cert and --tls-key .* or --insecure/);
  });

  it('with a certificate of another role: refused, naming it and how to make the right one', async () => {
    const { ca } = testPki();
    const agent = await agentCertificate('node-1');
    const r = run(['--tls-ca', ca, '--tls-cert', agent.cert, '--tls-key', agent.key]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /is a certificate for agent:node-1, this daemon is scheduler \(mo tls cert create --role scheduler\)/,
    );
  });

  it('an agent with the certificate of another node: refused', async () => {
    const err = await refusal(
      startAgentProcess({ extraArgs: ['--node-name', 'node-9', ...certFlags(await agentCertificate('node-1'))] }),
    );
    expect(err.message).toMatch(
      /is a certificate for agent:node-1, this daemon is agent:node-9 \(mo tls cert create --role agent --node node-9\)/,
    );
  });

  it('--insecure: runs in plaintext and says so in a warning', async () => {
    const agent = await startAgentProcess({ insecure: true, extraArgs: ['--node-name', 'plain'] });
    try {
      expect(agent.logs()).toMatch(/"level":"warn","msg":"running without TLS \(--insecure\)/);
      expect((await agent.client.getNodeStatus()).facts?.nodeName).toBe('plain');
    } finally {
      await agent.kill();
    }
  });
});

function certFlags(pair: TestPair): string[] {
  return ['--tls-cert', pair.cert, '--tls-key', pair.key];
}
