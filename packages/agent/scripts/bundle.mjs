// Bundles the agent daemon (dist/main.js and everything it imports: @mo/api, grpc-js, prom-client)
// into one file, dist/mo-agent.mjs, which bin/mo-agent.js runs. Why: loading ~220 separate
// modules makes Node's module resolution hot enough at start-up to wake V8's optimizing compiler,
// which alone costs an idle agent ~4 MiB of RSS; one file does not. Measured by `pnpm bench
// --only agent` (idle RSS). Tests import dist/ unbundled; both run the same code.
//
// Left out, loaded from node_modules when first needed: dockerode (the docker driver, on the first
// docker workload) and systeminformation (only the hardware-probe child uses it). @grpc/proto-loader
// (and protobufjs with it, ~340 KB) only grpc-js's channelz would require, which mo never serves.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { oneByteSource } from '../../../scripts/one-byte-source.mjs';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');

const outfile = join(pkgDir, 'dist', 'mo-agent.mjs');
await build({
  entryPoints: [join(pkgDir, 'dist', 'main.js')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['dockerode', 'systeminformation', '@grpc/proto-loader'],
  // The CommonJS dependencies call require(); an ES module has none unless it makes one.
  banner: {
    js: "import { createRequire as __moCreateRequire } from 'node:module';\nconst require = __moCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
// One byte per character in V8 (../../../scripts/one-byte-source.mjs says why).
oneByteSource(outfile);
