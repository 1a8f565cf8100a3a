// Docker in tests: is there an engine that answers, with mo's sandbox image built? And a sweep of
// the containers a test's agents left behind (by their node id label), whatever the test did.
import { execaSync } from 'execa';

/** The image docker tests run (built by deploy/sandbox/build.sh; .ci/run builds it). */
export const SANDBOX_IMAGE = 'mo-sandbox:latest';

/** True when `docker` answers and the sandbox image is present. */
export function dockerReady(image = SANDBOX_IMAGE): boolean {
  return !execaSync('docker', ['image', 'inspect', '--format', '{{.Id}}', image], {
    stdio: 'ignore',
    timeout: 10_000,
    reject: false,
  }).failed;
}

/** Removes every container labelled `mo.node-id=<nodeId>` (a test's agent); never throws. */
export function removeContainersOfNode(nodeId: string): void {
  try {
    const ids = execaSync('docker', ['ps', '-aq', '--filter', `label=mo.node-id=${nodeId}`], {
      lines: true,
    }).stdout.filter(Boolean);
    if (ids.length > 0) execaSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
  } catch {
    // no engine: nothing to clean
  }
}
