// Builds native/mo-front.c (the `mo` executable that hands a script's call to the CLI helper, or
// runs bin/mo.cjs) into bin/mo, beside the launcher it execs. Static, like mo-shim: it runs once
// per call, so it must not pay for a dynamic loader.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(pkgDir, 'native', 'mo-front.c');
const out = join(pkgDir, 'bin', 'mo');

const mtime = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
};
if (mtime(out) > mtime(source)) process.exit(0);

const compiler = [process.env.CC, 'cc', 'gcc', 'clang'].find(
  (cc) => cc && spawnSync(cc, ['--version'], { stdio: 'ignore' }).status === 0,
);
if (!compiler) {
  console.error('mo-front needs a C compiler: apt-get install gcc');
  process.exit(1);
}
const flags = ['-Os', '-s', '-Wall', '-Wextra', '-Werror', '-o', out, source];
let result = spawnSync(compiler, ['-static', ...flags], { encoding: 'utf8' });
if (result.status !== 0) {
  console.log('mo-front: static linking failed, building a dynamically linked one instead');
  result = spawnSync(compiler, flags, { encoding: 'utf8' });
}
process.stderr.write(result.stderr ?? '');
if (result.status !== 0) {
  console.error(`mo-front: ${compiler} failed (exit ${result.status ?? result.signal})`);
  process.exit(1);
}
