// The agent package's root directory, found by walking up from this module to the package.json
// named @mo/agent. It gives the same answer from src/ (tests), dist/ (tsc's output) and the
// single-file bundle the mo-agent executable runs (dist/mo-agent.mjs), so files found relative to
// it (the mo-shim binary, the hardware probe) do not depend on how deep the importing module sits.
// An installed release (scripts/package.sh: /usr/lib/mo) is one tree named "mo" with the same
// dist/bin/mo-shim and dist/host/hardware-probe.js below it.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package.json name of an installed release's tree (packages/cli/scripts/release-bundle.mjs). */
const RELEASE_TREE_NAME = 'mo';

function findPackage(): { root: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version: string };
      if (pkg.name === '@mo/agent' || pkg.name === RELEASE_TREE_NAME) return { root: dir, version: pkg.version };
    } catch {
      // no (readable) package.json here: keep walking up
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`@mo/agent: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

const found = findPackage();
/** The @mo/agent package directory (holds package.json, dist/, native/). */
export const AGENT_ROOT = found.root;
/** The @mo/agent package version. */
export const AGENT_PACKAGE_VERSION = found.version;
