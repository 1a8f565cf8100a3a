// WorkloadStore (the agent's records on disk), with its pool of spare workload directories: a
// create renames a spare into place instead of allocating inodes on the start path.
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { canMountTmpfs, mountTmpfs, requireTool, type Tmpfs } from '@mo/testkit';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkloadRecord } from '../workloads/record.js';
import { WorkloadStore } from './workload-store.js';
import { LoopBudget } from '../loop-budget.js';

const record = (id: string, state: WorkloadRecord['state']) =>
  ({ spec: { id }, state, reason: state, createdAtMs: 1, startedAtMs: 0, events: [] }) as unknown as WorkloadRecord;

/** A workload's directory once created (sorted). */
const TASK_FILES = ['exit.tmp', 'output', 'started.tmp', 'work', 'workload.json'];

const dirs: string[] = [];
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mo-store-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const disks: Tmpfs[] = [];
afterAll(async () => {
  for (const d of disks) await d.unmount();
});

async function until(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('WorkloadStore', () => {
  it('writes each record atomically into the workload directory, from a spare when one is ready', async () => {
    const dir = dataDir();
    const store = new WorkloadStore(dir, undefined, { spareDirs: 3 });
    await until('three spares', () => store.spareCount === 3);
    expect(readdirSync(join(dir, 'spare'))).toHaveLength(3);

    const a = record('a', 'starting');
    await store.create(a);
    expect(store.spareCount).toBeLessThan(3); // one was used...
    await until('the pool refilled', () => store.spareCount === 3); // ...and replaced in the background
    // The record, no temp file of it left behind, and the files the shim will write its records
    // over, sized for them ahead (so a full disk cannot lose them: mo-shim/records.c RECORD_SLOT); the
    // workload's own `work` dir and `output` file, private until handed over.
    expect(readdirSync(store.dirOf('a')).sort()).toEqual(TASK_FILES);
    for (const f of ['exit.tmp', 'started.tmp']) expect(statSync(join(store.dirOf('a'), f)).size).toBe(2048);
    const modes = ['.', 'work', 'output', 'workload.json'].map((f) => statSync(join(store.dirOf('a'), f)).mode & 0o777);
    expect(modes).toEqual([0o711, 0o700, 0o600, 0o600]);
    expect(JSON.parse(readFileSync(join(store.dirOf('a'), 'workload.json'), 'utf8'))).toMatchObject({
      state: 'starting',
    });

    a.state = 'running';
    await store.save(a);
    expect(store.loadAll(() => undefined).map((r) => [r.spec.id, r.state])).toEqual([['a', 'running']]);
    await store.remove('a');
    expect(existsSync(store.dirOf('a'))).toBe(false);
  });

  it('creates directly when no spare is ready, and keeps working with the pool off', async () => {
    const store = new WorkloadStore(dataDir(), undefined, { spareDirs: 0 });
    for (const id of ['x', 'y']) await store.create(record(id, 'starting'));
    expect(store.spareCount).toBe(0);
    expect(
      store
        .loadAll(() => undefined)
        .map((r) => r.spec.id)
        .sort(),
    ).toEqual(['x', 'y']);
  });

  it("hands the workload's work dir (with what is in it) and output file to its user, never through a link", async () => {
    if (!requireTool(process.getuid?.() === 0, 'root (to give files away)')) return;
    const store = new WorkloadStore(dataDir(), undefined, { spareDirs: 0 });
    await store.create(record('h', 'starting'));
    const dir = store.dirOf('h');
    mkdirSync(join(dir, 'work', 'in', 'deep'), { recursive: true });
    writeFileSync(join(dir, 'work', 'in', 'deep', 'input.bin'), 'x');
    const outside = join(dataDir(), 'not-the-workloads');
    writeFileSync(outside, 'keep');
    symlinkSync(outside, join(dir, 'work', 'link'));
    store.handOver('h', { uid: 65534, gid: 65534 }, true);
    const owner = (p: string) => {
      const st = lstatSync(join(dir, p));
      return `${st.uid}:${st.gid}`;
    };
    for (const p of ['work', 'work/in', 'work/in/deep', 'work/in/deep/input.bin', 'work/link', 'output']) {
      expect([p, owner(p)]).toEqual([p, '65534:65534']);
    }
    for (const p of ['.', 'workload.json']) expect([p, owner(p)]).toEqual([p, '0:0']);
    expect(statSync(outside).uid).toBe(0);
  });

  it('refuses a workload directory that already has content, and keeps the spare', async () => {
    const dir = dataDir();
    const errors: string[] = [];
    const store = new WorkloadStore(dir, (id) => errors.push(id), { spareDirs: 1 });
    await until('a spare', () => store.spareCount === 1);
    mkdirSync(store.dirOf('taken'));
    writeFileSync(join(store.dirOf('taken'), 'stdout.log'), 'someone else');
    await expect(store.create(record('taken', 'starting'))).rejects.toThrow(/ENOTEMPTY|EEXIST/);
    expect(errors).toEqual(['taken']);
    expect(store.spareCount).toBe(1);
    expect(readFileSync(join(store.dirOf('taken'), 'stdout.log'), 'utf8')).toBe('someone else');
  });

  it('writes saveLater records once creates pause, or on flush; a remove drops a pending one', async () => {
    const store = new WorkloadStore(dataDir(), undefined, { spareDirs: 0 });
    const stateOnDisk = (id: string) =>
      (JSON.parse(readFileSync(join(store.dirOf(id), 'workload.json'), 'utf8')) as WorkloadRecord).state;
    const a = record('a', 'starting');
    const b = record('b', 'starting');
    const c = record('c', 'starting');
    for (const r of [a, b, c]) await store.create(r);

    a.state = 'succeeded';
    store.saveLater(a);
    expect(stateOnDisk('a')).toBe('starting'); // not yet: starts are in progress
    await until('a written after the pause', () => stateOnDisk('a') === 'succeeded');

    // Written as it is when written: a later change is in it.
    b.state = 'failed';
    store.saveLater(b);
    b.reason = 'changed after saveLater';
    await store.flush();
    expect(JSON.parse(readFileSync(join(store.dirOf('b'), 'workload.json'), 'utf8'))).toMatchObject({
      state: 'failed',
      reason: 'changed after saveLater',
    });

    c.state = 'stopped';
    store.saveLater(c);
    await store.remove('c');
    await new Promise((r) => setTimeout(r, 60)); // past the pause: nothing recreates it
    await store.flush();
    expect(existsSync(store.dirOf('c'))).toBe(false);
  });

  it('writes many saveLater records over several loop turns: each as it is then, a removed one not written back', async () => {
    const turns = new LoopBudget(0); // a share that one write spends: one write per turn
    const store = new WorkloadStore(dataDir(), undefined, { spareDirs: 0, turns });
    const stateOnDisk = (id: string) =>
      (JSON.parse(readFileSync(join(store.dirOf(id), 'workload.json'), 'utf8')) as WorkloadRecord).state;
    const records = Array.from({ length: 40 }, (_, i) => record(`w${i}`, 'starting'));
    for (const r of records) await store.create(r);
    for (const r of records) {
      r.state = 'succeeded';
      store.saveLater(r); // the 32nd starts the writes at once (LATER_MAX)
    }
    // Written over turns: one removed meanwhile is not written back, one saved meanwhile keeps its save.
    await store.remove('w39');
    records[38]!.state = 'failed';
    await store.save(records[38]!);
    await store.flush();
    for (const r of records.slice(0, 38)) expect(stateOnDisk(r.spec.id)).toBe('succeeded');
    expect(stateOnDisk('w38')).toBe('failed');
    expect(existsSync(store.dirOf('w39'))).toBe(false);
    expect(turns.waiting).toBe(0);
  });

  it('makes spares and writes deferred records on the event loop while the disk is fast', async () => {
    const dir = dataDir();
    const store = new WorkloadStore(dir, undefined, { spareDirs: 3 });
    expect(store.spareCount).toBe(1); // made synchronously, in the constructor
    await new Promise((r) => setImmediate(r));
    expect(store.spareCount).toBe(2); // one per turn of the loop
    await until('three spares', () => store.spareCount === 3);
    const r = record('a', 'starting');
    await store.create(r);
    r.state = 'running';
    store.saveLater(r);
    r.state = 'succeeded';
    store.saveLater(r);
    await until('the record written', () =>
      readFileSync(join(store.dirOf('a'), 'workload.json'), 'utf8').includes('succeeded'),
    );
    // The second save kept the first one's record as its next temp file (record-file.ts).
    expect(readdirSync(store.dirOf('a')).sort()).toEqual([...TASK_FILES, 'workload.json.tmp']);
    await until('the pool refilled', () => store.spareCount === 3);
  });

  it('adopts the spares a previous run left and removes anything else in their place', async () => {
    const dir = dataDir();
    const first = new WorkloadStore(dir, undefined, { spareDirs: 2 });
    await until('two spares', () => first.spareCount === 2);
    mkdirSync(join(dir, 'spare', 'half-made')); // a crash between mkdir and the temp file
    const second = new WorkloadStore(dir, undefined, { spareDirs: 2 });
    expect(second.spareCount).toBe(2);
    await until('the half-made one removed', () => !existsSync(join(dir, 'spare', 'half-made')));
    // Workload records are not mistaken for spares, nor spares for workloads.
    expect(second.loadAll(() => undefined)).toEqual([]);
  });

  it('on a full disk refuses a create with UNAVAILABLE, leaving nothing, and retries a failed save', async () => {
    if (!requireTool(canMountTmpfs(), 'root (to mount a tmpfs)')) return;
    const disk = mountTmpfs('mo-store-full', 1024 * 1024);
    disks.push(disk);
    const errors: string[] = [];
    const store = new WorkloadStore(disk.dir, (id, err) => errors.push(`${id}: ${(err as Error).message}`), {
      spareDirs: 2,
    });
    await until('two spares', () => store.spareCount === 2);
    const kept = record('kept', 'starting');
    await store.create(kept);
    await until('the pool refilled', () => store.spareCount === 2);
    disk.fill();
    expect(disk.freeBytes()).toBe(0);

    // From a spare (it goes back to the pool) and, with the pool empty, made directly.
    const refusal = /^the agent's data dir .*\/workloads is full \(ENOSPC: no space left\): cannot record workload/;
    await expect(store.create(record('spared', 'starting'))).rejects.toMatchObject({
      code: 14, // UNAVAILABLE
      message: expect.stringMatching(refusal),
    });
    expect(store.spareCount).toBe(2);
    const direct = new WorkloadStore(join(disk.dir, 'other'), undefined, { spareDirs: 0 }); // its own data dir
    await expect(direct.create(record('direct', 'starting'))).rejects.toMatchObject({
      code: 14, // UNAVAILABLE
      message: expect.stringMatching(refusal),
    });
    expect(readdirSync(join(disk.dir, 'workloads'))).toEqual(['kept']);
    expect(readdirSync(join(disk.dir, 'other', 'workloads'))).toEqual([]);
    // Spares that cannot be made on a full disk are not left half-made, and the pool stops trying
    // until the next create (made in place, it stops at the first failure).
    const spareErrors: unknown[] = [];
    new WorkloadStore(join(disk.dir, 'hungry'), (_, err) => spareErrors.push(err), { spareDirs: 2 });
    await until('a failed spare reported', () => spareErrors.length > 0);
    await until('the half-made spares removed', () => readdirSync(join(disk.dir, 'hungry', 'spare')).length === 0);
    await new Promise((r) => setTimeout(r, 50));
    expect(spareErrors.length).toBeLessThanOrEqual(2);
    expect(String(spareErrors[0])).toMatch(/ENOSPC/);

    // A save that fails keeps the record to write later; the one on disk is the last good one.
    kept.state = 'failed';
    await expect(store.save(kept)).rejects.toThrow(/ENOSPC/);
    expect(store.unsavedCount).toBe(1);
    const onDisk = () =>
      (JSON.parse(readFileSync(join(store.dirOf('kept'), 'workload.json'), 'utf8')) as WorkloadRecord).state;
    expect(onDisk()).toBe('starting');
    kept.reason = 'changed while the disk was full'; // written as it is when the retry succeeds
    disk.unfill();
    await until('the retry wrote it', () => store.unsavedCount === 0);
    expect(onDisk()).toBe('failed');
    expect(JSON.parse(readFileSync(join(store.dirOf('kept'), 'workload.json'), 'utf8'))).toMatchObject({
      reason: 'changed while the disk was full',
    });
    // Reported once each, not at every retry.
    expect(errors.filter((e) => e.startsWith('kept:'))).toHaveLength(1);
    expect(errors.filter((e) => e.startsWith('spared:'))).toHaveLength(1);
  });
});
