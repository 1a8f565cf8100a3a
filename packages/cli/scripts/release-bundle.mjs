// Bundles mo for a release (scripts/package.sh): `mo`, `mo-agent`, `mo-scheduler` and the agent's
// hardware probe as four ES module entries sharing chunks, into OUT/dist/, with every npm dependency
// inside except better-sqlite3 (a native addon that finds its .node file itself: package.sh ships
// its package directory in OUT/node_modules/). OUT/package.json (name "mo") is the tree's root:
// the agent finds mo-shim and the hardware probe under it (@mo/agent's package-root.ts), `mo -V` and
// the scheduler read their version from it. Usage: node scripts/release-bundle.mjs OUT VERSION
//
// Chunks sit beside the entries in dist/ (not in a subdirectory): the scheduler and the CLI read
// `../package.json` relative to their own module, which must be OUT/package.json.
//
// etcd3 (the HA store's client) loads its .proto files at run time from beside its own code
// (`${__dirname}/../proto/rpc.proto`, with @grpc/proto-loader): the bundle carries that loader,
// and the files go to OUT/dist/etcd3-proto/, where the rewritten path points.
import { build } from 'esbuild';
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { oneByteSource } from '../../../scripts/one-byte-source.mjs';

const [out, version] = process.argv.slice(2);
if (!out || !version) {
  console.error('usage: release-bundle.mjs OUT VERSION');
  process.exit(2);
}
const packages = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (pkg, file) => JSON.stringify(join(packages, pkg, 'dist', file));
// A daemon's `#!/usr/bin/env -S VAR=... node --flags` line, kept on its entry: `mo dev` reads its
// Node flags from there (src/dev/daemon-process.ts), package.sh's wrappers from the bin file.
const shebang = (pkg, bin) => readFileSync(join(packages, pkg, 'bin', bin), 'utf8').split('\n', 1)[0];

// Each entry does what its package's bin/ file does. `mo` is run as in a checkout, by bin/mo.cjs
// (copied to OUT/bin/ with fast-loader.cjs and compile-cache.js): the fast path first, from
// OUT/dist/bundle/fast.cjs (built below, with a code cache), then the full command line, `main`.
// `mo`, the same as one ES module entry, is kept for a caller that runs dist/mo.js.
const entries = {
  mo: `import { fastPath } from ${dist('cli', 'fast.js')};
const code = await fastPath(process.argv, process.env);
if (code !== undefined) process.exitCode = code;
else await (await import(${dist('cli', 'main.js')})).run(process.argv);`,
  main: `export { run } from ${dist('cli', 'main.js')};`,
  'mo-agent': `${shebang('agent', 'mo-agent.js')}\nimport { main } from ${dist('agent', 'main.js')};\nawait main(process.argv.slice(2));`,
  'mo-scheduler': `${shebang('scheduler', 'mo-scheduler.js')}\nimport { main } from ${dist('scheduler', 'main.js')};\nawait main(process.argv.slice(2));`,
  'host/hardware-probe': `import ${dist('agent', 'host/hardware-probe.js')};`,
};

/** Points etcd3's proto path at OUT/dist/etcd3-proto/ (copied there below). */
const etcd3Protos = {
  name: 'etcd3-protos',
  setup(b) {
    b.onLoad({ filter: /[\\/]etcd3[\\/]lib[\\/]connection-pool\.js$/ }, (args) => {
      const code = readFileSync(args.path, 'utf8');
      const from = '`${__dirname}/../proto/rpc.proto`';
      if (!code.includes(from))
        throw new Error(`etcd3-protos: ${args.path} no longer loads ${from}; update the plugin`);
      return { contents: code.replace(from, '`${__moDistDir}etcd3-proto/rpc.proto`'), loader: 'js' };
    });
  },
};
const etcd3Dir = dirname(createRequire(join(packages, 'scheduler', 'package.json')).resolve('etcd3/package.json'));

const scratch = join(out, '.entries');
rmSync(join(out, 'dist'), { recursive: true, force: true });
mkdirSync(join(scratch, 'host'), { recursive: true });
const entryPoints = {};
for (const [name, code] of Object.entries(entries)) {
  writeFileSync(join(scratch, `${name}.mjs`), `${code}\n`);
  entryPoints[name] = join(scratch, `${name}.mjs`);
}
writeFileSync(
  join(out, 'package.json'),
  `${JSON.stringify({ name: 'mo', version, private: true, type: 'module' }, null, 2)}\n`,
);

try {
  await build({
    entryPoints,
    outdir: join(out, 'dist'),
    chunkNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // better-sqlite3: shipped as a package (native). *.node and cpu-features: optional native parts
    // of ssh2 (dockerode's ssh transport, which mo never uses), required inside try/catch.
    external: ['better-sqlite3', '*.node', 'cpu-features'],
    // The CommonJS dependencies call require(); an ES module has none unless it makes one. Every
    // chunk also knows its own directory (etcd3's protos are found from it).
    banner: {
      js: [
        "import { createRequire as __moCreateRequire } from 'node:module';",
        "import { fileURLToPath as __moFileURLToPath } from 'node:url';",
        'const require = __moCreateRequire(import.meta.url);',
        "const __moDistDir = __moFileURLToPath(new URL('.', import.meta.url));",
      ].join('\n'),
    },
    plugins: [etcd3Protos],
    legalComments: 'none',
    logLevel: 'warning',
  });
  // The fast path as one CommonJS file, as scripts/bundle.mjs makes it in a checkout, but with
  // commander inside (the failure report's); @mo/api (grpc-js: the full clients) stays out, as the
  // fast path never loads it.
  await build({
    entryPoints: [join(packages, 'cli', 'dist', 'fast.js')],
    outfile: join(out, 'dist', 'bundle', 'fast.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    charset: 'ascii', // read as latin1 by bin/fast-loader.cjs
    // Exactly '@mo/api' (`external` would take its subpaths too: @mo/api/wire is inside).
    plugins: [
      {
        name: 'keep-full-api-out',
        setup(b) {
          b.onResolve({ filter: /^@mo\/api$/ }, (args) => ({ path: args.path, external: true }));
        },
      },
    ],
    legalComments: 'none',
    logLevel: 'warning',
  });
  cpSync(join(etcd3Dir, 'proto'), join(out, 'dist', 'etcd3-proto'), { recursive: true });
  mkdirSync(join(out, 'bin'), { recursive: true });
  for (const file of ['mo.cjs', 'fast-loader.cjs', 'compile-cache.js']) {
    copyFileSync(join(packages, 'cli', 'bin', file), join(out, 'bin', file));
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
// One byte per character in V8 for every chunk (../../../scripts/one-byte-source.mjs says why).
for (const f of readdirSync(join(out, 'dist'), { recursive: true })) {
  if (/\.(m|c)?js$/.test(f)) oneByteSource(join(out, 'dist', f));
}
