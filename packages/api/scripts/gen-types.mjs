// Generates TypeScript types for proto/mo/v1 with proto-loader-gen-types. The flags mirror
// LOADER_OPTIONS in src/proto.ts so that the types describe exactly what the loader produces.
// `--check` regenerates into a temp dir and fails if src/generated is stale.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const protoRoot = join(pkg, '..', '..', 'proto');
const protoDir = join(protoRoot, 'mo', 'v1');
const protos = readdirSync(protoDir)
  .filter((f) => f.endsWith('.proto'))
  .map((f) => join('mo', 'v1', f));
const check = process.argv.includes('--check');
const out = check ? mkdtempSync(join(tmpdir(), 'mo-gen-')) : join(pkg, 'src', 'generated');

if (!check) rmSync(out, { recursive: true, force: true });
execFileSync(
  join(pkg, 'node_modules', '.bin', 'proto-loader-gen-types'),
  [
    '--grpcLib=@grpc/grpc-js',
    '--longs=Number',
    '--enums=String',
    '--defaults',
    '--includeComments',
    '--oneofs',
    '--importFileExtension=.js',
    '--inputTemplate=%s',
    '--outputTemplate=%s__Output',
    `--includeDirs=${protoRoot}`,
    `--outDir=${out}`,
    ...protos,
  ],
  { stdio: 'inherit', cwd: protoRoot },
);

// The generator writes absolute proto paths into comments; make them checkout-independent.
for (const f of readdirSync(out, { recursive: true }).map(String)) {
  const file = join(out, f);
  if (!statSync(file).isFile()) continue;
  const text = readFileSync(file, 'utf8');
  const fixed = text.split(`${protoRoot}/`).join('proto/');
  if (fixed !== text) writeFileSync(file, fixed);
}

if (check) {
  const committed = join(pkg, 'src', 'generated');
  const list = (dir) =>
    readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => statSync(join(dir, f)).isFile())
      .sort();
  const a = list(out);
  const b = list(committed);
  const stale =
    a.length !== b.length ||
    a.some((f, i) => f !== b[i] || !readFileSync(join(out, f)).equals(readFileSync(join(committed, f))));
  rmSync(out, { recursive: true, force: true });
  if (stale) {
    console.error(`${relative(process.cwd(), committed)} is stale: run \`pnpm gen\` and commit the result`);
    process.exit(1);
  }
}
