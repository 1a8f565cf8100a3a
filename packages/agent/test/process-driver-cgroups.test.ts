// The process driver with a cgroup per workload (this host's hierarchies) passes the same driver
// conformance suite as without (process-driver.test.ts), and its handles name the cgroup.
import { afterAll, describe, expect, it } from '@jest/globals';
import { ProcessDriver, setUpCgroups, type CgroupLayout } from '@mo/agent';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cgroupsAvailable, removeCgroupTree } from './cgroup-helpers.js';
import { describeDriverConformance } from './driver-conformance.js';

const root = `/mo-test/conformance-${process.pid}`;
let layout: CgroupLayout | undefined;
if (cgroupsAvailable()) {
  const setup = setUpCgroups({ root });
  if (!setup.ok) throw new Error(`cgroups: ${setup.reason}`);
  layout = setup.layout;
}

afterAll(() => removeCgroupTree(root));

if (layout) {
  const cgroups = layout;
  describeDriverConformance('process', () => new ProcessDriver({ cgroups }), { shell: '/bin/sh' });

  describe('process driver with cgroups', () => {
    it('names the workload cgroup in the handle, and the cgroup is gone once the workload ended', async () => {
      // Its own root: the conformance suite's driver removed the shared one when it closed.
      const setup = setUpCgroups({ root: `${root}/handle` });
      if (!setup.ok) throw new Error(setup.reason);
      const driver = new ProcessDriver({ cgroups: setup.layout });
      const taskDir = mkdtempSync(join(tmpdir(), 'mo-cg-driver-'));
      try {
        const handle = await driver.start({
          id: 'w1',
          argv: ['/bin/sh', '-c', 'sleep 0.2'],
          env: { PATH: '/usr/bin:/bin' },
          workingDir: taskDir,
          taskDir,
          logMaxBytes: 1 << 20,
        });
        const path = String(handle.data.cgroup);
        expect(path).toMatch(new RegExp(`^${root}/handle/w-\\d+-\\d+$`));
        // No limits: only where the tree is tracked and its CPU time counted.
        const dirs = cgroups.hierarchies
          .filter((h) => h.roles.includes('track') || h.roles.includes('cpuacct'))
          .map((h) => `${h.mountPoint}${path}`);
        expect(dirs.every((d) => existsSync(d))).toBe(true);
        expect(await driver.wait(handle, taskDir)).toMatchObject({ status: 'exited', exit: { exitCode: 0 } });
        expect(dirs.filter((d) => existsSync(d))).toEqual([]);
      } finally {
        await driver.close();
      }
    });
  });
} else {
  // cgroupsAvailable() printed why (requireTool); under CI=true it threw instead, so this only skips
  // on a dev machine without root or cgroup hierarchies.
  describe.skip('process driver with cgroups (no writable cgroups here)', () => {
    it('needs root and cgroup hierarchies', () => undefined);
  });
}
