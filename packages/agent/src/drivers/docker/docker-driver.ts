// The docker driver: each workload is one container, created and supervised through the Docker
// Engine API (dockerode, loaded on first use so an agent without docker workloads never holds it).
// Safe by default (see settings.ts); docker-init (tini) is PID 1, so signals reach the workload and
// a signal death shows as 128+n. Output is copied into the workload's own log files (logs.ts);
// when a container has ended, its exit status is written to <taskDir>/exit and the container is
// removed. Containers carry labels (mo.allocation, mo.node-id) so that a restarted agent finds its
// own by id and removes those it no longer knows. Apart: the settings and their validation
// (settings.ts), log copying (logs.ts), a container's end (exit.ts), the engine's HTTP (engine-http.ts).
import * as grpc from '@grpc/grpc-js';
import { InvalidArgumentError, MoError, after, sleep, type WorkloadSpec__Output } from '@mo/api';
import type Dockerode from 'dockerode';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  Driver,
  DriverSpec,
  PortMappingRecord,
  RecoverResult,
  TaskConfig,
  TaskHandle,
  TaskUsage,
  WaitResult,
} from '../driver.js';
import { StartFailedError } from '../driver.js';
import { DEFAULT_DOCKER_SOCKET, probeDocker } from '../../host/docker.js';
import { engineRequest } from './engine-http.js';
import { exitOf, readExitFile, writeExitFile } from './exit.js';
import { copyContainerLogs } from './logs.js';
import { PortAllocator } from '../../ports/pool.js';
import {
  DEFAULT_DOCKER_LIMITS,
  dockerSettingsOf,
  validateDockerSpec,
  validateDockerWorkload,
  type DockerLimits,
} from './settings.js';

export const LABEL_ALLOCATION = 'mo.allocation';
export const LABEL_NODE_ID = 'mo.node-id';
const LABEL_WORKLOAD = 'mo.workload';

export interface DockerDriverOptions {
  /** Docker Engine unix socket (default /var/run/docker.sock). */
  socketPath?: string;
  /** This node's id: every container is labelled with it, and only such containers are ever cleaned. */
  nodeId: string;
  limits?: DockerLimits;
  /** Cap of the engine's own json-file log per container (our copies are capped by TaskConfig). */
  engineLogMaxBytes?: number;
  /** Per-workload log file cap for containers re-attached after a restart (default 10 MiB). */
  logMaxBytes?: number;
  /**
   * The agent's host-port pool, shared with named ports (default: a pool of its own over
   * limits.portRange).
   */
  ports?: PortAllocator;
}

interface Tracked {
  result: Promise<WaitResult>;
  abort: AbortController;
}

export class DockerDriver implements Driver {
  readonly name = 'docker';
  readonly specField = 'docker';
  readonly socketPath: string;
  private readonly nodeId: string;
  private readonly limits: DockerLimits;
  private readonly ports: PortAllocator;
  private readonly logMaxBytes: number;
  private engine: Promise<Dockerode> | undefined;
  /** One collector per container: logs copied, exit recorded, container removed. */
  private readonly tracked = new Map<string, Tracked>();
  /** Previous CPU sample per container, for usage deltas. */
  private readonly cpuSamples = new Map<string, { total: number; system: number }>();
  private closed = false;

  constructor(options: DockerDriverOptions) {
    this.socketPath = options.socketPath ?? DEFAULT_DOCKER_SOCKET;
    this.nodeId = options.nodeId;
    this.limits = options.limits ?? DEFAULT_DOCKER_LIMITS;
    const { first, last } = this.limits.portRange;
    this.ports = options.ports ?? new PortAllocator(first, last, this.limits.portHostIp);
    this.logMaxBytes = options.logMaxBytes ?? 10 * 1024 * 1024;
  }

  private client(): Promise<Dockerode> {
    this.engine ??= import('dockerode').then((m) => new m.default({ socketPath: this.socketPath }));
    return this.engine;
  }

  /** Its image, working dir and sandbox, within this agent's limits (settings.ts). */
  validateSpec(spec: WorkloadSpec__Output): DriverSpec {
    return validateDockerWorkload(spec, this.limits);
  }

  async start(config: TaskConfig): Promise<TaskHandle> {
    const d = dockerSettingsOf(config.driverConfig) ?? validateDockerSpec(undefined, this.limits);
    const docker = await this.client();
    const hostPorts = d.ports.length > 0 ? await this.ports.allocate(d.ports.length) : [];
    const ports: PortMappingRecord[] = d.ports.map((containerPort, i) => ({
      containerPort,
      hostPort: hostPorts[i]!,
      hostIp: this.limits.portHostIp,
    }));
    // Named ports (spec.ports): their host ports were allocated by the runner, which releases them;
    // published here, but not in the handle's ports, which the driver holds and releases.
    const published = [...ports, ...(config.ports ?? []).map((p) => ({ ...p, containerPort: p.to }))];
    const memory = config.memoryBytes || this.limits.defaultMemoryBytes;
    const cpuMillis = config.cpuMillis || this.limits.defaultCpuMillis;
    const options: Dockerode.ContainerCreateOptions = {
      name: `mo-${config.id}`,
      Image: d.image,
      // argv exactly: the image's entrypoint and command are not used.
      Entrypoint: config.argv.slice(0, 1),
      Cmd: config.argv.slice(1),
      Env: Object.entries(config.env).map(([k, v]) => `${k}=${v}`),
      ...(config.workingDir ? { WorkingDir: config.workingDir } : {}),
      // The node's user, by number: the image's /etc/passwd need not know it.
      ...(config.user && { User: `${config.user.uid}:${config.user.gid}` }),
      Labels: {
        [LABEL_ALLOCATION]: config.id,
        [LABEL_NODE_ID]: this.nodeId,
        ...(config.labels?.[LABEL_WORKLOAD] ? { [LABEL_WORKLOAD]: config.labels[LABEL_WORKLOAD] } : {}),
      },
      ExposedPorts: Object.fromEntries(published.map((p) => [`${p.containerPort}/tcp`, {}])),
      HostConfig: {
        Init: true,
        Memory: memory,
        MemorySwap: memory,
        NanoCpus: cpuMillis * 1_000_000,
        PidsLimit: d.pidsLimit,
        CapDrop: ['ALL'],
        ...(config.user && config.user.groups.some((g) => g !== config.user!.gid)
          ? { GroupAdd: config.user.groups.filter((g) => g !== config.user!.gid).map(String) }
          : {}),
        ...(d.capAdd.length > 0 ? { CapAdd: d.capAdd } : {}),
        SecurityOpt: d.allowNewPrivileges ? [] : ['no-new-privileges'],
        ReadonlyRootfs: d.readOnlyRoot,
        Tmpfs: { '/tmp': `rw,nosuid,nodev,size=${this.limits.tmpfsBytes}` },
        NetworkMode: d.network,
        PortBindings: Object.fromEntries(
          published.map((p) => [`${p.containerPort}/tcp`, [{ HostIp: p.hostIp, HostPort: String(p.hostPort) }]]),
        ),
        Mounts: d.mounts.map((m) => ({ Type: 'bind', Source: m.source, Target: m.target, ReadOnly: m.readOnly })),
        LogConfig: { Type: 'json-file', Config: { 'max-size': String(config.logMaxBytes), 'max-file': '2' } },
        RestartPolicy: { Name: 'no' },
      },
    };

    let container: Dockerode.Container | undefined;
    try {
      try {
        container = await docker.createContainer(options);
      } catch (err) {
        if (!isNoSuchImage(err)) throw err;
        await this.pull(docker, d.image);
        container = await docker.createContainer(options);
      }
      // Before start: after an agent crash from here on, recovery finds the container by this file.
      writeFileSync(join(config.taskDir, 'container'), container.id);
      await container.start();
      const info = await container.inspect();
      const handle: TaskHandle = { driver: this.name, pid: info.State.Pid, data: { containerId: container.id }, ports };
      this.track(handle, config.taskDir, config.logMaxBytes);
      return handle;
    } catch (err) {
      this.ports.release(hostPorts);
      if (container) await container.remove({ force: true }).catch(() => undefined);
      throw this.startError(err, d.image);
    }
  }

  private async pull(docker: Dockerode, image: string): Promise<void> {
    try {
      const stream = await docker.pull(image);
      await new Promise<void>((resolve, reject) => {
        const timer = after(this.limits.pullTimeoutMs, () => {
          (stream as unknown as { destroy?: () => void }).destroy?.();
          reject(new Error(`no answer in ${this.limits.pullTimeoutMs} ms`));
        });
        docker.modem.followProgress(stream, (err: Error | null, events: Array<{ error?: string }>) => {
          timer.cancel();
          const failed = err?.message ?? events.find((e) => e.error)?.error;
          if (failed) reject(new Error(failed));
          else resolve();
        });
      });
    } catch (err) {
      throw new InvalidArgumentError(
        'spec.docker.image',
        `image ${JSON.stringify(image)} is not on this node and could not be pulled: ${messageOf(err)}`,
      );
    }
  }

  private startError(err: unknown, image: string): Error {
    if (err instanceof MoError) return err;
    if (isEngineUnreachable(err)) {
      // The node's fault, not the workload's: the scheduler places it elsewhere and counts it
      // against this node (the agent offers docker only while its last probe found an engine).
      return new MoError(grpc.status.UNAVAILABLE, `driver docker: no Docker engine answers at ${this.socketPath}`);
    }
    const message = `docker could not start ${image}: ${messageOf(err)}`;
    return new StartFailedError(message, { startError: message, exitCode: 127, finishedAtMs: Date.now() });
  }

  async wait(handle: TaskHandle, taskDir: string): Promise<WaitResult> {
    return this.track(handle, taskDir, this.logMaxBytes);
  }

  /** Starts (once per container) the collector: copy logs until exit, record the exit, remove. */
  private track(handle: TaskHandle, taskDir: string, logMaxBytes: number): Promise<WaitResult> {
    const id = String(handle.data.containerId);
    const existing = this.tracked.get(id);
    if (existing) return existing.result;
    const abort = new AbortController();
    const result = this.collect(id, taskDir, logMaxBytes, abort.signal).finally(() => {
      this.ports.release((handle.ports ?? []).map((p) => p.hostPort));
      this.cpuSamples.delete(id);
      // Kept briefly so a wait() that races the end still finds the result.
      after(1000, () => this.tracked.delete(id));
    });
    this.tracked.set(id, { result, abort });
    return result;
  }

  private async collect(id: string, taskDir: string, logMaxBytes: number, signal: AbortSignal): Promise<WaitResult> {
    const docker = await this.client();
    const container = docker.getContainer(id);
    const logs = copyContainerLogs(
      { logs: (o) => container.logs({ ...o, abortSignal: signal }) as Promise<NodeJS.ReadableStream> },
      taskDir,
      logMaxBytes,
    );
    try {
      await container.wait({ abortSignal: signal });
    } catch (err) {
      if (signal.aborted) return new Promise<WaitResult>(() => undefined); // the agent is closing
      if (!isNotFound(err)) throw err;
    }
    let info: Dockerode.ContainerInspectInfo;
    try {
      info = await container.inspect();
    } catch (err) {
      if (!isNotFound(err)) throw err;
      // Removed already: by us before a restart (the exit file says how it ended) or by someone else.
      const exit = readExitFile(taskDir);
      return exit ? { status: 'exited', exit } : { status: 'lost', reason: `container ${id.slice(0, 12)} vanished` };
    }
    // The log stream ends once the engine has flushed the container's output; bounded all the same.
    await Promise.race([logs, sleep(10_000)]);
    const exit = exitOf(info.State);
    writeExitFile(taskDir, exit);
    await container.remove({ force: true }).catch(() => undefined);
    return { status: 'exited', exit };
  }

  async stop(handle: TaskHandle, graceMs: number): Promise<void> {
    const docker = await this.client();
    const container = docker.getContainer(String(handle.data.containerId));
    if (!(await signal(container, 'SIGTERM'))) return;
    if (await stoppedWithin(container, graceMs)) return;
    if (!(await signal(container, 'SIGKILL'))) return;
    await stoppedWithin(container, 5000);
  }

  /** An exec check runs in the container, as its user, with the docker CLI against this engine. */
  execArgv(handle: TaskHandle, argv: readonly string[]): string[] {
    return ['docker', '-H', `unix://${this.socketPath}`, 'exec', String(handle.data.containerId), ...argv];
  }

  async recover(handle: TaskHandle | undefined, taskDir: string): Promise<RecoverResult> {
    if (!handle) {
      let containerId: string;
      try {
        containerId = readFileSync(join(taskDir, 'container'), 'utf8').trim();
      } catch {
        const exit = readExitFile(taskDir);
        if (exit) return { status: 'exited', exit };
        return { status: 'lost', reason: 'the agent stopped before the container was created' };
      }
      handle = { driver: this.name, pid: 0, data: { containerId } };
    }
    const id = String(handle.data.containerId);
    let info: Dockerode.ContainerInspectInfo;
    try {
      info = await (await this.client()).getContainer(id).inspect();
    } catch (err) {
      const exit = readExitFile(taskDir);
      if (exit) return { status: 'exited', exit };
      if (isEngineUnreachable(err)) return { status: 'lost', reason: `no Docker engine answers at ${this.socketPath}` };
      return { status: 'lost', reason: `container ${id.slice(0, 12)} vanished` };
    }
    if (info.State.Running) {
      this.ports.reserve((handle.ports ?? []).map((p) => p.hostPort));
      return { status: 'running', handle: { ...handle, pid: info.State.Pid } };
    }
    // Ended while the agent was down: collect its logs and exit now, then it is removed.
    return this.track(handle, taskDir, this.logMaxBytes);
  }

  async removeOrphans(known: ReadonlySet<string>): Promise<string[]> {
    // No engine, nothing to clean. Plain HTTP, not dockerode: see engine-http.ts.
    if (!(await probeDocker(this.socketPath)).available) return [];
    const filters = encodeURIComponent(JSON.stringify({ label: [`${LABEL_NODE_ID}=${this.nodeId}`] }));
    const { status, body } = await engineRequest(this.socketPath, 'GET', `/containers/json?all=1&filters=${filters}`);
    if (status !== 200 || !Array.isArray(body)) throw new Error(`listing containers failed: HTTP ${status}`);
    const orphans = (body as Array<{ Id: string; Labels?: Record<string, string> }>).filter(
      (c) => !known.has(c.Labels?.[LABEL_ALLOCATION] ?? ''),
    );
    await Promise.all(
      orphans.map((c) =>
        engineRequest(this.socketPath, 'DELETE', `/containers/${encodeURIComponent(c.Id)}?force=1`).catch(
          () => undefined,
        ),
      ),
    );
    return orphans.map((c) => c.Labels?.[LABEL_ALLOCATION] ?? c.Id);
  }

  async usage(handles: Map<string, TaskHandle>): Promise<Map<string, TaskUsage>> {
    const out = new Map<string, TaskUsage>();
    if (handles.size === 0) return out;
    const docker = await this.client();
    await Promise.all(
      [...handles].map(async ([workloadId, handle]) => {
        const id = String(handle.data.containerId);
        let stats: Dockerode.ContainerStats;
        try {
          stats = (await docker
            .getContainer(id)
            .stats({ stream: false, 'one-shot': true } as { stream: false })) as Dockerode.ContainerStats;
        } catch {
          return; // gone
        }
        const mem = stats.memory_stats;
        if (!mem?.usage) return; // not running (stats of a stopped container are empty)
        const cache = mem.stats?.inactive_file ?? mem.stats?.total_inactive_file ?? mem.stats?.cache ?? 0;
        const total = stats.cpu_stats.cpu_usage.total_usage;
        const system = stats.cpu_stats.system_cpu_usage ?? 0;
        const cpus = stats.cpu_stats.online_cpus || 1;
        const prev = this.cpuSamples.get(id);
        this.cpuSamples.set(id, { total, system });
        const cpuPercent =
          prev && system > prev.system ? ((total - prev.total) / (system - prev.system)) * cpus * 100 : 0;
        out.set(workloadId, { cpuPercent, rssBytes: Math.max(0, mem.usage - cache) });
      }),
    );
    return out;
  }

  /** Ends the log copies and waits of this agent process; containers keep running. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const t of this.tracked.values()) t.abort.abort();
    return Promise.resolve();
  }
}

/** Sends a signal; false when the container is not running (or gone). */
async function signal(container: Dockerode.Container, sig: NodeJS.Signals): Promise<boolean> {
  try {
    await container.kill({ signal: sig });
    return true;
  } catch {
    return false;
  }
}

async function stoppedWithin(container: Dockerode.Container, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (!(await container.inspect()).State.Running) return true;
    } catch {
      return true;
    }
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(25, Math.max(1, deadline - Date.now())));
  }
}

function statusCodeOf(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

function isNotFound(err: unknown): boolean {
  return statusCodeOf(err) === 404;
}

function isNoSuchImage(err: unknown): boolean {
  return isNotFound(err) && /no such image/i.test(messageOf(err));
}

function isEngineUnreachable(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES';
}

/** The engine's message without dockerode's "(HTTP code 404) no such container - " prefix. */
function messageOf(err: unknown): string {
  const json = (err as { json?: { message?: string } }).json;
  return (json?.message ?? (err as Error).message ?? String(err)).trim();
}
