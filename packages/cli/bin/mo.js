#!/usr/bin/env node
// The `mo` executable: a launcher only; the CLI itself is built into ../dist by `tsc -b`.
import { createRequire } from 'node:module';
import { enableCompileCache } from './compile-cache.js';

// Client commands start often and briefly: cache their compiled dependencies. Not for the daemons
// run in-process (`mo agent`, `mo scheduler`, `mo dev`): they start once, and keep their memory.
// (A workload argv containing these words also skips the cache; harmless.)
const args = process.argv.slice(2);
if (!args.some((a) => a === 'agent' || a === 'scheduler' || a === 'dev')) enableCompileCache();

// `mo status` and `mo nodes` first: the same code without commander and the other commands,
// bundled into one CommonJS file (scripts/bundle.mjs) so that it loads through the compile cache.
const { fastPath } = createRequire(import.meta.url)('../dist/bundle/fast.cjs');
const code = await fastPath(process.argv, process.env);
if (code !== undefined) {
  process.exitCode = code;
} else {
  const { run } = await import('../dist/main.js');
  await run(process.argv);
}
