// The cluster behind `mo dev`: one mo-scheduler and N mo-agents as child processes of this one,
// their JSON logs turned into prefixed lines, and an ordered shutdown (workloads through the
// scheduler, then agents, then the scheduler; SIGTERM, wait, SIGKILL).
import type { SchedulerClient } from '@mo/api';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DaemonFailedError } from '../errors.js';
import { formatLogLine } from './log-lines.js';

export interface DevClusterOptions {
  agents: number;
  dataDir: string;
  /** Scheduler on base/base+1, agent i on base+10+2i/base+11+2i; 0: every port chosen by the OS. */
  portBase: number;
  logLevel: string;
  /** Stop every workload through the scheduler before stopping the daemons (default behaviour). */
  stopWorkloads: boolean;
  /** How long a daemon gets between SIGTERM and SIGKILL. */
  stopTimeoutMs: number;
  /** How long startup may take until every agent is registered and up. */
  readyTimeoutMs: number;
  /** Where the daemons' log lines and our own notes go. */
  log: (line: string) => void;
}

export interface DevDaemon {
  /** `scheduler`, or the agent's node name (`dev-0`). */
  readonly name: string;
  readonly role: 'scheduler' | 'agent';
  readonly pid: number;
  readonly dataDir: string;
  grpcAddress: string;
  httpAddress: string;
}

interface Running extends DevDaemon {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  /** Resolves with the ready line's fields. */
  readonly ready: Promise<Record<string, unknown>>;
}

/** Node name of agent `i`. */
export function agentName(i: number): string {
  return `dev-${i}`;
}

/** Listen addresses for the scheduler and agent `i` (`port-base 0`: ephemeral). */
export function devPorts(portBase: number, i?: number): { grpc: string; http: string } {
  const at = (offset: number) => `127.0.0.1:${portBase === 0 ? 0 : portBase + offset}`;
  return i === undefined ? { grpc: at(0), http: at(1) } : { grpc: at(10 + 2 * i), http: at(11 + 2 * i) };
}

/** A package's executable, from its resolved entry point (`dist/index.js` → `bin/<name>.js`). */
function binOf(pkg: string, bin: string): string {
  return fileURLToPath(new URL(`../bin/${bin}.js`, import.meta.resolve(pkg)));
}

/** Node flags an executable asks for on its `#!/usr/bin/env -S node …` line (we run it with our node). */
function nodeFlagsOf(script: string): string[] {
  const first = readFileSync(script, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!\S*env -S node((?: \S+)*)\s*$/.exec(first);
  return m?.[1]?.trim().split(' ').filter(Boolean) ?? [];
}

export class DevCluster {
  private readonly daemons: Running[] = [];
  private stopping: Promise<void> | undefined;
  /** Set when a daemon exits on its own: what `mo dev` reports before stopping the rest. */
  private crashed: ((d: DevDaemon, how: string) => void) | undefined;
  private client: SchedulerClient | undefined;

  constructor(private readonly options: DevClusterOptions) {}

  get scheduler(): DevDaemon | undefined {
    return this.daemons.find((d) => d.role === 'scheduler');
  }

  get agents(): DevDaemon[] {
    return this.daemons.filter((d) => d.role === 'agent');
  }

  /** Every pid this cluster started (for tests and for the ready report). */
  get pids(): number[] {
    return this.daemons.map((d) => d.pid);
  }

  /**
   * Called once if a daemon exits while the cluster is meant to be running (not during stop()).
   * Until start() resolves, such an exit rejects start() instead.
   */
  onCrash(fn: (d: DevDaemon, how: string) => void): void {
    this.crashed = fn;
  }

  /** Starts the scheduler, then the agents, and resolves once every agent's node is up. */
  async start(): Promise<void> {
    const o = this.options;
    let failStartup: (err: Error) => void = () => {};
    const startupFailed = new Promise<never>((_, reject) => (failStartup = reject));
    startupFailed.catch(() => {});
    this.crashed = (d, how) => failStartup(new DaemonFailedError(d.name, `exited during startup (${how})`));
    const deadline = Date.now() + o.readyTimeoutMs;
    const withDeadline = <T>(p: Promise<T>, what: string): Promise<T> =>
      Promise.race([
        p,
        startupFailed,
        new Promise<never>((_, reject) => {
          const t = setTimeout(
            () => reject(new DaemonFailedError(what, `not ready after ${o.readyTimeoutMs} ms`)),
            Math.max(0, deadline - Date.now()),
          );
          t.unref();
        }),
      ]);

    const sched = devPorts(o.portBase);
    const schedDir = join(o.dataDir, 'scheduler');
    const scheduler = this.spawn('scheduler', 'scheduler', schedDir, binOf('@mo/scheduler', 'mo-scheduler'), [
      '--grpc-listen',
      sched.grpc,
      '--http-listen',
      sched.http,
      '--data-dir',
      schedDir,
      '--log-level',
      o.logLevel,
      // Every dev agent runs on this one host and measures the same CPU and memory: ranking on
      // that would only follow sampling noise, so rank on declared reservations (ties: random).
      '--reserved-weight',
      '1',
    ]);
    const sr = await withDeadline(scheduler.ready, 'scheduler');
    scheduler.grpcAddress = String(sr.grpcAddress ?? sched.grpc);
    scheduler.httpAddress = String(sr.httpAddress ?? sched.http);

    const agentBin = binOf('@mo/agent', 'mo-agent');
    const agents = Array.from({ length: o.agents }, (_, i) => {
      const ports = devPorts(o.portBase, i);
      const dir = join(o.dataDir, `agent-${i}`);
      return this.spawn(agentName(i), 'agent', dir, agentBin, [
        '--scheduler',
        scheduler.grpcAddress,
        '--node-name',
        agentName(i),
        '--grpc-listen',
        ports.grpc,
        '--http-listen',
        ports.http,
        '--data-dir',
        dir,
        '--log-level',
        o.logLevel,
      ]);
    });
    await Promise.all(
      agents.map(async (a) => {
        const r = await withDeadline(a.ready, a.name);
        a.grpcAddress = String(r.grpc ?? r.grpcAddress ?? '');
        a.httpAddress = String(r.http ?? r.httpAddress ?? '');
      }),
    );

    const { SchedulerClient } = await import('@mo/api');
    // Generous: stopping workloads on exit waits for their grace periods.
    this.client = new SchedulerClient(scheduler.grpcAddress, { deadlineMs: 15_000 });
    const client = this.client;
    const names = new Set(agents.map((a) => a.name));
    await withDeadline(
      (async () => {
        for (;;) {
          try {
            const { nodes } = await client.listNodes();
            const up = nodes.filter((n) => names.has(n.name) && n.state === 'NODE_STATE_UP').length;
            if (up === names.size) return;
          } catch {
            // Not serving yet, or a transient error: poll again.
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      })(),
      'agents registering',
    );
    this.crashed = undefined;
  }

  private spawn(name: string, role: DevDaemon['role'], dataDir: string, bin: string, args: string[]): Running {
    mkdirSync(dataDir, { recursive: true });
    const child = spawn(process.execPath, [...nodeFlagsOf(bin), bin, ...args], {
      // Our own process group: Ctrl-C in a terminal reaches only `mo dev`, which then stops the
      // workloads before the daemons. (The flip side: if `mo dev` is SIGKILLed, they keep running.)
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    const readyMsg = `${role} ready`;
    let markReady: (fields: Record<string, unknown>) => void = () => {};
    const ready = new Promise<Record<string, unknown>>((resolve) => (markReady = resolve));
    const width = Math.max('scheduler'.length, agentName(this.options.agents - 1).length);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        const { text, fields } = formatLogLine(line);
        if (fields?.msg === readyMsg) markReady(fields);
        this.options.log(`${name.padEnd(width)} | ${text}`);
      });
    }
    const daemon: Running = {
      name,
      role,
      pid: child.pid ?? -1,
      dataDir,
      grpcAddress: '',
      httpAddress: '',
      child,
      ready,
      exited: new Promise((resolve) => child.once('exit', () => resolve())),
    };
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      this.crashed?.(daemon, signal ? `killed by ${signal}` : `exit code ${code}`);
    });
    child.once('error', (err) => {
      if (!this.stopping) this.crashed?.(daemon, err.message);
    });
    this.daemons.push(daemon);
    return daemon;
  }

  /**
   * Stops the cluster, once (later calls return the same promise): workloads through the
   * scheduler (unless told not to), then agents, then the scheduler.
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopInOrder();
    return this.stopping;
  }

  /** Second Ctrl-C: no more waiting. */
  killNow(): void {
    for (const d of this.daemons) signal(d, 'SIGKILL');
  }

  private async stopInOrder(): Promise<void> {
    const o = this.options;
    if (o.stopWorkloads && this.client && this.scheduler && alive(this.scheduler as Running)) {
      await this.stopAllWorkloads(this.client).catch((err: unknown) => {
        o.log(`mo dev: could not stop the workloads: ${err instanceof Error ? err.message : String(err)}`);
      });
    }
    this.client?.close();
    await Promise.all(this.daemons.filter((d) => d.role === 'agent').map((d) => this.terminate(d)));
    await Promise.all(this.daemons.filter((d) => d.role === 'scheduler').map((d) => this.terminate(d)));
  }

  private async stopAllWorkloads(client: SchedulerClient): Promise<void> {
    const { workloads } = await client.listWorkloads({
      states: ['WORKLOAD_STATE_PENDING', 'WORKLOAD_STATE_STARTING', 'WORKLOAD_STATE_RUNNING'],
      limit: 10_000,
      omitEvents: true,
    });
    if (workloads.length === 0) return;
    this.options.log(`mo dev: stopping ${workloads.length} workload(s)`);
    const results = await Promise.allSettled(workloads.map((w) => client.stopWorkload(w.id)));
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed > 0) this.options.log(`mo dev: ${failed} workload(s) did not stop cleanly`);
  }

  /** SIGTERM, wait up to stopTimeoutMs, then SIGKILL. */
  private async terminate(d: Running): Promise<void> {
    if (!alive(d)) return;
    signal(d, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), this.options.stopTimeoutMs);
    });
    const late = await Promise.race([d.exited.then(() => false), timedOut]);
    clearTimeout(timer);
    if (late) {
      this.options.log(`mo dev: ${d.name} did not stop within ${this.options.stopTimeoutMs} ms: SIGKILL`);
      signal(d, 'SIGKILL');
      await d.exited;
    }
  }
}

function alive(d: Running): boolean {
  return d.child.exitCode === null && d.child.signalCode === null;
}

function signal(d: Running, sig: NodeJS.Signals): void {
  if (!alive(d)) return;
  try {
    d.child.kill(sig);
  } catch {
    // Gone in the meantime.
  }
}
