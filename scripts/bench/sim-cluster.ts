// One real scheduler (TLS, as deployed) and N simulated agents (sim-agents.ts) registered with it:
// the set-up of the suites that need many nodes but measure the scheduler (dashboard, services).
import { startSchedulerProcess, type SchedulerProcess } from '@mo/testkit';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerCleanup, removeLater, sleep, withTimeout, type SuiteContext } from './lib.js';
import { readyLine, startSimAgents } from './scheduler.js';

export interface SimCluster {
  scheduler: SchedulerProcess;
  /** Stops the simulated agents and the scheduler, and removes their state later. */
  stop(): Promise<void>;
}

export async function startSimCluster(ctx: SuiteContext, nodes: number, name: string): Promise<SimCluster> {
  const scheduler = await startSchedulerProcess({
    // Simulated agents all register from 127.0.0.1, and the bench submits as one identity.
    extraArgs: ['--log-level', 'info', '--register-rate', '0', '--rate-limit', 'mutating=off'],
    env: ctx.daemonEnv,
  });
  // On tmpfs when there is one: the agents' state on one disk would be the bottleneck.
  const simRoot = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), `mo-bench-${name}-`));
  const sim = startSimAgents(scheduler.grpcAddress, simRoot, ctx.daemonEnv, nodes);
  const unregister = registerCleanup(() => {
    for (const pid of [sim.pid, scheduler.pid]) {
      try {
        if (pid) process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  const stop = async (): Promise<void> => {
    sim.kill('SIGTERM'); // SIGKILL after 10 s (forceKillAfterDelay)
    await sim;
    await scheduler.kill('SIGTERM');
    removeLater(simRoot);
    removeLater(scheduler.dataDir);
    unregister();
  };
  try {
    await withTimeout(readyLine(sim), 120_000, 'simulated agents');
    await withTimeout(
      (async () => {
        while ((await scheduler.client.listAllNodes()).nodes.length < nodes) await sleep(100);
      })(),
      60_000,
      'simulated agents registering',
    );
  } catch (err) {
    await stop();
    throw err;
  }
  ctx.log(`${nodes} simulated agents up`);
  return { scheduler, stop };
}
