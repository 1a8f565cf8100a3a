// The release tree (scripts/package.sh's tarball, the same tree the .deb installs) runs several
// schedulers on etcd: its bundle carries etcd3 and the loader of etcd3's .proto files, which a
// bundle once left behind (the scheduler failed on `--store etcd://` with a missing module). Two
// released schedulers on a real etcd: one leads, a keyed submission is stored, the leader is
// SIGKILLed and the other takes over with the submission there.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SchedulerClient } from '@mo/api';
import {
  etcdFound,
  requireTool,
  SCHEDULER_BIN,
  schedulerLeads,
  startEtcd,
  startSchedulerProcess,
  testClientOptions,
  waitFor,
  type EtcdServer,
  type SchedulerProcess,
} from '@mo/testkit';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const dpkgDebFound = spawnSync('dpkg-deb', ['--version'], { stdio: 'ignore' }).error === undefined;
const ready = requireTool(etcdFound(), 'etcd (Debian etcd-server)') && requireTool(dpkgDebFound, 'dpkg-deb');

const work = mkdtempSync(join(tmpdir(), 'mo-release-etcd-'));
let etcd: EtcdServer | undefined;
const schedulers: SchedulerProcess[] = [];
/** Runs the released node and bundle where testkit would run this checkout's. */
let wrap: string[] = [];

beforeAll(async () => {
  if (!ready) return;
  const built = spawnSync(join(REPO, 'scripts/package.sh'), ['--no-build', '--out', join(work, 'release')], {
    encoding: 'utf8',
    timeout: 10 * 60_000,
  });
  if (built.status !== 0) throw new Error(`package.sh exited ${built.status}\n${built.stderr}`);
  const tarball = built.stdout.split('\n').find((l) => l.endsWith('.tar.gz'))!;
  const root = join(work, 'root');
  mkdirSync(root);
  expect(spawnSync('tar', ['-C', root, '-xzf', tarball]).status).toBe(0);
  const lib = join(root, 'usr/lib/mo');
  // testkit starts `[...wrap, its node, flags…, SCHEDULER_BIN, args…]`: swap in the release's.
  const script = join(work, 'released.sh');
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      'shift',
      'for a in "$@"; do',
      '  shift',
      `  if [ "$a" = '${SCHEDULER_BIN}' ]; then set -- "$@" '${lib}/dist/mo-scheduler.js'; else set -- "$@" "$a"; fi`,
      'done',
      `echo "$@" >> '${work}/ran'`,
      `exec '${lib}/node' "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(script, 0o755);
  wrap = [script];
  etcd = await startEtcd();
}, 15 * 60_000);

afterAll(async () => {
  await Promise.allSettled(schedulers.map((s) => s.kill('SIGTERM')));
  await etcd?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the release tree on etcd', () => {
  it('elects a leader, stores a submission, and fails over to the other scheduler', async () => {
    if (!ready) return;
    const store = `etcd://${etcd!.endpoints.map((e) => e.replace(/^https?:\/\//, '')).join(',')}`;
    for (let i = 0; i < 2; i++) {
      schedulers.push(await startSchedulerProcess({ wrap, extraArgs: ['--store', store, '--lease-ttl', '2s'] }));
    }
    // Both ran the release's bundle.
    const ran = readFileSync(join(work, 'ran'), 'utf8').trim().split('\n');
    expect(ran).toHaveLength(2);
    for (const line of ran) expect(line).toContain(join(work, 'root/usr/lib/mo/dist/mo-scheduler.js'));
    const leaderOf = async () => {
      let found = -1;
      await waitFor('a leading released scheduler', async () => {
        for (let i = 0; i < schedulers.length; i++) if (await schedulerLeads(schedulers[i]!)) found = i;
        return found >= 0;
      });
      return found;
    };
    const first = await leaderOf();
    const client = new SchedulerClient(schedulers.map((s) => s.grpcAddress).join(','), testClientOptions());
    try {
      const { workload } = await client.submitWorkload({
        spec: { argv: ['true'], resources: { cpuMillis: 1, memoryBytes: 1 << 20 } },
        idempotencyKey: 'released',
      });
      await schedulers[first]!.kill('SIGKILL');
      const second = await leaderOf();
      expect(second).not.toBe(first);
      const again = await client.submitWorkload({
        spec: { argv: ['true'], resources: { cpuMillis: 1, memoryBytes: 1 << 20 } },
        idempotencyKey: 'released',
      });
      expect(again.workload!.id).toBe(workload!.id);
      expect(again.existing).toBe(true);
    } finally {
      client.close();
    }
  }, 120_000);
});
