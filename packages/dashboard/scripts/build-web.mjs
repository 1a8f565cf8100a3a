// Builds the browser half into dist/web: one JS bundle and one CSS file with content hashes in
// their names (served immutable), and index.html naming them (served no-cache). Nothing is
// fetched at run time: preact, htm and dagre are bundled from node_modules.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'web');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });

const result = await build({
  entryPoints: { app: join(root, 'web', 'main.ts'), style: join(root, 'web', 'app.css') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});

const names = Object.keys(result.metafile.outputs).map((p) => basename(p));
const pick = (re) => {
  const found = names.find((n) => re.test(n));
  if (!found) throw new Error(`build-web: no output matches ${re}`);
  return found;
};
const html = readFileSync(join(root, 'web', 'index.html'), 'utf8')
  .replace('%APP_JS%', `/assets/${pick(/^app-.*\.js$/)}`)
  .replace('%APP_CSS%', `/assets/${pick(/^style-.*\.css$/)}`);
writeFileSync(join(out, 'index.html'), html);
