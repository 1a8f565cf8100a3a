#!/usr/bin/env -S node --use-openssl-ca
// The `mo` executable: a launcher only; the CLI itself is built into ../dist by `tsc -b`.
// CommonJS: Node starts a CommonJS entry without setting up its ES module loader (~3-5 ms of
// `mo status`); the other commands load it when they import the CLI.
// --use-openssl-ca: a TLS context given its own CA (`ca`, as every mo client is) still made Node
// 20 parse its ~140 bundled root certificates first (~15-20 ms of every `mo status`, in OpenSSL
// 3's decoders); with this flag the default store is OpenSSL's, looked up lazily. mo's trust is
// unchanged: `ca` replaces the default store either way (only the cluster's CA is trusted).

// The common commands (status, nodes, ps, start, stop) first: the same code without commander,
// bundled into one CommonJS file (scripts/bundle.mjs), compiled with a code cache (fast-loader.cjs).
const fast = require('./fast-loader.cjs').loadFast(process.argv);

async function main() {
  // Started by the `mo` front (native/mo-front.c) in the background: serve calls until idle.
  if (process.env.MO_CLI_HELPER_SERVE) {
    await fast.exports.serveHelper(process.env.MO_CLI_HELPER_SERVE, process.env);
    return;
  }
  const code = await fast.exports.fastPath(process.argv, process.env);
  if (code !== undefined) {
    // Done: exit once stdout and stderr have flushed, without Node's teardown of the heap and
    // handles (the connection is already destroyed; nothing else is pending). The code cache is
    // written (first run only) after the output, so no one waits for it.
    let waiting = 2;
    const done = () => {
      if (--waiting > 0) return;
      fast.save();
      process.exit(code);
    };
    process.stdout.write('', done);
    process.stderr.write('', done);
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
