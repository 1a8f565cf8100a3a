// SqliteStore: the shared Store conformance suite, plus what only SQLite has: group commit into
// one transaction, per-caller savepoints, the schema version, the data-dir lock, and durability
// of every acknowledged commit across a SIGKILL of a real writer process.
import { afterEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  SQLITE_SCHEMA_VERSION,
  SqliteStore,
  StoreLockedError,
  StoreSchemaError,
  openSqliteStore,
  type SqliteStoreOptions,
} from './sqlite-store.js';
import { describeStoreConformance } from './store-conformance.js';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const STORE_MODULE = new URL('./sqlite-store.ts', import.meta.url).href;

describeStoreConformance('sqlite', async (dir) => openSqliteStore(join(dir, 'scheduler.db')));

describe('SqliteStore', () => {
  const dirs: string[] = [];
  const stores: SqliteStore[] = [];
  afterEach(async () => {
    await Promise.allSettled(stores.splice(0).map((s) => s.close()));
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  function dbPath(): string {
    const dir = mkdtempSync(join(tmpdir(), 'mo-sqlite-'));
    dirs.push(dir);
    return join(dir, 'nested', 'dirs', 'scheduler.db');
  }
  function open(path: string, options?: SqliteStoreOptions): SqliteStore {
    const s = openSqliteStore(path, options);
    stores.push(s);
    return s;
  }

  it('creates the parent directories of the database file', async () => {
    const path = dbPath();
    const store = open(path);
    await store.commit([{ kind: 'node', id: 'n1', value: {} }]);
    expect(existsSync(path)).toBe(true);
  });

  it('groups the commits of one tick into a single transaction', async () => {
    const store = open(dbPath());
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => store.commit([{ kind: 'workload', id: `w${i}`, value: i }])),
    );
    expect(store.stats()).toEqual({ commits: 100, transactions: 1 });
    await store.commit([{ kind: 'workload', id: 'later', value: 1 }]);
    expect(store.stats()).toEqual({ commits: 101, transactions: 2 });
  });

  it('rolls back only the failing caller when SQLite rejects an op inside a grouped transaction', async () => {
    const path = dbPath();
    await open(path).close();
    // A trigger makes one id fail inside SQLite itself, after its caller's earlier ops ran.
    const raw = new Database(path);
    raw.exec(`CREATE TRIGGER poison BEFORE INSERT ON records WHEN NEW.id = 'poison'
              BEGIN SELECT RAISE(ABORT, 'poisoned by the test'); END`);
    raw.close();
    const store = open(path);
    const results = await Promise.allSettled([
      store.commit([{ kind: 'workload', id: 'a', value: 1 }]),
      store.commit([
        { kind: 'workload', id: 'b', value: 2 },
        { kind: 'workload', id: 'poison', value: 3 },
      ]),
      store.commit([{ kind: 'workload', id: 'c', value: 4 }]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/poisoned by the test/);
    expect((await store.load('workload')).map((r) => r.id)).toEqual(['a', 'c']);
    expect(store.stats().transactions).toBe(1);
  });

  it('keeps commits made with synchronous: full', async () => {
    const path = dbPath();
    const store = open(path, { synchronous: 'full' });
    await Promise.all([1, 2, 3].map((i) => store.commit([{ kind: 'workload', id: `w${i}`, value: i }])));
    await store.close();
    expect(await open(path).load('workload')).toHaveLength(3);
  });

  it.each<[string, SqliteStoreOptions, RegExp]>([
    ['an unknown synchronous mode', { synchronous: 'off' as 'full' }, /synchronous/],
    ['a negative busy timeout', { busyTimeoutMs: -1 }, /busyTimeoutMs/],
  ])('refuses %s', (_, options, message) => {
    expect(() => open(dbPath(), options)).toThrow(message);
  });

  it('refuses a file whose schema version is newer than the code, and leaves it untouched', async () => {
    const path = dbPath();
    await open(path).close();
    const raw = new Database(path);
    raw.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(String(SQLITE_SCHEMA_VERSION + 1));
    raw.close();
    expect(() => open(path)).toThrow(StoreSchemaError);
    expect(() => open(path)).toThrow(`has schema version ${SQLITE_SCHEMA_VERSION + 1}, newer than this mo-scheduler`);
    const check = new Database(path);
    expect(check.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get()).toEqual({
      value: String(SQLITE_SCHEMA_VERSION + 1),
    });
    check.close();
  });

  it('refuses a file that is not an SQLite database', () => {
    const path = dbPath();
    open(path).close();
    writeFileSync(path, 'not a database, definitely not one, this is text '.repeat(100));
    expect(() => open(path)).toThrow(/is not an SQLite database/);
  });

  it('refuses a second open of the same file while the first is open, then allows it after close', async () => {
    const path = dbPath();
    const first = open(path);
    await first.commit([{ kind: 'workload', id: 'w', value: 1 }]);
    let err: unknown;
    try {
      open(path, { busyTimeoutMs: 50 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StoreLockedError);
    expect((err as Error).message).toMatch(
      new RegExp(`^the scheduler store ${path} is in use by another scheduler \\(pid ${process.pid} on .*only one`),
    );
    await first.close();
    expect(await open(path).load('workload')).toEqual([{ id: 'w', value: 1 }]);
  });

  // A real writer process commits in a loop (10 concurrent commits per round, so group commit is
  // on the path) and prints each id once its commit resolved. SIGKILL it mid-way: every printed
  // id must be in the store, and the dead writer's lock must not keep the next scheduler out.
  it('keeps every acknowledged commit when the writer is SIGKILLed, and its lock dies with it', async () => {
    const path = dbPath();
    const script = join(dirs[dirs.length - 1]!, 'writer.mjs');
    writeFileSync(
      script,
      `import { openSqliteStore } from ${JSON.stringify(STORE_MODULE)};
       const store = openSqliteStore(process.argv[2]);
       process.stdout.write('ready\\n');
       for (let i = 0; ; ) {
         const round = [];
         for (let k = 0; k < 10; k++, i++) {
           const id = 'w' + String(i).padStart(8, '0');
           round.push(store.commit([{ kind: 'workload', id, value: { i, pad: 'x'.repeat(200) } }])
             .then(() => process.stdout.write(id + '\\n')));
         }
         await Promise.all(round);
       }`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script, path], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acknowledged: string[] = [];
    let stderr = '';
    let buffered = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_, signal) => resolve(signal)));
    const target = 3000;
    let lockedWhileAlive: unknown;
    await new Promise<void>((resolve, reject) => {
      child.on('exit', () => reject(new Error(`writer exited early: ${stderr}`)));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`writer acknowledged only ${acknowledged.length} of ${target} commits in 20 s: ${stderr}`));
      }, 20_000);
      child.on('exit', () => clearTimeout(timer));
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          if (line === 'ready') {
            try {
              openSqliteStore(path, { busyTimeoutMs: 0 }).close();
            } catch (e) {
              lockedWhileAlive = e;
            }
          } else acknowledged.push(line);
        }
        if (acknowledged.length >= target) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    }).catch((e: unknown) => {
      if (acknowledged.length < target) throw e;
    });
    expect(await exited).toBe('SIGKILL');

    expect(lockedWhileAlive).toBeInstanceOf(StoreLockedError);
    expect((lockedWhileAlive as Error).message).toContain(`pid ${child.pid} `);

    const store = open(path);
    const stored = new Set((await store.load('workload')).map((r) => r.id));
    const lost = acknowledged.filter((id) => !stored.has(id));
    expect(lost).toEqual([]);
    expect(stored.size).toBeGreaterThanOrEqual(target);
  });
});
