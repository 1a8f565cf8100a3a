// bin/compile-cache.js: `mo` keeps V8's compiled code of its CommonJS dependencies under
// $XDG_CACHE_HOME/mo, and runs the same from the cache as without it.
import { afterAll, describe, expect, it } from '@jest/globals';
import { runMo, type MoResult } from '@mo/testkit';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
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
    // A start against a port nobody listens on loads @mo/api and grpc-js (plenty of CommonJS
    // modules) and the failure path, and ends the same way each time (exit 3, unreachable).
    const args = ['--json', '--insecure', '--scheduler', '127.0.0.1:1', 'start', '--', 'true'];
    const first = await mo(args, { XDG_CACHE_HOME: cacheHome });
    const filled = entries();
    expect(filled.length).toBeGreaterThan(20);
    const second = await mo(args, { XDG_CACHE_HOME: cacheHome });
    expect(second).toEqual(first);
    expect(first.code).toBe(3);
    expect(entries()).toEqual(filled);
  });
});
