// `mo dev` as a user runs it: a scheduler and two agents come up as child processes, `mo nodes`
// sees both, a workload runs, and SIGINT stops the workload and every daemon (nothing left behind).
// A daemon that keeps dying takes the cluster down with exit code 1 (cli-dev-faults.test.ts: one
// that dies is restarted).
import { describe, expect, it } from '@jest/globals';
import { isAlive, runMo, waitFor } from '@mo/testkit';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cleanUpDevAfterEach, mo, startDev } from './dev-cluster.js';

cleanUpDevAfterEach();

describe('mo dev', () => {
  it('runs a scheduler and 2 agents until SIGINT, then stops the workloads and every daemon and exits 0', async () => {
    const dev = await startDev('--agents', '2');
    const { scheduler, agents } = dev.ready;
    expect(agents.map((a) => a.name)).toEqual(['dev-0', 'dev-1']);
    expect(scheduler.dataDir).toBe(join(dev.ready.dataDir, 'scheduler'));
    expect(agents[1]!.dataDir).toBe(join(dev.ready.dataDir, 'agent-1'));
    // Secure by default: its CA and certificates in <data-dir>/tls, keys 0600; mo below uses the
    // ready report's tls paths, as a person uses the export lines.
    const tls = join(dev.ready.dataDir, 'tls');
    expect(dev.ready.tls).toEqual({
      caCert: join(tls, 'ca.pem'),
      clientCert: join(tls, 'client.pem'),
      clientKey: join(tls, 'client-key.pem'),
    });
    for (const key of ['ca-key.pem', 'client-key.pem', 'scheduler-key.pem', 'agent-dev-1-key.pem']) {
      expect(statSync(join(tls, key)).mode & 0o777).toBe(0o600);
    }
    expect(dev.stderr()).not.toMatch(/running without TLS/);

    // The scheduler's first admin token, by path (never printed): the CLI takes it as MO_TOKEN.
    expect(scheduler.tokenFile).toBe(join(scheduler.dataDir, 'bootstrap-token'));
    expect(statSync(scheduler.tokenFile).mode & 0o777).toBe(0o600);
    const token = readFileSync(scheduler.tokenFile, 'utf8').trim();
    // A token alone is a credential: mo dev's CA, no client certificate.
    const tokens = await runMo(['--scheduler', scheduler.grpcAddress, 'token', 'list'], {
      env: { MO_TOKEN: token, MO_CA_CERT: join(tls, 'ca.pem'), MO_CLIENT_CERT: '', MO_CLIENT_KEY: '' },
    });
    expect(tokens.stdout).toMatch(/\sbootstrap\s+admin\s+active\s/);

    const nodes = await mo(scheduler.grpcAddress, 'nodes');
    expect(nodes.code).toBe(0);
    expect(nodes.stdout).toMatch(/^dev-0\s+up\s/m);
    expect(nodes.stdout).toMatch(/^dev-1\s+up\s/m);

    const started = await mo(scheduler.grpcAddress, 'start', '--wait', '--json', '--', 'sleep', '300');
    expect(started.code).toBe(0);
    const workloadPid = (JSON.parse(started.stdout) as { workload: { pid: number } }).workload.pid;
    expect(await isAlive(workloadPid)).toBe(true);

    // Daemon logs are prefixed with who wrote them.
    expect(dev.stderr()).toMatch(/^scheduler \| \S+ info {2}scheduler ready /m);
    expect(dev.stderr()).toMatch(/^dev-1 {5}\| \S+ info {2}agent ready /m);

    dev.child.kill('SIGINT');
    expect(await dev.exit).toEqual({ code: 0, signal: null });
    expect(dev.stderr()).toContain('mo dev: stopping 1 workload(s)');
    for (const pid of [scheduler.pid, ...agents.map((a) => a.pid), workloadPid]) {
      expect(await isAlive(pid)).toBe(false);
    }
  });

  it('gives up on a daemon that keeps dying: says why, stops the rest and exits 1', async () => {
    const dev = await startDev('--agents', '1');
    const { scheduler, agents } = dev.ready;
    // Restarts come at once, then 0.5, 1 and 2 s later; the 5th death within a minute ends it.
    const restarted = (n: number) =>
      waitFor(
        `restart ${n} of dev-0`,
        () => [...dev.stderr().matchAll(/^mo dev: dev-0 restarted \(pid (\d+)\)$/gm)][n - 1]?.[1],
      );
    let pid = agents[0]!.pid;
    for (let n = 1; n <= 4; n++) {
      process.kill(pid, 'SIGKILL');
      pid = Number(await restarted(n));
    }
    expect(
      [...dev.stderr().matchAll(/^mo dev: dev-0 died \(killed by SIGKILL\); restarting it (.*)$/gm)].map((m) => m[1]),
    ).toEqual(['now', 'in 500 ms', 'in 1 s', 'in 2 s']);
    process.kill(pid, 'SIGKILL');
    expect(await dev.exit).toEqual({ code: 1, signal: null });
    expect(dev.stderr()).toMatch(
      /^mo: dev-0: died \(killed by SIGKILL\); it died 5 times within 60 s: giving up, stopping the dev cluster$/m,
    );
    await waitFor('the scheduler to be stopped', async () => !(await isAlive(scheduler.pid)));
  });
});
