// Docker in tests: is there an engine that answers, with mo's sandbox image built? And a sweep of
// the containers a test's agents left behind (by their node id label), whatever the test did.
import { execFileSync, spawnSync } from 'node:child_process';

/** The image docker tests run (built by deploy/sandbox/build.sh; .ci/run builds it). */
export const SANDBOX_IMAGE = 'mo-sandbox:latest';

/** True when `docker` answers and the sandbox image is present. */
export function dockerReady(image = SANDBOX_IMAGE): boolean {
  const r = spawnSync('docker', ['image', 'inspect', '--format', '{{.Id}}', image], {
    stdio: 'ignore',
    timeout: 10_000,
  });
  return r.status === 0;
}

/** Removes every container labelled `mo.node-id=<nodeId>` (a test's agent); never throws. */
export function removeContainersOfNode(nodeId: string): void {
  try {
    const ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=mo.node-id=${nodeId}`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    if (ids.length > 0) execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
  } catch {
    // no engine: nothing to clean
  }
}
