// The daemons' bundles are held by V8 as one-byte strings only if every character fits Latin-1
// (scripts/one-byte-source.mjs): the rewrite of wide characters in comments, its refusal elsewhere,
// and the built bundles themselves.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain ES module of the repository's scripts, without types.
import { oneByteSource } from '../../../scripts/one-byte-source.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const WIDE = /[^\u0000-\u00ff]/u; // eslint-disable-line no-control-regex

describe('oneByteSource', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'mo-one-byte-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('rewrites wide characters on comment lines as \\u{...} text and leaves Latin-1 and code alone', () => {
    const file = join(dir, 'a.js');
    writeFileSync(file, "const a = 'caf\\u00e9 \u00b7';\n  // a \u2192 b \u2264 c\n/** x \u2192 y */\n * end\n");
    expect((oneByteSource as (f: string) => number)(file)).toBe(3);
    expect(readFileSync(file, 'utf8')).toBe(
      "const a = 'caf\\u00e9 \u00b7';\n  // a \\u{2192} b \\u{2264} c\n/** x \\u{2192} y */\n * end\n",
    );
    expect((oneByteSource as (f: string) => number)(file)).toBe(0);
  });

  it('refuses a wide character outside a comment, naming the place', () => {
    const file = join(dir, 'b.js');
    writeFileSync(file, "const ok = 1;\nconst arrow = '\u2192';\n");
    expect(() => (oneByteSource as (f: string) => number)(file)).toThrow(/b\.js:2:16: a character above U\+00FF/);
  });

  it('left none in the built agent and scheduler bundles', () => {
    const bundles = [
      join(repo, 'packages', 'agent', 'dist', 'mo-agent.mjs'),
      ...readdirSync(join(repo, 'packages', 'scheduler', 'dist'))
        .filter((f) => /^mo-scheduler.*\.mjs$/.test(f))
        .map((f) => join(repo, 'packages', 'scheduler', 'dist', f)),
    ];
    expect(bundles.length).toBeGreaterThanOrEqual(2);
    for (const file of bundles)
      expect({ file, wide: WIDE.test(readFileSync(file, 'utf8')) }).toEqual({ file, wide: false });
  });
});
