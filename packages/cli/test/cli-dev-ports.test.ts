// Two `mo dev` on one host: each cluster's agents publish docker ports on 127.0.0.1, from ranges
// that do not overlap the other cluster's; a third on ports the first holds is refused before it
// starts anything, naming the port base and the first cluster.
import { describe, expect, it } from '@jest/globals';
import { runMo } from '@mo/testkit';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanUpDevAfterEach, startDev } from './dev-cluster.js';

cleanUpDevAfterEach();

/** Above Linux's ephemeral ports (32768-60999) and the --port-base 0 band: nothing else is there. */
const BASE = 61_000;

/** The --docker-ports and --docker-port-ip an agent was started with, from its command line. */
function dockerFlagsOf(pid: number): { ports: string; ip: string } {
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  const flag = (name: string) => argv[argv.indexOf(name) + 1] ?? '';
  return { ports: flag('--docker-ports'), ip: flag('--docker-port-ip') };
}

const bounds = (r: string) => r.split('-').map(Number) as [number, number];

describe('mo dev port ranges', () => {
  it('gives two clusters on one host disjoint docker ranges on 127.0.0.1, and refuses a third on the same ports', async () => {
    const [a, b] = await Promise.all([
      startDev('--agents', '2', '--insecure', '--port-base', String(BASE)),
      startDev('--agents', '1', '--insecure'),
    ]);
    const agents = [...a.ready.agents, ...b.ready.agents];
    // Each agent runs with what the ready report says.
    for (const agent of agents) {
      expect(agent.dockerPortIp).toBe('127.0.0.1');
      expect(dockerFlagsOf(agent.pid)).toEqual({ ports: agent.dockerPorts, ip: '127.0.0.1' });
    }
    expect(a.ready.agents.map((x) => x.dockerPorts)).toEqual([
      `${BASE + 300}-${BASE + 649}`,
      `${BASE + 650}-${BASE + 999}`,
    ]);
    for (const x of agents) {
      for (const y of agents) {
        if (x === y) continue;
        const [x0, x1] = bounds(x.dockerPorts);
        const [y0, y1] = bounds(y.dockerPorts);
        expect(x1 < y0 || y1 < x0).toBe(true);
      }
    }

    // The same base, and one that overlaps: refused, nothing started.
    for (const base of [BASE, BASE + 500]) {
      const dir = mkdtempSync(join(tmpdir(), 'mo-dev-refused-'));
      try {
        const r = await runMo(['dev', '--insecure', '--port-base', String(base), '--data-dir', dir], {
          timeoutMs: 20_000,
        });
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`--port-base: ${base}: its ports ${base}-${base + 999}`);
        expect(r.stderr).toContain(`held by another mo dev's ${BASE}-${BASE + 999} (pid ${a.child.pid}`);
        expect(r.stderr).not.toMatch(/\| /); // no daemon's log line
        expect(existsSync(join(dir, 'scheduler'))).toBe(false);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    // Both still run; each stops cleanly.
    for (const dev of [a, b]) {
      dev.child.kill('SIGINT');
      expect(await dev.exit).toEqual({ code: 0, signal: null });
    }
  });
});
