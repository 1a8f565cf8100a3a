// bin/compile-cache.js and bin/fast-loader.cjs: `mo` keeps V8's compiled code of its CommonJS
// dependencies, and of the fast path's bundle (one entry per command), under $XDG_CACHE_HOME/mo,
// and runs the same from the cache as without it, or from a cache V8 refuses.
import { afterAll, describe, expect, it } from '@jest/globals';
import { runMo, type MoResult } from '@mo/testkit';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cacheHome = mkdtempSync(join(tmpdir(), 'mo-cache-test-'));

afterAll(() => rmSync(cacheHome, { recursive: true, force: true }));

function mo(args: string[], env: NodeJS.ProcessEnv): Promise<MoResult> {
  return runMo(args, { env });
}

function entries(): string[] {
  const dir = join(cacheHome, 'mo', 'compile-cache');
  return existsSync(dir) ? readdirSync(dir).flatMap((v) => readdirSync(join(dir, v))) : [];
}

describe('the compile cache', () => {
  it('is not written with MO_NO_COMPILE_CACHE', async () => {
    const r = await mo(['start', '--cpu', 'x', '--', 'true'], { XDG_CACHE_HOME: cacheHome, MO_NO_COMPILE_CACHE: '1' });
    expect(r.code).toBe(2);
    expect(entries()).toEqual([]);
  });

  it('is filled by a first run and gives the same result on the next', async () => {
    // `mo logs` against a port nobody listens on loads @mo/api and grpc-js (plenty of CommonJS
    // modules) and the failure path, and ends the same way each time (exit 3, unreachable).
    const args = ['--json', '--insecure', '--scheduler', '127.0.0.1:1', 'logs', 'w1'];
    const first = await mo(args, { XDG_CACHE_HOME: cacheHome });
    const filled = entries();
    expect(filled.length).toBeGreaterThan(20);
    const second = await mo(args, { XDG_CACHE_HOME: cacheHome });
    expect(second).toEqual(first);
    expect(first.code).toBe(3);
    expect(entries()).toEqual(filled);
  });

  it("keeps the fast path's bundle compiled, one entry per command, and survives a cache V8 refuses", async () => {
    const dir = join(cacheHome, 'fast');
    const env = { XDG_CACHE_HOME: dir };
    const fastEntries = () => listFast(dir);
    // `mo status` and `mo start` take the fast path; unreachable, they end alike each time.
    const status = ['--json', '--insecure', '--scheduler', '127.0.0.1:1', 'status'];
    const start = ['--json', '--insecure', '--scheduler', '127.0.0.1:1', 'start', '--', 'true'];
    const first = await mo(status, env);
    expect(first.code).toBe(3);
    expect(fastEntries().map((e) => e.name)).toEqual([expect.stringMatching(/^fast-status-\d+-\d+$/)]);
    const [entry] = fastEntries();
    const written = statSync(entry!.path).mtimeMs;
    expect(await mo(status, env)).toEqual(first);
    // Read, not written again.
    expect(statSync(entry!.path).mtimeMs).toBe(written);
    expect((await mo(start, env)).code).toBe(3);
    expect(fastEntries().map((e) => e.name.split('-')[1])).toEqual(['start', 'status']);
    // Garbage in the cache: V8 refuses it, the command runs as before and the entry is rewritten.
    writeFileSync(entry!.path, 'not a code cache');
    expect(await mo(status, env)).toEqual(first);
    expect(readFileSync(entry!.path).length).toBeGreaterThan(10_000);
  });
});

describe('the fast path bundle', () => {
  it('is ASCII, as fast-loader.cjs reads it (latin1)', () => {
    const bundle = readFileSync(new URL('../dist/bundle/fast.cjs', import.meta.url));
    expect(bundle.length).toBeGreaterThan(50_000);
    expect(bundle.findIndex((b) => b > 0x7f)).toBe(-1);
  });
});

function listFast(home: string): { name: string; path: string }[] {
  const dir = join(home, 'mo', 'compile-cache');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .flatMap((v) => readdirSync(join(dir, v)).map((name) => ({ name, path: join(dir, v, name) })))
    .filter((e) => e.name.startsWith('fast-'))
    .sort((a, b) => a.name.localeCompare(b.name));
}
