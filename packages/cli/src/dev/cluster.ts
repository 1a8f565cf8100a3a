// The cluster behind `mo dev`: one mo-scheduler and N mo-agents as child processes of this one.
// A daemon that dies is restarted on the same data dir and ports (an agent re-attaches its running
// workloads and re-registers under the same node id), with a growing delay, until it dies too
// often (restart-policy.ts). Shutdown is ordered and leaves nothing: workloads through the
// scheduler and the agents, then the agents, then the scheduler (SIGTERM, wait, SIGKILL), then
// whatever workload processes are still alive (reaper.ts).
// Over ~400 lines: one object's lifecycle (start, restart, ordered stop); what has no state of its
// own is already apart (restart-policy.ts, reaper.ts, cluster-ports.ts, log-lines.ts).
import type { ClientOptions, SchedulerClient } from '@mo/api';
import { after, sleep, type Timer } from '@mo/api/timers';
import { chmodSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonFailedError } from '../errors.js';
import { binOf, DaemonProcess, describeExit, type DaemonExit } from './daemon-process.js';
import { killSessionLeftovers, reapWorkloads } from './reaper.js';
import { decideRestart, DEFAULT_RESTART_POLICY, formatMs, type RestartPolicy } from './restart-policy.js';
import { stopThroughAgent, stopThroughScheduler } from './stop-workloads.js';
import { ensureDevPki, tlsArgs, type DevPki } from './pki.js';
import { DEV_DOCKER_PORT_IP, devDockerPorts, devPorts } from './cluster-ports.js';
import { claimDevPorts, type PortClaim } from './port-claim.js';

export interface DevClusterOptions {
  agents: number;
  dataDir: string;
  /**
   * Scheduler on base/base+1, agent i on base+10+2i/base+11+2i, docker ports from base+300 to
   * base+999 (cluster-ports.ts); 0: daemon ports chosen by the OS, docker ports from a free block.
   */
  portBase: number;
  logLevel: string;
  /** Stop every workload before stopping the daemons, and kill what is left after (default). */
  stopWorkloads: boolean;
  /** How long a daemon gets between SIGTERM and SIGKILL. */
  stopTimeoutMs: number;
  /** How long startup may take until every agent is registered and up. */
  readyTimeoutMs: number;
  /** When to restart a daemon that died, and when to give up (default DEFAULT_RESTART_POLICY). */
  restart?: RestartPolicy;
  /**
   * What kills the workload processes left once the agents are gone (default: the process sweep
   * of reaper.ts). A sweep of each agent's cgroup subtree belongs here once agents run workloads
   * in cgroups.
   */
  sweeps?: LeftoverSweep[];
  /** Where the daemons' log lines and our own notes go. */
  log: (line: string) => void;
  /** The agents' --default-user and --allowed-users (unset: the agents' defaults). */
  defaultUser?: string;
  allowedUsers?: string;
  /** Plaintext (--insecure) instead of the certificates in <data-dir>/tls. */
  insecure?: boolean;
}

/** `hurry` aborts on a second Ctrl-C: stop waiting, kill at once. */
export type LeftoverSweep = (agents: readonly DevDaemon[], hurry: AbortSignal) => Promise<void>;

export interface DevDaemon {
  /** `scheduler`, or the agent's node name (`dev-0`). */
  readonly name: string;
  readonly role: 'scheduler' | 'agent';
  /** Its current process (a restarted daemon has a new one). */
  readonly pid: number;
  readonly dataDir: string;
  /** Fixed once it first reports ready: a restart listens on the same addresses. */
  readonly grpcAddress: string;
  readonly httpAddress: string;
  /** How many times it has been restarted. */
  readonly restarts: number;
  /** An agent's docker host ports (`7900-8249`) and the address they are published on. */
  readonly docker?: { ports: string; ip: string };
}

/**
 * Run as root, the agents run workloads as other users, which must pass through this dir to their
 * own under `agent-<i>/workloads/` (the agents see to theirs): it is ours, so it gets o+x (a
 * mkdtemp dir is 0700). Not listable by others.
 */
function passableDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o711 });
  const st = statSync(dir);
  if (process.getuid?.() === 0 && st.uid === 0 && (st.mode & 0o001) === 0) chmodSync(dir, (st.mode & 0o7777) | 0o001);
}

/** A daemon across its restarts. */
class Slot implements DevDaemon {
  grpcAddress = '';
  httpAddress = '';
  restarts = 0;
  /** When it died lately (ms), for the restart policy. */
  deaths: number[] = [];
  restartTimer: Timer | undefined;
  proc!: DaemonProcess;
  docker?: { ports: string; ip: string };

  constructor(
    readonly name: string,
    readonly role: DevDaemon['role'],
    readonly dataDir: string,
    readonly bin: string,
    /** The command line of its next run (it depends on addresses learnt since). */
    private readonly argsOf: (self: Slot) => string[],
  ) {}

  get pid(): number {
    return this.proc.pid;
  }

  args(): string[] {
    return this.argsOf(this);
  }
}

/** Node name of agent `i`. */
export function agentName(i: number): string {
  return `dev-${i}`;
}

export class DevCluster {
  private readonly slots: Slot[] = [];
  private phase: 'starting' | 'running' | 'stopping' = 'starting';
  private stopping: Promise<void> | undefined;
  /** Aborted by a second Ctrl-C: no more waiting anywhere. */
  private readonly hurry = new AbortController();
  private failStartup: (err: Error) => void = () => {};
  private gaveUp: ((err: DaemonFailedError) => void) | undefined;
  private client: SchedulerClient | undefined;
  private readonly policy: RestartPolicy;
  private readonly sweeps: LeftoverSweep[];
  /** This cluster's ports, held against other dev clusters until stop(). */
  private claim: PortClaim | undefined;
  /** The certificates (unset with --insecure); known once start() has begun. */
  pki: DevPki | undefined;

  constructor(private readonly options: DevClusterOptions) {
    this.policy = options.restart ?? DEFAULT_RESTART_POLICY;
    this.sweeps = options.sweeps ?? [(agents, hurry) => this.reap(agents, hurry)];
  }

  get scheduler(): DevDaemon | undefined {
    return this.slots.find((d) => d.role === 'scheduler');
  }

  get agents(): DevDaemon[] {
    return this.slots.filter((d) => d.role === 'agent');
  }

  /** The pid of every daemon now (for tests and for the ready report). */
  get pids(): number[] {
    return this.slots.map((d) => d.pid);
  }

  /** Called once if a daemon dies too often after start() resolved: the cluster is then stopping. */
  onGiveUp(fn: (err: DaemonFailedError) => void): void {
    this.gaveUp = fn;
  }

  /**
   * Starts the scheduler, then the agents, and resolves once every agent's node is up. A daemon
   * that exits before then rejects it (a bad flag or a port in use is not worth retrying).
   */
  async start(): Promise<void> {
    const o = this.options;
    // First: a cluster whose ports another one holds must not start anything.
    this.claim = await claimDevPorts(o.portBase, o.agents, o.dataDir);
    const block = this.claim.span.first;
    passableDataDir(o.dataDir);
    const startupFailed = new Promise<never>((_, reject) => (this.failStartup = reject));
    startupFailed.catch(() => {});
    const deadline = Date.now() + o.readyTimeoutMs;
    const withDeadline = <T>(p: Promise<T>, what: string): Promise<T> => {
      let timer: Timer | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = after(
          deadline - Date.now(),
          () => reject(new DaemonFailedError(what, `not ready after ${o.readyTimeoutMs} ms`)),
          { ref: true },
        );
      });
      return Promise.race([p, startupFailed, late]).finally(() => timer?.cancel());
    };

    const names = Array.from({ length: o.agents }, (_, i) => agentName(i));
    const pki = o.insecure ? undefined : await ensureDevPki(join(o.dataDir, 'tls'), names);
    this.pki = pki;
    const security = (pair: DevPki['scheduler'] | undefined) => (pki && pair ? tlsArgs(pki, pair) : ['--insecure']);
    const sched = devPorts(o.portBase);
    const scheduler = this.add('scheduler', 'scheduler', join(o.dataDir, 'scheduler'), undefined, (s) => [
      ...security(pki?.scheduler),
      '--grpc-listen',
      s.grpcAddress || sched.grpc,
      '--http-listen',
      s.httpAddress || sched.http,
      '--data-dir',
      s.dataDir,
      '--log-level',
      o.logLevel,
      // Every dev agent runs on this one host and measures the same CPU and memory: ranking on
      // that would only follow sampling noise, so rank on declared reservations (ties: random).
      '--reserved-weight',
      '1',
    ]);
    const sr = await withDeadline(scheduler.proc.ready, 'scheduler');
    scheduler.grpcAddress = String(sr.grpcAddress ?? sched.grpc);
    scheduler.httpAddress = String(sr.httpAddress ?? sched.http);

    const agents = Array.from({ length: o.agents }, (_, i) => {
      const ports = devPorts(o.portBase, i);
      const docker = { ports: devDockerPorts(block, i, o.agents), ip: DEV_DOCKER_PORT_IP };
      return this.add(agentName(i), 'agent', join(o.dataDir, `agent-${i}`), docker, (a) => [
        ...security(pki?.agents[a.name]),
        '--scheduler',
        scheduler.grpcAddress,
        '--node-name',
        a.name,
        '--grpc-listen',
        a.grpcAddress || ports.grpc,
        '--http-listen',
        a.httpAddress || ports.http,
        '--data-dir',
        a.dataDir,
        '--log-level',
        o.logLevel,
        '--docker-ports',
        docker.ports,
        '--docker-port-ip',
        docker.ip,
        ...(o.defaultUser !== undefined ? ['--default-user', o.defaultUser] : []),
        ...(o.allowedUsers !== undefined ? ['--allowed-users', o.allowedUsers] : []),
      ]);
    });
    await Promise.all(
      agents.map(async (a) => {
        const r = await withDeadline(a.proc.ready, a.name);
        a.grpcAddress = String(r.grpc ?? r.grpcAddress ?? '');
        a.httpAddress = String(r.http ?? r.httpAddress ?? '');
      }),
    );

    const { SchedulerClient } = await import('@mo/api');
    // Generous: stopping workloads on exit waits for their grace periods.
    this.client = new SchedulerClient(scheduler.grpcAddress, { ...this.credentials('client'), deadlineMs: 15_000 });
    const client = this.client;
    const agentNames = new Set(agents.map((a) => a.name));
    await withDeadline(
      (async () => {
        for (;;) {
          try {
            const { nodes } = await client.listAllNodes();
            const up = nodes.filter((n) => agentNames.has(n.name) && n.state === 'NODE_STATE_UP').length;
            if (up === agentNames.size) return;
          } catch {
            // Not serving yet, or a transient error: poll again.
          }
          await sleep(100, undefined, { ref: true });
        }
      })(),
      'agents registering',
    );
    if (this.phase === 'starting') this.phase = 'running';
  }

  /**
   * Credentials for mo dev's own calls: the admin client certificate for the scheduler; the
   * scheduler's own for agents (they serve NodeAgent to the scheduler alone).
   */
  credentials(as: 'client' | 'scheduler'): Pick<ClientOptions, 'tls' | 'insecure'> {
    const pki = this.pki;
    if (!pki) return { insecure: true };
    const pair = as === 'client' ? pki.client : pki.scheduler;
    const material = { ca: readFileSync(pki.ca), cert: readFileSync(pair.cert), key: readFileSync(pair.key) };
    return { tls: { material: () => material } };
  }

  private add(
    name: string,
    role: DevDaemon['role'],
    dataDir: string,
    docker: Slot['docker'],
    args: (self: Slot) => string[],
  ): Slot {
    mkdirSync(dataDir, { recursive: true });
    const bin = role === 'scheduler' ? binOf('@mo/scheduler', 'mo-scheduler') : binOf('@mo/agent', 'mo-agent');
    const slot = new Slot(name, role, dataDir, bin, args);
    if (docker) slot.docker = docker;
    this.run(slot);
    this.slots.push(slot);
    return slot;
  }

  /** Starts (or restarts) the slot's daemon and watches for its exit. */
  private run(slot: Slot): void {
    const width = Math.max('scheduler'.length, agentName(this.options.agents - 1).length);
    const proc = new DaemonProcess({
      bin: slot.bin,
      args: slot.args(),
      prefix: `${slot.name.padEnd(width)} | `,
      readyMsg: `${slot.role} ready`,
      log: this.options.log,
      stopTimeoutMs: this.options.stopTimeoutMs,
    });
    slot.proc = proc;
    void proc.exited.then((exit) => this.exited(slot, proc, exit));
  }

  private exited(slot: Slot, proc: DaemonProcess, exit: DaemonExit): void {
    // Its session may hold what it started and did not take along (an agent's mo-shim launcher
    // exits on its own, but nothing is left to chance). Now, while the session's number is ours.
    if (proc.startTime !== undefined) killSessionLeftovers(proc.pid, proc.startTime);
    if (this.phase === 'stopping' || slot.proc !== proc) return;
    const how = describeExit(exit);
    if (this.phase === 'starting') {
      this.failStartup(new DaemonFailedError(slot.name, `exited during startup (${how})`));
      return;
    }
    const d = decideRestart(slot.deaths, Date.now(), this.policy);
    slot.deaths = d.deaths;
    if (d.action === 'give-up') {
      this.gaveUp?.(
        new DaemonFailedError(slot.name, `died (${how}); it ${d.reason}: giving up, stopping the dev cluster`),
      );
      return;
    }
    this.options.log(
      `mo dev: ${slot.name} died (${how}); restarting it ${d.delayMs > 0 ? `in ${formatMs(d.delayMs)}` : 'now'}`,
    );
    slot.restartTimer = after(
      d.delayMs,
      () => {
        slot.restartTimer = undefined;
        if (this.phase !== 'running') return;
        slot.restarts += 1;
        this.run(slot);
        const again = slot.proc;
        void again.ready.then(() => {
          if (slot.proc === again && this.phase === 'running') {
            this.options.log(`mo dev: ${slot.name} restarted (pid ${again.pid})`);
          }
        });
      },
      { ref: true },
    );
  }

  /**
   * Stops the cluster, once (later calls return the same promise): workloads through the
   * scheduler and the agents (unless told not to), then agents, then the scheduler, then the
   * workload processes still alive.
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopInOrder();
    return this.stopping;
  }

  /** Second Ctrl-C: no more waiting. */
  killNow(): void {
    this.hurry.abort();
    for (const s of this.slots) s.proc.signal('SIGKILL');
  }

  private async stopInOrder(): Promise<void> {
    const o = this.options;
    this.phase = 'stopping';
    for (const s of this.slots) s.restartTimer?.cancel();
    const note = (what: string) => (err: unknown) =>
      o.log(`mo dev: could not ${what}: ${err instanceof Error ? err.message : String(err)}`);
    const scheduler = this.slots.find((s) => s.role === 'scheduler');
    const agents = this.slots.filter((s) => s.role === 'agent');
    if (o.stopWorkloads && this.client && scheduler?.proc.isReady && !this.hurry.signal.aborted) {
      await stopThroughScheduler(this.client, o.log).catch(note('stop the workloads through the scheduler'));
    }
    this.client?.close();
    if (o.stopWorkloads) {
      await Promise.all(
        agents
          .filter((a) => a.proc.isReady && !this.hurry.signal.aborted)
          .map((a) =>
            stopThroughAgent(a.name, a.grpcAddress, this.credentials('scheduler'), o.log).catch(
              note(`stop the workloads on ${a.name}`),
            ),
          ),
      );
    }
    await Promise.all(agents.map((a) => this.terminate(a)));
    if (scheduler) await this.terminate(scheduler);
    if (o.stopWorkloads) {
      for (const sweep of this.sweeps) await sweep(agents, this.hurry.signal).catch(note('kill the workloads left'));
    }
    this.claim?.release();
  }

  private async terminate(slot: Slot): Promise<void> {
    if (this.hurry.signal.aborted) slot.proc.signal('SIGKILL');
    if (await slot.proc.terminate()) {
      this.options.log(`mo dev: ${slot.name} did not stop within ${formatMs(this.options.stopTimeoutMs)}: SIGKILL`);
    }
  }

  /** The default sweep: what the agents' shim records say is still alive. */
  private async reap(agents: readonly DevDaemon[], hurry: AbortSignal): Promise<void> {
    await reapWorkloads(
      agents.map((a) => a.dataDir),
      {
        graceMs: Math.min(this.options.stopTimeoutMs, 5_000),
        shimGraceMs: 2_000,
        log: this.options.log,
        signal: hurry,
      },
    );
  }
}
