// The docker driver (one container per workload, through the Docker Engine API) against the shared
// driver conformance suite. Needs an engine and mo-sandbox:latest (deploy/sandbox/build.sh).
import { describe, it } from '@jest/globals';
import { DockerDriver } from '@mo/agent';
import { dockerReady, removeContainersOfNode, requireTool } from '@mo/testkit';
import { describeDriverConformance } from './driver-conformance.js';

const NODE_ID = `conformance-${process.pid}`;

if (requireTool(dockerReady(), 'a Docker engine with mo-sandbox:latest (docker.io; deploy/sandbox/build.sh)')) {
  describeDriverConformance('docker', () => new DockerDriver({ nodeId: NODE_ID }), {
    shell: '/bin/sh',
    // The container's own working dir (the image's), not the host task dir.
    taskConfig: { workingDir: '' },
    afterAll: () => removeContainersOfNode(NODE_ID),
  });
} else {
  // requireTool printed why; under CI=true it threw instead, so this only skips on a dev machine.
  describe('driver conformance: docker', () =>
    it.skip('needs a Docker engine with mo-sandbox:latest (deploy/sandbox/build.sh)', () => undefined));
}
