// `mo tls ca create` / `mo tls cert create` make files a real cluster runs with, and the CLI's
// credential errors say which file or flag is wrong.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCa, createCertificate, writePair } from '@mo/pki';
import { runMo, startSchedulerProcess, testCertificate, testCliEnv, testPki, type SchedulerProcess } from '@mo/testkit';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let dir: string;
let scheduler: SchedulerProcess | undefined;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), `mo-cli-tls-${process.pid}-`));
});
afterAll(async () => {
  await scheduler?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('mo tls', () => {
  it('makes a CA and role certificates a scheduler and mo use', async () => {
    const tlsDir = join(dir, 'tls');
    const ca = await runMo(['tls', 'ca', 'create', '--dir', tlsDir]);
    expect(ca).toMatchObject({ code: 0, stderr: '' });
    expect(ca.stdout).toBe(`wrote ${tlsDir}/ca.pem\nwrote ${tlsDir}/ca-key.pem (private: keep it safe)\n`);
    expect(statSync(join(tlsDir, 'ca-key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(tlsDir, 'ca.pem')).mode & 0o777).toBe(0o644);
    const again = await runMo(['tls', 'ca', 'create', '--dir', tlsDir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/ca\.pem exists; not overwriting it \(--force replaces it\)/);

    const s = await runMo(['tls', 'cert', 'create', '--role', 'scheduler', '--san', '10.0.0.1', '--ca-dir', tlsDir]);
    expect(s.stdout).toBe(`wrote ${tlsDir}/scheduler.pem\nwrote ${tlsDir}/scheduler-key.pem\n`);
    const c = await runMo([
      'tls',
      'cert',
      'create',
      '--role',
      'client',
      '--name',
      'alice',
      '--access',
      'operate',
      '--ca-dir',
      tlsDir,
      '--json',
    ]);
    expect(JSON.parse(c.stdout)).toEqual({ cert: `${tlsDir}/client-alice.pem`, key: `${tlsDir}/client-alice-key.pem` });
    expect(statSync(join(tlsDir, 'client-alice-key.pem')).mode & 0o777).toBe(0o600);

    scheduler = await startSchedulerProcess({
      extraArgs: ['--tls-ca', join(tlsDir, 'ca.pem'), '--tls-cert', join(tlsDir, 'scheduler.pem')].concat([
        '--tls-key',
        join(tlsDir, 'scheduler-key.pem'),
      ]),
    });
    const env = {
      MO_SCHEDULER_ADDR: scheduler.grpcAddress,
      MO_CA_CERT: join(tlsDir, 'ca.pem'),
      MO_CLIENT_CERT: join(tlsDir, 'client-alice.pem'),
      MO_CLIENT_KEY: join(tlsDir, 'client-alice-key.pem'),
    };
    const status = await runMo(['status', '--json'], { env });
    expect(status.code).toBe(0);
    const start = await runMo(['start', '--json', '--', 'true'], { env });
    expect(start.code).toBe(0); // operate access
    const rm = await runMo(['node', 'rm', 'nope'], { env });
    expect(rm.code).toBe(1);
    expect(rm.stderr).toMatch(/RemoveNode needs admin access; client:alice has operate/);
  });

  it.each([
    [['--role', 'agent'], /--node: is required with --role agent/],
    [['--role', 'client', '--name', 'x', '--access', 'root'], /--access: expected read, operate, admin/],
    [['--role', 'agent', '--node', 'n1', '--san', 'x.org'], /--san: is for --role scheduler/],
    [['--role', 'agent', '--node', 'a/b'], /--node: expected letters, digits/],
    [['--role', 'king'], /--role: expected scheduler, agent, client/],
    [['--role', 'scheduler', '--ca-dir', '/nonexistent'], /--ca-dir: no CA in \/nonexistent: .*mo tls ca create --dir/],
  ])('refuses %j, naming the flag', async (args, message) => {
    const r = await runMo(['tls', 'cert', 'create', ...args, '--out', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('credential errors', () => {
  const status = (env: Record<string, string>) =>
    runMo(['status'], { env: { MO_SCHEDULER_ADDR: testSchedulerAddress(), ...env } });
  let sched: SchedulerProcess;
  const testSchedulerAddress = () => sched.grpcAddress;
  beforeAll(async () => {
    sched = await startSchedulerProcess();
  });
  afterAll(async () => {
    await sched?.kill();
  });

  it('no credentials: names every way to give them', async () => {
    const r = await status({ MO_CA_CERT: '', MO_CLIENT_CERT: '', MO_CLIENT_KEY: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no credentials: give --ca-cert \(MO_CA_CERT\) with --client-cert .* or --insecure/);
  });

  it('an expired client certificate: names the flag, the file and the date', async () => {
    const old = await testCertificate(
      { kind: 'client', name: 'old', access: 'read' },
      { days: 1, notBefore: new Date(Date.now() - 3 * 86_400_000) },
    );
    const r = await status({ MO_CLIENT_CERT: old.cert, MO_CLIENT_KEY: old.key });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`mo: --client-cert (MO_CLIENT_CERT): ${old.cert} expired on `);
  });

  it("a client certificate of another CA than --ca-cert's: names both", async () => {
    const otherCa = await createCa();
    const p = writePair(
      join(dir, 'other'),
      'c',
      await createCertificate(otherCa, { role: { kind: 'client', name: 'x', access: 'read' } }),
    );
    const r = await status({ MO_CLIENT_CERT: p.cert, MO_CLIENT_KEY: p.key });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${p.cert} is not signed by the CA in ${testPki().ca} (--ca-cert (MO_CA_CERT))`);
  });

  it("an unknown CA: the scheduler's certificate is not signed by the CA given", async () => {
    const otherCa = await createCa();
    const d = join(dir, 'unknown');
    writePair(d, 'ca', otherCa);
    const p = writePair(
      d,
      'c',
      await createCertificate(otherCa, { role: { kind: 'client', name: 'x', access: 'read' } }),
    );
    const r = await status({ MO_CA_CERT: join(d, 'ca.pem'), MO_CLIENT_CERT: p.cert, MO_CLIENT_KEY: p.key });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/the scheduler's certificate is not signed by the CA in --ca-cert \(MO_CA_CERT\)/);
  });

  it('the wrong role: an agent certificate is no client', async () => {
    const agent = await testCertificate({ kind: 'agent', node: 'cli-x' });
    const r = await status({ MO_CLIENT_CERT: agent.cert, MO_CLIENT_KEY: agent.key });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is only for clients with read access, not agent:cli-x/);
  });

  it('a scheduler in plaintext: --insecure, said explicitly', async () => {
    const plain = await startSchedulerProcess({ insecure: true });
    try {
      const env = { ...testCliEnv(), MO_SCHEDULER_ADDR: plain.grpcAddress };
      expect((await runMo(['status', '--insecure'], { env })).code).toBe(0);
      expect((await runMo(['status'], { env })).code).toBe(3);
    } finally {
      await plain.kill();
    }
  });
});
