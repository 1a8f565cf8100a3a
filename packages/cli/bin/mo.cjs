#!/usr/bin/env node
// The `mo` executable: a launcher only; the CLI itself is built into ../dist by `tsc -b`.
// CommonJS: Node starts a CommonJS entry without setting up its ES module loader (~3-5 ms of
// `mo status`); the other commands load it when they import the CLI.

// `mo status` and `mo nodes` first: the same code without commander and the other commands,
// bundled into one CommonJS file (scripts/bundle.mjs).
const { fastPath } = require('../dist/bundle/fast.cjs');

async function main() {
  const code = await fastPath(process.argv, process.env);
  if (code !== undefined) {
    process.exitCode = code;
    return;
  }
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

main();
