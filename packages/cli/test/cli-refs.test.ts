// Workload references, `mo ps`, `mo stop` with several workloads and `mo wait`, with the built `mo`
// against a real scheduler and two real agents: ids, id prefixes and names resolve to workloads
// (and an ambiguous one lists its candidates), ps filters are the scheduler's, waits end with the
// worst result's exit code.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runMo, startCluster, waitFor, type Cluster, type MoResult } from '@mo/testkit';

let cluster: Cluster;

function mo(...args: string[]): Promise<MoResult> {
  return runMo(args, { env: { MO_SCHEDULER_ADDR: cluster.scheduler.grpcAddress } });
}

interface WorkloadJson {
  id: string;
  state: string;
  nodeName: string;
  spec: { name: string; labels: Record<string, string> };
}

/** `mo start --json …` → the new workload's id. */
async function start(...args: string[]): Promise<string> {
  const r = await mo('start', '--json', ...args);
  expect(r).toMatchObject({ code: 0 });
  return (JSON.parse(r.stdout) as { workload: WorkloadJson }).workload.id;
}

async function ps(...args: string[]): Promise<WorkloadJson[]> {
  const r = await mo('ps', '--json', ...args);
  expect(r).toMatchObject({ code: 0, stderr: '' });
  return (JSON.parse(r.stdout) as { workloads: WorkloadJson[] }).workloads;
}

const sorted = (ids: readonly string[]) => [...ids].sort();

/** The longest prefix two of `ids` share. */
function sharedPrefix(ids: readonly string[]): string {
  let best = '';
  for (const a of ids) {
    for (const b of ids) {
      let n = 0;
      while (a !== b && n < a.length && a[n] === b[n]) n++;
      if (n > best.length) best = a.slice(0, n);
    }
  }
  return best;
}

/** The shortest prefix of `id` (6+ characters) that no other id shares. */
function uniquePrefix(id: string, others: readonly string[]): string {
  for (let n = 6; n < id.length; n++)
    if (!others.some((o) => o !== id && o.startsWith(id.slice(0, n)))) return id.slice(0, n);
  return id;
}

let twins: string[];
let solo: string;
let onNode1: string;

beforeAll(async () => {
  cluster = await startCluster({ agents: 2 });
  twins = [
    await start('--name', 'twin', '--label', 'suite=refs', '--label', 'pair=yes', '--', 'sleep', '300'),
    await start('--name', 'twin', '--label', 'suite=refs', '--', 'sleep', '300'),
  ];
  solo = await start('--name', 'solo', '--label', 'suite=refs', '--', 'sh', '-c', 'echo solo says hi; sleep 300');
  onNode1 = await start('--name', 'pinned', '--node', 'node-1', '--', 'sleep', '300');
  await waitFor('the sleepers to run', async () => (await ps('--state', 'running')).length === 4);
}, 60_000);

afterAll(async () => {
  // Leave nothing running: every workload still alive is stopped before the daemons go.
  const { workloads } = await cluster.scheduler.client.listAllWorkloads({
    states: ['WORKLOAD_STATE_PENDING', 'WORKLOAD_STATE_STARTING', 'WORKLOAD_STATE_RUNNING'],
  });
  await Promise.allSettled(workloads.map((w) => cluster.scheduler.client.stopWorkload(w.id, 500)));
  await cluster.stop();
});

describe('workload references', () => {
  it('takes the name of a live workload, and a unique id prefix in any case', async () => {
    const byName = await mo('status', 'solo', '--json');
    expect(byName.code).toBe(0);
    expect((JSON.parse(byName.stdout) as WorkloadJson).id).toBe(solo);

    const all = (await ps('--all')).map((w) => w.id);
    const prefix = uniquePrefix(solo, all).toLowerCase();
    const byPrefix = await mo('status', prefix);
    expect(byPrefix.code).toBe(0);
    expect(byPrefix.stdout).toMatch(/^state\s+running$/m);
    expect(byPrefix.stdout).toContain(solo);

    await waitFor('the greeting by name', async () => (await mo('logs', 'solo')).stdout === 'solo says hi\n');
  });

  it('refuses a name two live workloads carry, listing both (exit 2; candidates in the JSON error)', async () => {
    const r = await mo('status', 'twin');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mo: "twin" is ambiguous: 2 live workloads are named twin; give an id:$/m);
    for (const id of twins) expect(r.stderr).toMatch(new RegExp(`^  ${id}  twin  running  node-[12]$`, 'm'));

    const json = await mo('logs', 'twin', '--json');
    expect(json.code).toBe(2);
    const doc = JSON.parse(json.stdout) as { error: { code: string; candidates: { id: string }[] } };
    expect(doc.error.code).toBe('INVALID_ARGUMENT');
    expect(sorted(doc.error.candidates.map((c) => c.id))).toEqual(sorted(twins));
  });

  it('refuses an id prefix several workloads share (their timestamp), and names what matched nothing', async () => {
    // Ids made within a second share their timestamp's first 7 or 8 characters.
    const prefix = sharedPrefix([...twins, solo, onNode1]);
    expect(prefix.length).toBeGreaterThanOrEqual(6);
    const shared = await mo('stop', prefix.toLowerCase());
    expect(shared.code).toBe(2);
    expect(shared.stderr).toMatch(/is ambiguous: \d+ workload ids start with it/);
    expect((await ps('--state', 'running')).map((w) => w.id)).toContain(solo); // nothing was stopped

    const none = await mo('status', 'no-such-workload', '--json');
    expect(none.code).toBe(1);
    expect(JSON.parse(none.stdout)).toEqual({
      error: { code: 'NOT_FOUND', message: 'no workload "no-such-workload": no live workload has that name' },
    });
    const short = await mo('events', '--workload', 'ABC12');
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/--workload: "ABC12": an id prefix needs at least 6 characters/);
  });
});

describe('mo ps', () => {
  it('lists live workloads as a table with short ids', async () => {
    const r = await mo('ps');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ID\s+NAME\s+STATE\s+NODE\s+AGE\s+COMMAND$/m);
    expect(r.stdout).toMatch(
      new RegExp(`^${solo.slice(0, 12)}[0-9A-Z]*\\s+solo\\s+running\\s+node-[12]\\s+\\S+\\s+sh -c`, 'm'),
    );
    expect(r.stdout).toMatch(new RegExp(`^${onNode1.slice(0, 12)}[0-9A-Z]*\\s+pinned\\s+running\\s+node-1\\s`, 'm'));
  });

  it('filters by label, name, node and state on the scheduler', async () => {
    expect(sorted((await ps('--label', 'suite=refs')).map((w) => w.id))).toEqual(sorted([...twins, solo]));
    expect((await ps('--label', 'suite=refs', '--label', 'pair=yes')).map((w) => w.id)).toEqual([twins[0]]);
    expect(sorted((await ps('--name', 'twin')).map((w) => w.id))).toEqual(sorted(twins));
    const node1 = await ps('--node', 'node-1');
    expect(node1.map((w) => w.id)).toContain(onNode1);
    expect(node1.every((w) => w.nodeName === 'node-1')).toBe(true);
    expect(await ps('--state', 'pending,failed', '--label', 'suite=refs')).toEqual([]);

    const bad = await mo('ps', '--state', 'running,sleeping');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^mo: --state: expected pending, starting, running, .*; got "sleeping"/m);
    const noNode = await mo('ps', '--node', 'node-9');
    expect(noNode.code).toBe(2);
    expect(noNode.stderr).toMatch(/--node: no node named \(or with id\) "node-9"/);
  });

  it('shows ended workloads only with --all (or --state)', async () => {
    const done = await start('--name', 'done-once', '--wait=exit', '--', 'true');
    expect((await ps('--name', 'done-once')).length).toBe(0);
    expect((await ps('--all', '--name', 'done-once')).map((w) => [w.id, w.state])).toEqual([
      [done, 'WORKLOAD_STATE_SUCCEEDED'],
    ]);
    expect((await ps('--state', 'succeeded', '--name', 'done-once')).map((w) => w.id)).toEqual([done]);
  });
});

describe('mo stop and mo wait with several workloads', () => {
  it('waits for every named workload; the exit code is the worst result', async () => {
    const ok = await start('--', 'true');
    const ok2 = await start('--', 'sh', '-c', 'sleep 0.3');
    const fails = await start('--', 'sh', '-c', 'sleep 0.3; exit 3');
    const good = await mo('wait', ok, ok2);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(new RegExp(`^${ok} succeeded on node-[12] \\(exit 0\\)$`, 'm'));
    expect(good.stdout).toMatch(new RegExp(`^${ok2} succeeded`, 'm'));

    const bad = await mo('wait', '--json', ok, fails);
    expect(bad.code).toBe(4);
    const doc = JSON.parse(bad.stdout) as { workloads: WorkloadJson[]; waiting: string[] };
    expect(doc.workloads.map((w) => [w.id, w.state])).toEqual([
      [ok, 'WORKLOAD_STATE_SUCCEEDED'],
      [fails, 'WORKLOAD_STATE_FAILED'],
    ]);
    expect(doc.waiting).toEqual([]);
    expect(bad.stderr).toMatch(new RegExp(`^mo: 1 of 2 did not succeed: ${fails}$`, 'm'));

    const timedOut = await mo('wait', ok, 'solo', '--timeout', '300ms');
    expect(timedOut.code).toBe(5);
    expect(timedOut.stderr).toMatch(new RegExp(`^mo: gave up after 300 ms; still going: ${solo}$`, 'm'));
  });

  it('stops the live workloads a selector picks, without asking off a terminal', async () => {
    const waiting = mo('wait', ...twins);
    const r = await mo('stop', '--name', 'twin', '--grace', '1s');
    expect(r.code).toBe(0);
    for (const id of twins) expect(r.stdout).toMatch(new RegExp(`^${id} stopped on node-[12]`, 'm'));
    const waited = await waiting;
    expect(waited.code).toBe(4); // stopped is not succeeded
    expect(waited.stdout.trim().split('\n')).toHaveLength(2);

    const again = await mo('stop', '--name', 'twin');
    expect(again).toMatchObject({ code: 0, stdout: '' });
    expect(again.stderr).toBe('mo stop: no live workload matches\n');
  });

  it('stops the others when one of several fails, and exits with that failure', async () => {
    const missing = '01JZZZZZZZZZZZZZZZZZZZZZZZ';
    const r = await mo('stop', '--json', 'solo', missing);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { workloads: WorkloadJson[]; failed: { id: string; code: string }[] };
    expect(doc.workloads.map((w) => [w.id, w.state])).toEqual([[solo, 'WORKLOAD_STATE_STOPPED']]);
    expect(doc.failed).toEqual([expect.objectContaining({ id: missing, code: 'NOT_FOUND' })]);
    expect(r.stderr).toMatch(/^mo: 1 of 2 workloads were not stopped$/m);

    const usage = await mo('stop', solo, '--label', 'suite=refs');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--label: give workload ids or selectors/);
  });
});
