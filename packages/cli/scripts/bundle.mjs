// Bundles the CLI's fast path (dist/fast.js: status, nodes, ps, start, stop over the wire client) into
// one CommonJS file, dist/bundle/fast.cjs, which bin/mo.cjs requires first. Why: resolving, reading
// and compiling ~50 separate ES modules was a tenth of `mo status`'s wall time (`pnpm bench --only
// cli`). Its parts (and node:http2, node:tls) are initialised only when first used, so `mo --help`
// does not load them. (bin/mo.cjs requires it before it enables the compile cache, which is for
// the other commands' CommonJS dependencies.)
//
// Left as real imports, loaded only when needed: the full API ('@mo/api', with grpc-js: the other
// commands) and commander (CommonJS, required by the failure report). Everything else the fast
// path uses is inside, once: its errors and the failure report's (@mo/api/errors) are the same
// classes, so the report tells a usage error (exit 2) from a refusal (1) as the full CLI does.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** @type {import('esbuild').Plugin} */
const keepHeavy = {
  name: 'keep-heavy-imports',
  setup(b) {
    b.onResolve({ filter: /^(@mo\/api|commander)$/ }, (args) => ({ path: args.path, external: true }));
  },
};

await build({
  entryPoints: [join(pkgDir, 'dist', 'fast.js')],
  outfile: join(pkgDir, 'dist', 'bundle', 'fast.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  plugins: [keepHeavy],
  // ASCII (esbuild's default, kept explicit): bin/fast-loader.cjs reads it as latin1, which is
  // the same string for ASCII and skips UTF-8 decoding (~1 ms of every run).
  charset: 'ascii',
  logLevel: 'warning',
});
