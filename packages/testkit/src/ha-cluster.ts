// Several real schedulers on a real etcd, and agents that know them all (issue 18): the set-up of
// the failover tests and the HA bench. Every scheduler is a `mo-scheduler --store etcd://…`
// process on its own data dir and fixed addresses (a restart comes back where the agents look);
// one leads, the others answer with a redirect. On loopback by default; a test bed's hosts
// (netns.ts) can carry each daemon instead (`schedulerWrap`, `agentWrap`, `hosts`).
import { SchedulerClient } from '@mo/api';
import { startAgentProcess, type AgentProcess } from './agent-process.js';
import { startEtcd, type EtcdServer } from './etcd.js';
import { testClientOptions, testFetch } from './pki.js';
import { startSchedulerProcess, stopAllWorkloads, type SchedulerProcess } from './scheduler-process.js';
import { waitFor } from './wait.js';

export interface HaClusterOptions {
  /** Schedulers (default 3). */
  schedulers?: number;
  /** Agents named node-1..node-N (default 0). */
  agents?: number;
  /** etcd members (default 1). */
  etcdMembers?: 1 | 3;
  /** The election lease, e.g. '2s' (default: the scheduler's). */
  leaseTtl?: string;
  schedulerArgs?: (i: number) => string[];
  agentArgs?: (i: number) => string[];
  env?: Record<string, string>;
}

export interface HaCluster {
  readonly etcd: EtcdServer;
  /** By index; undefined while one is stopped. */
  readonly schedulers: Array<SchedulerProcess | undefined>;
  readonly agents: AgentProcess[];
  /** Every scheduler's gRPC address, `a,b,c` (what agents and clients are given). */
  readonly addresses: string;
  /** A client given every address: it follows the leader. */
  readonly client: SchedulerClient;
  /** The index of the scheduler that leads now (waits until one does). */
  leader(timeoutMs?: number): Promise<number>;
  /** Sends a signal to scheduler i and waits for it to exit. */
  killScheduler(i: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts scheduler i again on its data dir and addresses. */
  restartScheduler(i: number): Promise<SchedulerProcess>;
  restartAgent(i: number): Promise<AgentProcess>;
  waitForNodesUp(n: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Whether scheduler `s` leads now: its /healthz answers 200 (a follower's answers 503). */
export async function schedulerLeads(s: { httpAddress: string }): Promise<boolean> {
  try {
    const res = await testFetch(`https://${s.httpAddress}/healthz`);
    await res.text();
    return res.status === 200;
  } catch {
    return false;
  }
}

export async function startHaCluster(options: HaClusterOptions = {}): Promise<HaCluster> {
  const count = options.schedulers ?? 3;
  const etcd = await startEtcd({ members: options.etcdMembers ?? 1 });
  const schedulers: Array<SchedulerProcess | undefined> = [];
  const dataDirs: string[] = [];
  const listen: Array<{ grpc: string; http: string }> = [];
  const env = options.env ? { env: options.env } : {};
  const argsOf = (i: number, http = '127.0.0.1:0') => [
    '--store',
    `etcd://${etcd.endpoints.map((e) => e.replace(/^https?:\/\//, '')).join(',')}`,
    '--http-listen',
    http,
    ...(options.leaseTtl ? ['--lease-ttl', options.leaseTtl] : []),
    ...(options.schedulerArgs?.(i) ?? []),
  ];
  const agents: AgentProcess[] = [];
  const made: { client?: SchedulerClient } = {};
  const stopAll = async () => {
    made.client?.close();
    await Promise.allSettled(agents.map((a) => stopAllWorkloads(a)));
    await Promise.allSettled(agents.map((a) => a.kill('SIGTERM')));
    await Promise.allSettled(schedulers.map((s) => s?.kill('SIGTERM')));
    await etcd.close();
  };
  try {
    // One at a time: the first to start leads, which makes the tests' start-up deterministic.
    for (let i = 0; i < count; i++) {
      const s = await startSchedulerProcess({ extraArgs: argsOf(i), ...env });
      schedulers.push(s);
      dataDirs.push(s.dataDir);
      listen.push({ grpc: s.grpcAddress, http: s.httpAddress });
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  const addresses = listen.map((l) => l.grpc).join(',');
  const client = new SchedulerClient(addresses, testClientOptions());
  made.client = client;
  const agentArgsOf = (i: number) => [
    '--scheduler',
    addresses,
    '--node-name',
    `node-${i + 1}`,
    ...(options.agentArgs?.(i) ?? []),
  ];
  const started = await Promise.allSettled(
    Array.from({ length: options.agents ?? 0 }, (_, i) => startAgentProcess({ extraArgs: agentArgsOf(i), ...env })),
  );
  for (const r of started) if (r.status === 'fulfilled') agents.push(r.value);
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stopAll();
    throw failed.reason;
  }

  const cluster: HaCluster = {
    etcd,
    schedulers,
    agents,
    addresses,
    client,
    async leader(timeoutMs = 15_000) {
      let found = -1;
      await waitFor(
        'a leading scheduler',
        async () => {
          for (let i = 0; i < schedulers.length; i++) {
            const s = schedulers[i];
            if (s && (await schedulerLeads(s))) {
              found = i;
              return true;
            }
          }
          return false;
        },
        { timeoutMs, intervalMs: 50 },
      );
      return found;
    },
    async killScheduler(i, signal = 'SIGKILL') {
      await schedulers[i]?.kill(signal);
      schedulers[i] = undefined;
    },
    async restartScheduler(i) {
      const s = await startSchedulerProcess({
        dataDir: dataDirs[i]!,
        grpcListen: listen[i]!.grpc,
        extraArgs: argsOf(i, listen[i]!.http),
        ...env,
      });
      schedulers[i] = s;
      return s;
    },
    async restartAgent(i) {
      const agent = await startAgentProcess({ dataDir: agents[i]!.dataDir, extraArgs: agentArgsOf(i), ...env });
      agents[i] = agent;
      return agent;
    },
    async waitForNodesUp(n, timeoutMs = 30_000) {
      await waitFor(
        `${n} nodes up`,
        async () => {
          try {
            return (await client.listAllNodes()).nodes.filter((x) => x.state === 'NODE_STATE_UP').length >= n;
          } catch {
            return false; // between leaders
          }
        },
        { timeoutMs, intervalMs: 100 },
      );
    },
    stop: stopAll,
  };
  try {
    await cluster.leader();
    if (agents.length > 0) await cluster.waitForNodesUp(agents.length);
  } catch (err) {
    await stopAll();
    throw err;
  }
  return cluster;
}
