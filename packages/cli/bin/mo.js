#!/usr/bin/env node
// The `mo` executable: a launcher only; the CLI itself is built into ../dist by `tsc -b`.
import { createRequire } from 'node:module';

// `mo status` and `mo nodes` first: the same code without commander and the other commands,
// bundled into one CommonJS file (scripts/bundle.mjs).
const { fastPath } = createRequire(import.meta.url)('../dist/bundle/fast.cjs');
const code = await fastPath(process.argv, process.env);
if (code !== undefined) {
  process.exitCode = code;
} else {
  // Client commands start often and briefly: cache their compiled CommonJS dependencies (grpc-js,
  // commander). Not for the daemons run in-process (`mo agent`, `mo scheduler`, `mo dev`): they
  // start once, and keep their memory. (A workload argv containing these words also skips the
  // cache; harmless.) Not for the fast path either, which loads none (and node:crypto, which the
  // cache's keys use, cost it ~5 ms).
  const args = process.argv.slice(2);
  if (!args.some((a) => a === 'agent' || a === 'scheduler' || a === 'dev')) {
    const { enableCompileCache } = await import('./compile-cache.js');
    enableCompileCache();
  }
  const { run } = await import('../dist/main.js');
  await run(process.argv);
}
