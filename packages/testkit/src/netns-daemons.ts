// mo daemons on the hosts of a network-namespace test bed (netns.ts), as a multi-host cluster
// runs them: each in its host's network namespace (entered with `host.enter`, so it sees this
// machine's cgroups like a real host), listening on the host's address at the default ports
// (nothing else listens in a namespace of its own), an agent advertising that address. Restart
// one on the same host and data dir and it comes back at the same address.
import { startAgentProcess, type AgentProcess, type AgentProcessOptions } from './agent-process.js';
import type { NetnsHost } from './netns.js';
import { startSchedulerProcess, type SchedulerProcess, type SchedulerProcessOptions } from './scheduler-process.js';
import { waitFor } from './wait.js';

/** The daemons' default ports (DESIGN.md), used on every host's own address. */
export const BED_PORTS = { schedulerGrpc: 7600, schedulerHttp: 7601, agentGrpc: 7610, agentHttp: 7611 } as const;

export interface SchedulerInHostOptions extends Omit<SchedulerProcessOptions, 'wrap' | 'grpcListen' | 'httpListen'> {
  /** Default 7600 and 7601. */
  grpcPort?: number;
  httpPort?: number;
}

/**
 * A scheduler in `host`'s namespace on host.address:7600 (gRPC) and :7601 (HTTP), reachable from
 * every other host and from the host namespace. Its store and everything else go in extraArgs
 * (e.g. `--store etcd://…`); TLS with the run's certificates unless `insecure`.
 */
export function startSchedulerIn(host: NetnsHost, options: SchedulerInHostOptions = {}): Promise<SchedulerProcess> {
  const { grpcPort = BED_PORTS.schedulerGrpc, httpPort = BED_PORTS.schedulerHttp, ...rest } = options;
  return startSchedulerProcess({
    ...rest,
    wrap: host.enter,
    grpcListen: `${host.address}:${grpcPort}`,
    httpListen: `${host.address}:${httpPort}`,
  });
}

export interface AgentInHostOptions extends Omit<AgentProcessOptions, 'wrap' | 'grpcListen' | 'httpListen'> {
  /** --scheduler: one address, or several comma-separated ("10.200.1.2:7600,10.200.1.3:7600"). */
  scheduler: string;
  /** --node-name (its certificate is made for this name). */
  nodeName: string;
  /** Default 7610 and 7611. */
  grpcPort?: number;
  httpPort?: number;
  /** Resolve only once it has registered with a scheduler, its inventory included (default true). */
  waitRegistered?: boolean;
  /** How long to wait for that (default 30 s). */
  registerTimeoutMs?: number;
}

/**
 * An agent in `host`'s namespace on host.address:7610 (gRPC, advertised) and :7611 (HTTP). Pass
 * the data dir of an earlier one (`dataDir: old.dataDir`) to restart it: its workloads are
 * re-attached. Further flags in extraArgs come after these.
 */
export async function startAgentIn(host: NetnsHost, options: AgentInHostOptions): Promise<AgentProcess> {
  const {
    scheduler,
    nodeName,
    grpcPort = BED_PORTS.agentGrpc,
    httpPort = BED_PORTS.agentHttp,
    waitRegistered = true,
    registerTimeoutMs = 30_000,
    extraArgs = [],
    ...rest
  } = options;
  const grpc = `${host.address}:${grpcPort}`;
  const agent = await startAgentProcess({
    ...rest,
    wrap: host.enter,
    grpcListen: grpc,
    httpListen: `${host.address}:${httpPort}`,
    extraArgs: ['--scheduler', scheduler, '--advertise', grpc, '--node-name', nodeName, ...extraArgs],
  });
  if (waitRegistered) {
    try {
      await waitForRegistration(agent, registerTimeoutMs);
    } catch (err) {
      await agent.kill('SIGTERM');
      throw err;
    }
  }
  return agent;
}

/** Waits until this agent process has registered with a scheduler (Register and every inventory page answered). */
export async function waitForRegistration(agent: AgentProcess, timeoutMs = 30_000): Promise<void> {
  // The agent logs this once the registration, inventory included, is complete.
  await waitFor(
    `agent ${agent.grpcAddress} registered with a scheduler`,
    () => agent.logs().includes('"registered with scheduler"'),
    { timeoutMs, intervalMs: 50 },
  );
}
