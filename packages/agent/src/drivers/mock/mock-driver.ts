// A driver that runs nothing, for simulated nodes in benchmarks (many agents in one process) and
// for tests of the agent's own logic. Like Nomad's drivers/mock it is a complete Driver: start
// answers at once with a fake pid, the "workload" runs until it is stopped, or for MO_MOCK_RUN_MS
// of its spec env and then exits with MO_MOCK_EXIT_CODE (default 0). No process is ever created.
// With `servePorts`, a workload is a no-op server: it answers HTTP 200 on each of its named ports
// ($MO_PORT_*) while it runs, so benchmarks can check its health the way a real service's is.
import { after, type Timer } from '@mo/api';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import type { Driver, RecoverResult, TaskConfig, TaskHandle, TaskUsage, WaitResult } from '../driver.js';

export interface MockDriverOptions {
  /**
   * The driver name workloads ask for (default "mock"). A benchmark node that should take ordinary
   * workloads can pose as "process".
   */
  name?: string;
  /** Answer HTTP 200 on each $MO_PORT_* of a running workload (on 127.0.0.1). */
  servePorts?: boolean;
}

/** Fake pids start above Linux's largest pid_max (2^22), so one can never be a real process. */
const FIRST_FAKE_PID = 5_000_000;

interface MockTask {
  handle: TaskHandle;
  timer?: Timer;
  servers?: http.Server[];
  result?: WaitResult;
  waiters: Array<(r: WaitResult) => void>;
}

export class MockDriver implements Driver {
  readonly name: string;
  private readonly tasks = new Map<string, MockTask>();
  private nextPid = FIRST_FAKE_PID;
  private readonly servePorts: boolean;

  constructor(options: MockDriverOptions = {}) {
    this.name = options.name ?? 'mock';
    this.servePorts = options.servePorts ?? false;
  }

  start(config: TaskConfig): Promise<TaskHandle> {
    const handle: TaskHandle = { driver: this.name, pid: this.nextPid++, data: { mockId: config.id } };
    const task: MockTask = { handle, waiters: [] };
    this.tasks.set(config.id, task);
    // The working dir a process's exec health checks run in (an agent keeping its records in
    // memory makes none): nothing else is created.
    if (config.workingDir) mkdirSync(config.workingDir, { recursive: true });
    if (this.servePorts) task.servers = serve(config.env);
    const runMs = envInt(config.env, 'MO_MOCK_RUN_MS');
    if (runMs !== undefined) {
      const exitCode = envInt(config.env, 'MO_MOCK_EXIT_CODE') ?? 0;
      // Unref'd (as every `after`): a simulated workload must not keep a benchmark process alive.
      task.timer = after(runMs, () => this.end(task, { exitCode }));
    }
    return Promise.resolve(handle);
  }

  wait(handle: TaskHandle): Promise<WaitResult> {
    const task = this.taskOf(handle);
    if (!task) return Promise.resolve({ status: 'lost', reason: 'unknown to the mock driver' });
    if (task.result) return Promise.resolve(task.result);
    return new Promise((resolve) => task.waiters.push(resolve));
  }

  stop(handle: TaskHandle): Promise<void> {
    const task = this.taskOf(handle);
    if (task && !task.result) this.end(task, { signal: 'SIGTERM' });
    return Promise.resolve();
  }

  /** Mock workloads live in this driver object only: a new driver (a new agent process) finds nothing. */
  recover(handle: TaskHandle | undefined): Promise<RecoverResult> {
    const task = handle && this.taskOf(handle);
    if (!task) return Promise.resolve({ status: 'lost', reason: 'mock workloads do not survive their driver' });
    return Promise.resolve(task.result ?? { status: 'running', handle: task.handle });
  }

  usage(handles: Map<string, TaskHandle>): Promise<Map<string, TaskUsage>> {
    const out = new Map<string, TaskUsage>();
    for (const [id, handle] of handles) {
      const task = this.taskOf(handle);
      if (task && !task.result) out.set(id, { cpuPercent: 0, rssBytes: 0 });
    }
    return Promise.resolve(out);
  }

  /** Nothing to release: the timers are unref'd and, as with real drivers, workloads keep running. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  private taskOf(handle: TaskHandle): MockTask | undefined {
    return this.tasks.get(String(handle.data.mockId));
  }

  private end(task: MockTask, exit: { exitCode?: number; signal?: string }): void {
    task.timer?.cancel();
    for (const server of task.servers ?? []) server.close();
    task.result = { status: 'exited', exit: { ...exit, finishedAtMs: Date.now() } };
    const waiters = task.waiters.splice(0);
    for (const w of waiters) w(task.result);
    // Someone (the runner's watch) has the result: forget the task, so that a benchmark running
    // millions of short workloads does not grow this map. Unwatched results stay for a later wait().
    if (waiters.length > 0) this.tasks.delete(String(task.handle.data.mockId));
  }
}

/** A no-op HTTP server on each $MO_PORT_* (a port it cannot take is left alone: its checks fail). */
function serve(env: Record<string, string>): http.Server[] {
  return Object.entries(env)
    .filter(([k]) => k.startsWith('MO_PORT_'))
    .map(([, port]) => {
      const server = http.createServer((_req, res) => res.end('ok\n'));
      server.on('error', () => undefined);
      server.listen(Number(port), '127.0.0.1');
      server.unref();
      return server;
    });
}

function envInt(env: Record<string, string>, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
