// The conformance suite every Store must pass (SQLite now, etcd next), through the interface only.
// A store's test file calls describeStoreConformance with a name and a function that opens a
// store on a directory; opening the same directory again must see the same data.
import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store, StoreKind, StoreOp } from './store.js';

const KINDS: StoreKind[] = [
  'workload',
  'node',
  'meta',
  'pipeline',
  'artifact',
  'idempotency',
  'token',
  'job',
  'job-version',
  'deployment',
];

export function describeStoreConformance(name: string, open: (dir: string) => Promise<Store>): void {
  describe(`store conformance: ${name}`, () => {
    const dirs: string[] = [];
    const opened: Store[] = [];

    /** A fresh directory and a store open on it. */
    async function fresh(): Promise<{ dir: string; store: Store }> {
      const dir = mkdtempSync(join(tmpdir(), `mo-store-${name}-`));
      dirs.push(dir);
      return { dir, store: await reopen(dir) };
    }
    async function reopen(dir: string): Promise<Store> {
      const store = await open(dir);
      opened.push(store);
      return store;
    }
    afterEach(async () => {
      await Promise.allSettled(opened.splice(0).map((s) => s.close()));
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    });

    const put = (id: string, value: unknown, kind: StoreKind = 'workload'): StoreOp => ({ kind, id, value });
    const del = (id: string, kind: StoreKind = 'workload'): StoreOp => ({ kind, id, value: null });

    it('loads nothing from an empty store, for every kind', async () => {
      const { store } = await fresh();
      for (const kind of KINDS) expect(await store.load(kind)).toEqual([]);
    });

    it('puts, overwrites and deletes records', async () => {
      const { store } = await fresh();
      await store.commit([put('w1', { state: 'pending' }), put('w2', { state: 'pending' })]);
      expect(await store.load('workload')).toEqual([
        { id: 'w1', value: { state: 'pending' } },
        { id: 'w2', value: { state: 'pending' } },
      ]);
      await store.commit([put('w1', { state: 'running' })]);
      await store.commit([del('w2')]);
      expect(await store.load('workload')).toEqual([{ id: 'w1', value: { state: 'running' } }]);
    });

    it('treats deleting a record that does not exist as a no-op', async () => {
      const { store } = await fresh();
      await store.commit([del('never-there')]);
      expect(await store.load('workload')).toEqual([]);
    });

    it('round-trips JSON values of every shape', async () => {
      const { store } = await fresh();
      const values: unknown[] = [
        { nested: { list: [1, 'two', null, true], empty: {} } },
        'a string with "quotes", \\ and ünïcödé 🚀',
        42.5,
        false,
        [],
      ];
      await store.commit(values.map((v, i) => put(`v${i}`, v)));
      expect((await store.load('workload')).map((r) => r.value)).toEqual(values);
    });

    it('loads records in id order, whatever the commit order', async () => {
      const { store } = await fresh();
      const ids = ['01J0C', '01J0A', '01J0D', '01J0B'];
      await store.commit(ids.map((id) => put(id, id)));
      expect((await store.load('workload')).map((r) => r.id)).toEqual([...ids].sort());
    });

    it('applies the ops of one commit in order', async () => {
      const { store } = await fresh();
      await store.commit([put('a', 1), put('a', 2), put('b', 1), del('b'), del('c'), put('c', 3)]);
      expect(await store.load('workload')).toEqual([
        { id: 'a', value: 2 },
        { id: 'c', value: 3 },
      ]);
    });

    it('applies a commit with an invalid op not at all', async () => {
      const { store } = await fresh();
      await store.commit([put('a', 'before')]);
      await expect(store.commit([put('a', 'after'), put('b', 1), put('bad', 10n)])).rejects.toThrow(/bad/);
      expect(await store.load('workload')).toEqual([{ id: 'a', value: 'before' }]);
    });

    it('keeps kinds separate: the same id in two kinds is two records', async () => {
      const { store } = await fresh();
      await store.commit([put('x', 'a workload', 'workload'), put('x', 'a node', 'node'), put('x', 'meta', 'meta')]);
      await store.commit([del('x', 'node')]);
      expect(await store.load('workload')).toEqual([{ id: 'x', value: 'a workload' }]);
      expect(await store.load('node')).toEqual([]);
      expect(await store.load('meta')).toEqual([{ id: 'x', value: 'meta' }]);
    });

    it('keeps a job, its versions and deployments: one commit, loaded in id order (versions zero-padded)', async () => {
      const { dir, store } = await fresh();
      await store.commit([
        put('web', { version: 2 }, 'job'),
        put('web/0000000010', { version: 10 }, 'job-version'),
        put('web/0000000002', { version: 2 }, 'job-version'),
        put('web/000000000000100/2', { state: 'running' }, 'deployment'),
      ]);
      await store.commit([del('web/0000000002', 'job-version')]);
      await store.close();
      const again = await reopen(dir);
      expect(await again.load('job')).toEqual([{ id: 'web', value: { version: 2 } }]);
      expect(await again.load('job-version')).toEqual([{ id: 'web/0000000010', value: { version: 10 } }]);
      expect(await again.load('deployment')).toEqual([{ id: 'web/000000000000100/2', value: { state: 'running' } }]);
    });

    it('keeps every committed record across close and reopen', async () => {
      const { dir, store } = await fresh();
      await store.commit([put('w1', { n: 1 }), put('n1', { up: true }, 'node')]);
      await store.commit([put('w2', { n: 2 }), del('w1')]);
      await store.close();
      const again = await reopen(dir);
      expect(await again.load('workload')).toEqual([{ id: 'w2', value: { n: 2 } }]);
      expect(await again.load('node')).toEqual([{ id: 'n1', value: { up: true } }]);
    });

    it('keeps a record of every kind across close and reopen', async () => {
      const { dir, store } = await fresh();
      await store.commit(KINDS.map((kind) => put('r1', { kind }, kind)));
      await store.close();
      const again = await reopen(dir);
      for (const kind of KINDS) expect(await again.load(kind)).toEqual([{ id: 'r1', value: { kind } }]);
    });

    it('stores the value as it was when commit was called', async () => {
      const { store } = await fresh();
      const value = { state: 'pending' };
      const committed = store.commit([put('w', value)]);
      value.state = 'mutated after the call';
      await committed;
      expect(await store.load('workload')).toEqual([{ id: 'w', value: { state: 'pending' } }]);
    });

    it('lands every one of many concurrent commits', async () => {
      const { dir, store } = await fresh();
      const n = 500;
      await Promise.all(
        Array.from({ length: n }, (_, i) =>
          store.commit([put(`w${String(i).padStart(4, '0')}`, { i }), put(`n${i % 7}`, { last: i }, 'node')]),
        ),
      );
      expect(await store.load('workload')).toHaveLength(n);
      await store.close();
      const again = await reopen(dir);
      expect(await again.load('workload')).toHaveLength(n);
      expect(await again.load('node')).toHaveLength(7);
    });

    it('applies concurrent commits in call order', async () => {
      const { store } = await fresh();
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.commit([put('same', i)])));
      expect(await store.load('workload')).toEqual([{ id: 'same', value: 49 }]);
    });

    it('sees, in load, every commit called before it', async () => {
      const { store } = await fresh();
      const committed = store.commit([put('w', 1)]);
      expect(await store.load('workload')).toEqual([{ id: 'w', value: 1 }]);
      await committed;
    });

    it('rejects only the caller whose op fails; the concurrent others land', async () => {
      const { store } = await fresh();
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      const results = await Promise.allSettled([
        store.commit([put('ok1', 1)]),
        store.commit([put('big', 10n)]),
        store.commit([put('ok2', 2)]),
        store.commit([put('loop', circular), put('loop-sibling', 'must not land')]),
        store.commit([put('ok3', 3)]),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
      expect((await store.load('workload')).map((r) => r.id)).toEqual(['ok1', 'ok2', 'ok3']);
    });

    it.each<[string, StoreOp, RegExp]>([
      ['an unknown kind', { kind: 'nope' as StoreKind, id: 'x', value: 1 }, /kind/],
      ['an empty id', { kind: 'workload', id: '', value: 1 }, /id/],
      ['an undefined value', { kind: 'workload', id: 'x', value: undefined }, /undefined|null/],
      ['a function value', { kind: 'workload', id: 'x', value: () => 1 }, /JSON/],
      ['a BigInt inside the value', { kind: 'workload', id: 'x', value: { n: 1n } }, /JSON|BigInt/],
    ])('rejects a commit with %s, naming the record', async (_, op, reason) => {
      const { store } = await fresh();
      const err = await store.commit([op]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(reason);
      expect((err as Error).message).toContain(op.kind);
    });

    it('resolves an empty commit', async () => {
      const { store } = await fresh();
      await expect(store.commit([])).resolves.toBeUndefined();
    });

    it('flushes commits still pending when close is called', async () => {
      const { dir, store } = await fresh();
      const committed = Array.from({ length: 20 }, (_, i) => store.commit([put(`w${i}`, i)]));
      await store.close();
      await Promise.all(committed);
      const again = await reopen(dir);
      expect(await again.load('workload')).toHaveLength(20);
    });

    it('rejects every call after close with a clear error; close itself may be repeated', async () => {
      const { store } = await fresh();
      await store.close();
      await expect(store.commit([put('w', 1)])).rejects.toThrow(/closed/);
      await expect(store.load('workload')).rejects.toThrow(/closed/);
      await expect(store.close()).resolves.toBeUndefined();
    });
  });
}
