// Bundles the scheduler daemon (dist/main.js and everything it imports: @mo/api, grpc-js,
// prom-client, yaml, the dashboard's handler) into dist/mo-scheduler.mjs, which bin/mo-scheduler.js
// runs. Why, as for the agent (its scripts/bundle.mjs): loading ~420 separate modules at start
// wakes V8's optimizing compiler and costs an idle scheduler ~7 MiB of RSS; one file does not.
// Measured by `pnpm bench --only peers` (idle RSS). Tests import dist/ unbundled; both run the
// same code.
//
// Left out, loaded from node_modules when first needed: better-sqlite3 (native), and etcd3 with
// @grpc/proto-loader, which only a scheduler on etcd loads (ha/runner.ts is imported on demand, a
// chunk of its own, so a SQLite scheduler never evaluates the etcd client).
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { oneByteSource } from '../../../scripts/one-byte-source.mjs';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The dashboard finds its built files beside its own module (dashboard/dist/web); inside this
 * bundle its import.meta.url would be the bundle's, so it is pinned to the module's real place.
 */
const dashboardAssets = {
  name: 'dashboard-assets',
  setup(b) {
    b.onLoad({ filter: /[\\/]dashboard[\\/]dist[\\/]handler\.js$/ }, (args) => {
      const code = readFileSync(args.path, 'utf8');
      if (!code.includes('import.meta.url'))
        throw new Error(`dashboard-assets: ${args.path} no longer uses import.meta.url`);
      return {
        contents: code.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
        loader: 'js',
      };
    });
  },
};

/** This bundle's files in dist/: the entry and its chunks. */
const OUTPUT = /^mo-scheduler.*\.mjs$/;

// Chunks are named by hash: last build's would stay beside the new ones.
for (const f of readdirSync(join(pkgDir, 'dist'))) {
  if (OUTPUT.test(f)) rmSync(join(pkgDir, 'dist', f));
}

await build({
  entryPoints: { 'mo-scheduler': join(pkgDir, 'dist', 'main.js') },
  outdir: join(pkgDir, 'dist'),
  outExtension: { '.js': '.mjs' },
  chunkNames: 'mo-scheduler-[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'etcd3', '@grpc/proto-loader'],
  // The CommonJS dependencies call require(); an ES module has none unless it makes one.
  banner: {
    js: "import { createRequire as __moCreateRequire } from 'node:module';\nconst require = __moCreateRequire(import.meta.url);",
  },
  plugins: [dashboardAssets],
  logLevel: 'warning',
});
// One byte per character in V8: a kept comment's `→` made the main chunk's source 3.4 MiB instead
// of 1.7 (../../../scripts/one-byte-source.mjs).
for (const f of readdirSync(join(pkgDir, 'dist'))) {
  if (OUTPUT.test(f)) oneByteSource(join(pkgDir, 'dist', f));
}
