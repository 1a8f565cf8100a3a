// The TokenTable on a real SQLite store in a temp dir, with a fake clock: create, check, revoke,
// the limit, reload, and the bootstrap token and its file.
import { afterEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore, type SqliteStore } from '../store/index.js';
import type { Store } from '../store/store.js';
import { BOOTSTRAP_TOKEN_FILE, bootstrapToken } from './bootstrap.js';
import { TokenTable } from './token-table.js';

const dirs: string[] = [];
const stores: SqliteStore[] = [];
afterEach(async () => {
  await Promise.allSettled(stores.splice(0).map((s) => s.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), `mo-tokens-${process.pid}-`));
  dirs.push(dir);
  return dir;
}

function open(dir: string): SqliteStore {
  const s = openSqliteStore(join(dir, 'scheduler.db'));
  stores.push(s);
  return s;
}

async function table(store: Store, clock = { now: 1_000_000 }, maxTokens?: number): Promise<TokenTable> {
  const t = new TokenTable({ store, now: () => clock.now, ...(maxTokens ? { maxTokens } : {}) });
  await t.load();
  return t;
}

describe('TokenTable', () => {
  it('makes a token whose text checks as its identity, storing only the hash', async () => {
    const dir = freshDir();
    const store = open(dir);
    const tokens = await table(store);
    const { record, text } = await tokens.create({ name: 'ci', access: 'operate', ttlMs: 0 }, 'token:bootstrap');
    expect(tokens.check(text)).toEqual({
      identity: { kind: 'token', name: 'ci', access: 'operate', tokenId: record.id },
    });
    expect(tokens.resolve(text)).toEqual({ kind: 'token', name: 'ci', access: 'operate', tokenId: record.id });
    const stored = await store.load('token');
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(text.slice(-43));
    expect(stored[0]!.value).toMatchObject({ name: 'ci', access: 'operate', createdBy: 'token:bootstrap' });
  });

  it('keeps tokens across a reopen of the store', async () => {
    const dir = freshDir();
    const store = open(dir);
    const { text } = await (await table(store)).create({ name: 'ci', access: 'read', ttlMs: 0 }, 'x');
    await store.close();
    const again = await table(open(dir));
    expect(again.resolve(text)).toMatchObject({ kind: 'token', name: 'ci' });
  });

  it('expires a token at its ttl', async () => {
    const clock = { now: 1_000_000 };
    const tokens = await table(open(freshDir()), clock);
    const { text, record } = await tokens.create({ name: 'short', access: 'read', ttlMs: 60_000 }, 'x');
    expect(record.expiresAtMs).toBe(1_060_000);
    clock.now = 1_059_999;
    expect(tokens.resolve(text)).toBeDefined();
    clock.now = 1_060_000;
    expect(tokens.check(text)).toEqual({ refused: `token short expired at ${new Date(1_060_000).toISOString()}` });
  });

  it('revokes by name or id, durably, and the name can be used again', async () => {
    const dir = freshDir();
    const store = open(dir);
    const tokens = await table(store);
    const a = await tokens.create({ name: 'ci', access: 'operate', ttlMs: 0 }, 'x');
    const revoked = await tokens.revoke('ci', 'token:admin');
    expect(revoked).toMatchObject({ id: a.record.id, revokedBy: 'token:admin' });
    expect(revoked.revokedAtMs).toBeGreaterThan(0);
    expect(tokens.check(a.text)).toEqual({ refused: expect.stringMatching(/^token ci was revoked at /) });
    // By id again: unchanged. By name: no token of that name is left to revoke.
    expect(await tokens.revoke(a.record.id, 'someone')).toEqual(revoked);
    await expect(tokens.revoke('ci', 'x')).rejects.toThrow(/^token: no token with the id or name "ci"/);
    const b = await tokens.create({ name: 'ci', access: 'read', ttlMs: 0 }, 'x');
    expect(tokens.resolve(b.text)).toMatchObject({ access: 'read' });
    await store.close();
    const again = await table(open(dir));
    expect(again.resolve(a.text)).toBeUndefined();
    expect(again.resolve(b.text)).toBeDefined();
  });

  it('refuses a second token of a name that is not revoked, also while the first is being made', async () => {
    const tokens = await table(open(freshDir()));
    const first = tokens.create({ name: 'ci', access: 'read', ttlMs: 0 }, 'x');
    await expect(tokens.create({ name: 'ci', access: 'read', ttlMs: 0 }, 'x')).rejects.toThrow(
      /^name: a token named ci exists \(being made\); revoke it first/,
    );
    await first;
    await expect(tokens.create({ name: 'ci', access: 'admin', ttlMs: 0 }, 'x')).rejects.toThrow(
      /^name: a token named ci exists \(\w+, active\)/,
    );
  });

  it('keeps at most maxTokens records: the oldest ended one makes room, active ones never', async () => {
    const dir = freshDir();
    const store = open(dir);
    const clock = { now: 1_000_000 };
    const tokens = await table(store, clock, 3);
    const a = await tokens.create({ name: 'a', access: 'read', ttlMs: 0 }, 'x');
    const b = await tokens.create({ name: 'b', access: 'read', ttlMs: 0 }, 'x');
    await tokens.create({ name: 'c', access: 'read', ttlMs: 0 }, 'x');
    await expect(tokens.create({ name: 'd', access: 'read', ttlMs: 0 }, 'x')).rejects.toThrow(
      /3 tokens are active, the most kept/,
    );
    clock.now += 1;
    await tokens.revoke('b', 'x');
    clock.now += 1;
    await tokens.revoke('a', 'x');
    await tokens.create({ name: 'd', access: 'read', ttlMs: 0 }, 'x');
    expect(tokens.size).toBe(3);
    const ids = (await store.load('token')).map((r) => r.id);
    expect(ids).not.toContain(b.record.id); // revoked first: dropped
    expect(ids).toContain(a.record.id);
  });

  it('lists newest first after a cursor', async () => {
    const clock = { now: 1_000_000 };
    const tokens = await table(open(freshDir()), clock);
    for (const name of ['a', 'b', 'c']) {
      await tokens.create({ name, access: 'read', ttlMs: 0 }, 'x');
      clock.now += 1000;
    }
    const all = [...tokens.newestFirst()];
    expect(all.map((t) => t.name)).toEqual(['c', 'b', 'a']);
    expect([...tokens.newestFirst(all[0]!.id)].map((t) => t.name)).toEqual(['b', 'a']);
  });
});

describe('the bootstrap token', () => {
  it('is made once, on a store with no tokens, as an admin token in a 0600 file', async () => {
    const dir = freshDir();
    const store = open(dir);
    const tokens = await table(store);
    const path = await bootstrapToken(tokens, dir);
    expect(path).toBe(join(dir, BOOTSTRAP_TOKEN_FILE));
    expect(statSync(path!).mode & 0o777).toBe(0o600);
    const text = readFileSync(path!, 'utf8').trim();
    expect(tokens.resolve(text)).toMatchObject({ kind: 'token', name: 'bootstrap', access: 'admin' });
    expect(await bootstrapToken(tokens, dir)).toBeUndefined();

    // Deleting the file does not revoke it, and a restart does not make another.
    rmSync(path!);
    await store.close();
    const again = await table(open(dir));
    expect(await bootstrapToken(again, dir)).toBeUndefined();
    expect(existsSync(path!)).toBe(false);
    expect(again.resolve(text)).toMatchObject({ name: 'bootstrap' });
  });

  it('stores nothing when its file cannot be written, so no token exists that nobody has', async () => {
    const dir = freshDir();
    const store = open(dir);
    const tokens = await table(store);
    mkdirSync(join(dir, BOOTSTRAP_TOKEN_FILE, 'in-the-way'), { recursive: true }); // the rename fails
    await expect(bootstrapToken(tokens, dir)).rejects.toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(tokens.size).toBe(0);
    expect(await store.load('token')).toEqual([]);
  });
});
