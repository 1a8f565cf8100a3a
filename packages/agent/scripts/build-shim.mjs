// Builds native/mo-shim/ (the shim and its launcher: see main.c there; with mo-cgroup.c, its
// workload cgroups, and mo-slots.c, its launcher slots) into dist/bin/mo-shim. Static by default:
// the shim runs once per workload, so it must not pay for a dynamic loader and shared libc pages in
// its RSS.
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const native = join(pkgDir, 'native');
const sources = [
  'mo-shim/main.c',
  'mo-shim/shim.c',
  'mo-shim/exec.c',
  'mo-shim/logs.c',
  'mo-shim/records.c',
  'mo-shim/finish.c',
  'mo-shim/launcher.c',
  'mo-shim/spare.c',
  'mo-shim/protocol.c',
  'mo-shim/common.c',
  'mo-cgroup.c',
  'mo-slots.c',
].map((f) => join(native, f));
const headers = ['mo-shim/shim.h', 'mo-shim/launcher.h', 'mo-shim/common.h', 'mo-cgroup.h', 'mo-slots.h'];
const inputs = [...sources, ...headers.map((f) => join(native, f))];
const out = join(pkgDir, 'dist', 'bin', 'mo-shim');

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

if (inputs.every((f) => mtime(out) > mtime(f))) {
  process.exit(0);
}

const compiler = [process.env.CC, 'cc', 'gcc', 'clang'].find(
  (cc) => cc && spawnSync(cc, ['--version'], { stdio: 'ignore' }).status === 0,
);
if (!compiler) {
  console.error('mo-shim needs a C compiler: apt-get install gcc');
  process.exit(1);
}

mkdirSync(dirname(out), { recursive: true });
const flags = ['-Os', '-s', '-Wall', '-Wextra', '-o', out, ...sources];

function compile(extra) {
  return spawnSync(compiler, [...extra, ...flags], { encoding: 'utf8' });
}

let result = compile(['-static']);
if (result.status !== 0) {
  console.log(`mo-shim: static linking failed, building a dynamically linked shim instead`);
  result = compile([]);
}
process.stderr.write(result.stderr ?? '');
if (result.status !== 0) {
  console.error(`mo-shim: ${compiler} failed (exit ${result.status ?? result.signal})`);
  process.exit(1);
}
