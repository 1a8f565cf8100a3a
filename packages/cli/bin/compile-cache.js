// A V8 code cache for the CommonJS modules `mo` loads (grpc-js and commander: ~70 files compiled on
// every run; protobufjs and proto-loader are no longer loaded at run time, see @mo/api's
// wire/codec.ts). Node 22 has this built in
// (module.enableCompileCache); on Node 20 we do what v8-compile-cache does: compile each CJS module
// with vm.Script and keep V8's cached data in one file per module under the user's cache dir.
//
// Everything here is best effort: any error (read-only home, a corrupt entry, a Node internal that
// moved) falls back to Node's own compile, silently. MO_NO_COMPILE_CACHE=1 turns it off.
// Measured on `mo status` (Node 20, 2 vCPUs) when mo still loaded protobufjs and proto-loader
// (~150 files): ~25 ms of ~250 ms; not measured again since. Entries are keyed by file path, size
// and mtime, in a directory per V8 version; stale ones are never read again (and are small).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

export function enableCompileCache() {
  if (process.env.MO_NO_COMPILE_CACHE) return;
  if (typeof Module.enableCompileCache === 'function') {
    Module.enableCompileCache(cacheDir());
    return;
  }
  const dir = join(cacheDir(), `v8-${process.versions.v8}`);
  try {
    mkdirSync(dir, { recursive: true });
  } catch {
    return;
  }
  const original = Module.prototype._compile;
  const pending = [];
  Module.prototype._compile = function compileWithCache(content, filename) {
    let script;
    let entry;
    let cached;
    try {
      const st = statSync(filename);
      entry = join(dir, createHash('sha1').update(`${filename}\0${st.size}\0${st.mtimeMs}`).digest('hex'));
      try {
        cached = readFileSync(entry);
      } catch {
        cached = undefined;
      }
      script = new vm.Script(Module.wrap(content), {
        filename,
        cachedData: cached,
        // import() inside a cached module behaves as in a normally loaded one.
        importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
      });
    } catch {
      return original.call(this, content, filename);
    }
    if (cached === undefined || script.cachedDataRejected) pending.push({ entry, script });
    const fn = script.runInThisContext({ displayErrors: true });
    const require = makeRequire(this);
    return fn.call(this.exports, this.exports, require, this, filename, dirname(filename));
  };
  // Written after the command ran, so a first run does not pay for serialising while it works.
  process.once('beforeExit', () => {
    for (const { entry, script } of pending.splice(0)) {
      try {
        const tmp = `${entry}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, entry);
      } catch {
        // best effort
      }
    }
  });
}

/** The `require` Node would give the module (what Module.prototype._compile builds internally). */
function makeRequire(mod) {
  const require = createRequire(mod.filename);
  const own = (id) => mod.require(id);
  own.resolve = require.resolve;
  own.main = process.mainModule;
  own.extensions = Module._extensions;
  own.cache = Module._cache;
  return own;
}

function cacheDir() {
  const base = process.env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : tmpdir());
  return join(base, 'mo', 'compile-cache');
}
