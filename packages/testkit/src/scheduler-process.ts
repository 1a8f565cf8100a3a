// Starts a real `mo-scheduler` as a separate OS process (loopback, ephemeral ports), and small
// clusters of one scheduler + N real agents registered with it.
import { SchedulerClient } from '@mo/api';
import { fileURLToPath } from 'node:url';
import { startDaemonProcess, tempDataDir, type DaemonProcess } from './daemon.js';
import { nodeEnvOf, nodeFlagsOf, startAgentProcess, type AgentProcess } from './agent-process.js';
import { waitFor } from './wait.js';
import { ensureTestPki, testClientOptions, tlsFlags } from './pki.js';

/** The scheduler's executable in this checkout (built by `pnpm build`). */
export const SCHEDULER_BIN = fileURLToPath(new URL('../../scheduler/bin/mo-scheduler.js', import.meta.url));
/** The Node flags on the scheduler executable's shebang line (this process's node ignores it). */
export const SCHEDULER_NODE_FLAGS = nodeFlagsOf(SCHEDULER_BIN);
/** The environment the same line sets (malloc tunables: see the executable). */
export const SCHEDULER_NODE_ENV = nodeEnvOf(SCHEDULER_BIN);

export interface SchedulerProcessOptions {
  /** Reuse a data dir (restart on the same state); default: a fresh temp dir. */
  dataDir?: string;
  extraArgs?: string[];
  env?: Record<string, string>;
  /** Fixed listen address (to restart on the same port); default 127.0.0.1:0. */
  grpcListen?: string;
  /** HTTP listen address (default 127.0.0.1:0); in a bed host, its address to be reached from outside. */
  httpListen?: string;
  /** A command to run it under, e.g. a test bed host's `wrap` to run it in that namespace. */
  wrap?: readonly string[];
  readyTimeoutMs?: number;
  /**
   * Plaintext (--insecure) instead of TLS. By default it runs with the run's scheduler
   * certificate and its client carries the run's admin client certificate.
   */
  insecure?: boolean;
}

/** A real mo-scheduler process and a client for it. */
export type SchedulerProcess = DaemonProcess<SchedulerClient>;

export async function startSchedulerProcess(options: SchedulerProcessOptions = {}): Promise<SchedulerProcess> {
  const security = options.insecure ? ['--insecure'] : tlsFlags((await ensureTestPki()).scheduler);
  return startDaemonProcess({
    name: 'mo-scheduler',
    bin: SCHEDULER_BIN,
    nodeFlags: SCHEDULER_NODE_FLAGS,
    ...options,
    // First, so a test's own --tls-* flags win.
    extraArgs: [...security, ...(options.extraArgs ?? [])],
    env: { ...SCHEDULER_NODE_ENV, ...options.env },
    dataDir: options.dataDir ?? tempDataDir('mo-scheduler-'),
    readyMsg: 'scheduler ready',
    addresses: (ready) => ({ grpc: String(ready.grpcAddress), http: String(ready.httpAddress) }),
    client: (address) => new SchedulerClient(address, options.insecure ? { insecure: true } : testClientOptions()),
  });
}

export interface ClusterOptions {
  agents: number;
  schedulerArgs?: string[];
  /** Extra environment for the scheduler (e.g. debugGcEnv()). */
  schedulerEnv?: Record<string, string>;
  /** Extra flags per agent (index i gets agentArgs(i)). */
  agentArgs?: (i: number) => string[];
  /** Extra environment of every daemon (e.g. `pnpm bench --profile`'s profiler hook). */
  env?: Record<string, string>;
  /** Every daemon in plaintext (--insecure); default TLS with the run's certificates. */
  insecure?: boolean;
}

export interface Cluster {
  scheduler: SchedulerProcess;
  agents: AgentProcess[];
  /** Starts agent i again on its data dir (after a kill), registered with the same scheduler. */
  restartAgent(i: number): Promise<AgentProcess>;
  /** Waits until `n` nodes are up. */
  waitForNodesUp(n: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Stops every workload an agent still runs (grace 0), straight through its own API. */
export async function stopAllWorkloads(agent: AgentProcess): Promise<void> {
  const { workloads } = await agent.client.getFullNodeStatus();
  const live = workloads.filter((w) => w.state === 'WORKLOAD_STATE_RUNNING' || w.state === 'WORKLOAD_STATE_STARTING');
  await Promise.allSettled(live.map((w) => agent.client.stopWorkload(w.spec!.id, 1)));
}

/** One scheduler and N agents named node-1..node-N, all registered. */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const env = options.env && { env: options.env };
  const schedulerEnv = options.env || options.schedulerEnv ? { env: { ...options.env, ...options.schedulerEnv } } : {};
  const insecure = options.insecure ? { insecure: true } : {};
  const scheduler = await startSchedulerProcess({
    extraArgs: options.schedulerArgs ?? [],
    ...schedulerEnv,
    ...insecure,
  });
  const argsOf = (i: number) => [
    '--scheduler',
    scheduler.grpcAddress,
    '--node-name',
    `node-${i + 1}`,
    ...(options.agentArgs?.(i) ?? []),
  ];
  // One agent that does not come up must not leave the others and the scheduler running.
  const started = await Promise.allSettled(
    Array.from({ length: options.agents }, (_, i) => startAgentProcess({ extraArgs: argsOf(i), ...env, ...insecure })),
  );
  const agents = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled(agents.map((a) => a.kill('SIGTERM')));
    await scheduler.kill('SIGTERM');
    throw failed.reason;
  }
  const cluster: Cluster = {
    scheduler,
    agents,
    async restartAgent(i) {
      const agent = await startAgentProcess({ dataDir: agents[i]!.dataDir, extraArgs: argsOf(i), ...env, ...insecure });
      agents[i] = agent;
      return agent;
    },
    async waitForNodesUp(n, timeoutMs = 15_000) {
      await waitFor(
        `${n} nodes up`,
        async () =>
          (await scheduler.client.listAllNodes()).nodes.filter((x) => x.state === 'NODE_STATE_UP').length >= n,
        { timeoutMs, intervalMs: 50 },
      );
    },
    async stop() {
      // Agents leave workloads running when they stop (by design): end them first, so a test
      // never leaks processes, even when it failed half-way.
      await Promise.allSettled(agents.map((a) => stopAllWorkloads(a)));
      await Promise.allSettled(agents.map((a) => a.kill('SIGTERM')));
      await scheduler.kill('SIGTERM');
    },
  };
  try {
    await cluster.waitForNodesUp(options.agents);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}
