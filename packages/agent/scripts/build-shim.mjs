// Builds native/mo-shim.c (with mo-cgroup.c, its workload cgroups, and mo-slots.c, its launcher
// slots) into dist/bin/mo-shim. Static by default: the shim runs once per workload, so it must not
// pay for a dynamic loader and shared libc pages in its RSS.
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const native = join(pkgDir, 'native');
const sources = ['mo-shim.c', 'mo-cgroup.c', 'mo-slots.c'].map((f) => join(native, f));
const inputs = [...sources, join(native, 'mo-cgroup.h'), join(native, 'mo-slots.h')];
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
