// Loads the fast path's bundle (../dist/bundle/fast.cjs) with a V8 code cache: compiling it, and
// then each function it runs for the first time, is otherwise paid on every `mo status` or
// `mo start` (the codec's and the TLS client's functions among them). Node 22 has
// module.enableCompileCache; Node 20 has vm.Script's cachedData, used here as compile-cache.js does
// for the other commands' modules. `pnpm bench --only cli` measures the difference.
//
// One cache file per command word (status, start, …): a cache made after a run holds the functions
// that run compiled, so each command keeps its own. Written after the command's output, once (or
// again when V8 rejects it: another Node, another bundle). Keyed by the bundle's size and mtime,
// in a directory per V8 version. Best effort: any error falls back to a plain require, silently.
// MO_NO_COMPILE_CACHE=1 turns it off. CommonJS, no node:crypto: both cost a `mo status` ms.
'use strict';
const Module = require('node:module');
const { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { homedir, tmpdir } = require('node:os');
const { dirname, join } = require('node:path');

const BUNDLE = join(__dirname, '..', 'dist', 'bundle', 'fast.cjs');
const COMMANDS = new Set(['status', 'nodes', 'ps', 'start', 'stop']);

/** The cache directory shared with compile-cache.js. */
function cacheDir() {
  const base = process.env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : tmpdir());
  return join(base, 'mo', 'compile-cache');
}

/** The bundle's exports, and `save()`: call it once the command is done (writes a new cache if needed). */
function loadFast(argv) {
  const none = { save() {} };
  if (process.env.MO_NO_COMPILE_CACHE) return { exports: require(BUNDLE), ...none };
  let script;
  let entry;
  let cached;
  const mod = new Module(BUNDLE, module);
  try {
    const vm = require('node:vm');
    const st = statSync(BUNDLE);
    const word = argv.slice(2).find((a) => COMMANDS.has(a)) ?? 'other';
    entry = join(cacheDir(), `v8-${process.versions.v8}`, `fast-${word}-${st.size}-${Math.trunc(st.mtimeMs)}`);
    try {
      cached = readFileSync(entry);
    } catch {
      cached = undefined;
    }
    script = new vm.Script(Module.wrap(readFileSync(BUNDLE, 'latin1')), {
      filename: BUNDLE,
      cachedData: cached,
      importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    mod.filename = BUNDLE;
    mod.paths = Module._nodeModulePaths(dirname(BUNDLE));
  } catch {
    return { exports: require(BUNDLE), ...none };
  }
  const fn = script.runInThisContext({ displayErrors: true });
  fn.call(mod.exports, mod.exports, Module.createRequire(BUNDLE), mod, BUNDLE, dirname(BUNDLE));
  mod.loaded = true;
  const fresh = cached === undefined || script.cachedDataRejected;
  return {
    exports: mod.exports,
    save() {
      if (!fresh) return;
      try {
        mkdirSync(dirname(entry), { recursive: true });
        const tmp = `${entry}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, entry);
      } catch {
        // best effort
      }
    },
  };
}

module.exports = { loadFast, cacheDir };
