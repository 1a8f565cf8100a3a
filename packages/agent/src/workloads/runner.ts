// WorkloadRunner: runs workloads on this agent (the scheduler's WorkloadManager decides where they
// run; this runs them here). Each start goes through the lifecycle hooks (hooks/: artifacts, sandbox
// mount, task dir, environment, outputs, timeout) around its driver; each end is read by outcomeOf
// (outcome.ts); every transition is kept, saved and told by its WorkloadLedger (ledger.ts). It
// re-attaches workloads after an agent restart, and stops them on request, when fenced or when a
// health check fails past its restart_after (health.ts). Named ports come from the agent's pool.
// Over ~450 lines: start, stop, recovery and usage, and a start's steps (ports, hooks, driver,
// checks) with their undoing, share the runner's state (the ledger, the pool, the starts in flight);
// what stands alone already does (ledger.ts, outcome.ts, recovery.ts, hooks/, health.ts).
import {
  AlreadyExistsError,
  MoError,
  START_REFUSED_PREFIX,
  sleep,
  type WorkloadSpec__Output,
  type Logger,
  newId,
} from '@mo/api';
import * as grpc from '@grpc/grpc-js';
import { StartFailedError, type Driver, type TaskConfig, type TaskUsage, type WaitResult } from '../drivers/driver.js';
import { WORK_DIR } from '../state/task-layout.js';
import type { WorkloadRecords } from '../state/workload-store.js';
import { resolveRunAs, type UserLookup, type UserPolicy } from '../users/index.js';
import { LoopBudget } from '../loop-budget.js';
import { allocateNamedPorts, hostPortsOfNamed } from '../ports/named.js';
import { PortAllocator } from '../ports/pool.js';
import { execPlanOf, WorkloadHealth } from './health.js';
import { TERMINAL_STATES, type WorkloadRecord, type WorkloadStateName } from './record.js';
import { validateGrace, validateStartSpec } from './validate.js';
import type { ArtifactTransfer } from './artifacts.js';
import { workloadHooks, type WorkloadHook } from './hooks/index.js';
import { WorkloadLedger, type Persist, type TransitionEvent } from './ledger.js';
import { outcomeOf } from './outcome.js';
import { recoverWorkloads, type RecoverySummary } from './recovery.js';
import { join } from 'node:path';

export interface WorkloadRunnerOptions {
  store: WorkloadRecords;
  drivers: Driver[];
  logger: Logger;
  nodeName: string;
  logMaxBytes: number;
  defaultGracePeriodMs: number;
  /** Ended workloads kept for status and logs; the oldest beyond this are deleted. */
  maxRetainedEnded: number;
  /** Moves pipeline artifacts through the scheduler (absent on a standalone agent). */
  artifacts?: ArtifactTransfer;
  /** Who workloads run as (--default-user, --allowed-users) and the node's user database. */
  users: { policy: UserPolicy; lookup: UserLookup };
  /**
   * The share of each event-loop turn starts may take (see loop-budget.ts); the store's deferred
   * writes should share it. Default: a budget of its own.
   */
  turns?: LoopBudget;
  /** The host-port pool for named ports (default 3001-4000 of its own), and where it publishes. */
  ports?: PortAllocator;
  portHostIp?: string;
  /** The host in $MO_ADDR_<NAME>: the agent's advertised address's (default 127.0.0.1). */
  addressHost?: string;
  /** Each health check result, by kind (metrics). */
  onCheckResult?(kind: string, ok: boolean): void;
}

export type { TransitionEvent } from './ledger.js';

export class WorkloadRunner {
  private readonly ledger: WorkloadLedger;
  private readonly drivers = new Map<string, Driver>();
  private readonly starting = new Map<string, Promise<unknown>>();
  /** Exited 0, their `succeeding` hooks (the artifact upload) not done: not yet reported succeeded. */
  private readonly succeeding = new Set<string>();
  /** Self-fencing stops in progress (see fence). */
  private readonly fencing = new Set<Promise<void>>();
  /** Every workload's lifecycle, in order (hooks/index.ts). */
  private readonly hooks: readonly WorkloadHook[];
  /** A burst of starts takes a bounded share of each loop turn: heartbeats and timers run between. */
  private readonly turns: LoopBudget;
  private readonly pool: PortAllocator;
  /** Each running workload's health checks. */
  private readonly health: WorkloadHealth;

  constructor(private readonly options: WorkloadRunnerOptions) {
    for (const d of options.drivers) this.drivers.set(d.name, d);
    this.turns = options.turns ?? new LoopBudget();
    this.pool = options.ports ?? new PortAllocator(3001, 4000, options.portHostIp ?? '0.0.0.0');
    this.ledger = new WorkloadLedger(options);
    this.health = new WorkloadHealth({
      logger: options.logger,
      save: (record, now) =>
        now ? void options.store.save(record).catch(() => undefined) : options.store.saveLater(record),
      execOf: (r) => execPlanOf(r, this.drivers.get(r.spec.driver), () => this.taskConfigOf(r), this.agentUid),
      fail: (record, reason) => void this.stopFailedCheck(record, reason),
      ...(options.onCheckResult && { result: options.onCheckResult }),
    });
    // An end releases what it held while it ran: its named ports, its checks.
    this.ledger.onTransition(({ record, from }) => {
      if (!TERMINAL_STATES.has(record.state) || (from && TERMINAL_STATES.has(from))) return;
      this.pool.release(hostPortsOfNamed(record.ports));
      void this.health.stop(record.spec.id);
    });
    this.hooks = workloadHooks({
      store: options.store,
      agentUid: this.agentUid,
      nodeName: options.nodeName,
      ...(options.artifacts && { artifacts: options.artifacts }),
      logger: options.logger,
      stopTimedOut: (record) => this.stopTimedOut(record),
      ...(options.addressHost && { addressHost: options.addressHost }),
    });
  }

  private get agentUid(): number {
    return this.options.users.policy.agent.uid;
  }

  get driverNames(): string[] {
    return [...this.drivers.keys()];
  }

  onTransition(listener: (e: TransitionEvent) => void): void {
    this.ledger.onTransition(listener);
  }

  /** A running workload's health (a check's, or its overall) changed. */
  onHealthChange(listener: (record: WorkloadRecord) => void): void {
    this.health.onChange(listener);
  }

  /** Running workloads by health (those with checks). */
  healthCounts(): Record<'starting' | 'healthy' | 'unhealthy', number> {
    return this.health.counts();
  }

  /** Loads persisted records and re-attaches to workloads that are still running (recovery.ts). */
  recover(): Promise<RecoverySummary> {
    return recoverWorkloads({
      store: this.options.store,
      drivers: this.drivers,
      ledger: this.ledger,
      logger: this.options.logger,
      resume: (driver, record) => {
        // Held while the agent was down: no new workload may be given them.
        this.pool.reserve(hostPortsOfNamed(record.ports));
        this.watch(driver, record);
        this.poststart(record);
      },
      finish: (record, result) => this.finish(record, result),
    });
  }

  async start(input: WorkloadSpec__Output | null): Promise<WorkloadRecord> {
    // Asked about while it waits for its turn, it is "on its way in" (WorkloadLedger.arrive).
    return this.ledger.arrive(input?.id, () => this.startNow(input));
  }

  private async startNow(input: WorkloadSpec__Output | null): Promise<WorkloadRecord> {
    // Validation and the first record's JSON and write grow with the spec: within this turn's share.
    const turn = this.turns.take();
    if (turn) await turn;
    const { store } = this.options;
    const { policy, lookup } = this.options.users;
    const spec = validateStartSpec(input, {
      newId: () => newId(),
      defaultWorkingDir: (id) => join(store.dirOf(id), WORK_DIR),
      defaultGracePeriodMs: this.options.defaultGracePeriodMs,
      drivers: this.drivers,
      runAs: (user) => resolveRunAs(user, policy, lookup),
    });
    if (this.ledger.has(spec.id)) throw new AlreadyExistsError(`spec.id: workload "${spec.id}" already exists`);
    if (input) for (const hook of this.hooks) hook.accept?.(spec, input);
    const driver = this.drivers.get(spec.driver)!;
    // In its first record: a restarted agent reserves them again, whatever state it was saved in.
    const ports = await allocateNamedPorts(this.pool, this.options.portHostIp ?? '0.0.0.0', spec.ports);
    if (this.ledger.has(spec.id)) {
      this.pool.release(hostPortsOfNamed(ports));
      throw new AlreadyExistsError(`spec.id: workload "${spec.id}" already exists`);
    }
    const now = Date.now();
    const record: WorkloadRecord = {
      ...(ports.length > 0 && { ports }),
      spec,
      state: 'starting',
      reason: 'starting',
      createdAtMs: now,
      startedAtMs: 0,
      events: [{ state: 'starting', reason: 'starting', atMs: now }],
    };
    this.ledger.add(record);

    const created = store.create(record).catch((err: unknown) => {
      // Nothing is on disk (a full disk is UNAVAILABLE: a node fault): failed, and never saved.
      if (record.state === 'starting')
        this.transition(record, 'failed', `${START_REFUSED_PREFIX}${(err as Error).message}`, 'no');
      throw err;
    });
    const started = (async () => {
      // The first record is on disk before the workload is launched (see
      // WorkloadStore.create): if the agent dies at any point after, recovery finds the record
      // (state starting) and the shim's own `started` file tells it which process is the workload.
      await created;
      if (!(await this.prestart(record))) return;
      await this.launch(driver, record);
    })();
    this.starting.set(spec.id, started);
    if (spec.artifacts?.inputs.length) {
      // Fetching inputs may take longer than a start call's deadline: answer `starting` now; the
      // rest (running, or failed with the reason) is reported on the heartbeat stream.
      started
        .catch((err: unknown) => {
          if (record.state === 'starting')
            this.transition(record, 'failed', `${START_REFUSED_PREFIX}${(err as Error).message}`);
        })
        .finally(() => this.starting.delete(spec.id));
      await created;
      return record;
    }
    try {
      await started;
    } catch (err) {
      if (record.state === 'starting')
        this.transition(record, 'failed', `${START_REFUSED_PREFIX}${(err as Error).message}`);
      throw err;
    } finally {
      this.starting.delete(spec.id);
    }
    return record;
  }

  /**
   * Runs the hooks' prestart in order (inputs fetched, then the task dir handed to the workload's
   * user). False, and the workload failed, when one refused it with a StartFailedError.
   */
  private async prestart(record: WorkloadRecord): Promise<boolean> {
    try {
      for (const hook of this.hooks) {
        const pending = hook.prestart?.(record);
        if (pending) await pending;
      }
      return true;
    } catch (err) {
      if (!(err instanceof StartFailedError)) throw err;
      this.finish(record, { status: 'exited', exit: err.exit });
      return false;
    }
  }

  private async launch(driver: Driver, record: WorkloadRecord): Promise<void> {
    // The environment and the launcher's frame grow with the spec too: a share of a turn again.
    const turn = this.turns.take();
    if (turn) await turn;
    const { spec } = record;
    // Launch time: the workload may exit (and the shim record its end) before start() resolves.
    record.startedAtMs = Date.now();
    try {
      record.handle = await driver.start(this.taskConfigOf(record));
    } catch (err) {
      if (err instanceof StartFailedError) {
        this.finish(record, { status: 'exited', exit: err.exit });
        return;
      }
      this.transition(record, 'failed', `${START_REFUSED_PREFIX}${(err as Error).message}`);
      // A refusal that names its cause (an absent image, no free port) keeps its own status code.
      if (err instanceof MoError) throw err;
      throw new MoError(grpc.status.INTERNAL, `could not start workload ${spec.id}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    // Not saved when the driver records its own starts: a restarted agent finds the record in
    // `starting` and rebuilds the rest from the driver's record (see Driver.recordsStart).
    this.transition(record, 'running', `started (pid ${record.handle.pid})`, driver.recordsStart ? 'no' : 'now');
    this.watch(driver, record);
    this.poststart(record);
  }

  /** What the driver is given: the spec's own values, then each hook's part (the env, the /mo mount). */
  private taskConfigOf(record: WorkloadRecord): TaskConfig {
    const { spec } = record;
    const config: TaskConfig = {
      id: spec.id,
      argv: spec.argv,
      env: spec.env,
      workingDir: spec.workingDir,
      taskDir: this.options.store.dirOf(spec.id),
      logMaxBytes: this.options.logMaxBytes,
      cpuMillis: spec.cpuMillis,
      memoryBytes: spec.memoryBytes,
      pidsLimit: spec.pidsLimit,
      labels: spec.labels,
      ...(spec.runAs && { user: spec.runAs }),
      ...(spec.docker && { driverConfig: spec.docker }),
    };
    for (const hook of this.hooks) hook.configure?.(record, config);
    return config;
  }

  private poststart(record: WorkloadRecord): void {
    for (const hook of this.hooks) hook.poststart?.(record);
    this.health.start(record);
  }

  /**
   * A check failed restart_after times in a row: saved first (the exit that follows reads as
   * failed, with the check, after an agent crash too), then stopped; whoever keeps it running
   * (the scheduler, a job) starts another, it is not restarted in place.
   */
  private async stopFailedCheck(record: WorkloadRecord, reason: string): Promise<void> {
    await this.starting.get(record.spec.id)?.catch(() => undefined);
    if (TERMINAL_STATES.has(record.state) || !record.handle || record.stopRequested || record.fenced) return;
    if (record.checkFailed) return;
    record.checkFailed = reason;
    await this.saveIntent(record, 'failed check');
    await this.stopAndAwait(record, record.spec.gracePeriodMs);
  }

  private watch(driver: Driver, record: WorkloadRecord): void {
    driver.wait(record.handle!, this.options.store.dirOf(record.spec.id)).then(
      (result) => this.finish(record, result),
      (err: unknown) => this.transition(record, 'lost', `lost track of the workload: ${(err as Error).message}`),
    );
  }

  /** A workload's run limit passed (the timeout hook): saved first, then stopped by its driver. */
  private async stopTimedOut(record: WorkloadRecord): Promise<void> {
    // Persisted first: after an agent crash, the exit that follows must still read as timed out.
    await this.saveIntent(record, 'timeout');
    await this.drivers.get(record.spec.driver)!.stop(record.handle!, record.spec.gracePeriodMs);
  }

  private finish(record: WorkloadRecord, result: WaitResult): void {
    if (TERMINAL_STATES.has(record.state)) return;
    if (result.status === 'exited') {
      if (this.succeeding.has(record.spec.id)) return;
      record.exit = result.exit;
      for (const hook of this.hooks) hook.exited?.(record, result.exit);
    }
    const { state, reason } = outcomeOf(record, result);
    if (state === 'succeeded') this.succeed(record, reason);
    else this.transition(record, state, reason);
  }

  /** Exit 0: the `succeeding` hooks first (the artifact upload, if any); only then is it succeeded. */
  private succeed(record: WorkloadRecord, how: string): void {
    const pending = this.hooks.flatMap((hook) => hook.succeeding?.(record) ?? []);
    if (pending.length === 0) {
      this.transition(record, 'succeeded', how);
      return;
    }
    const id = record.spec.id;
    this.succeeding.add(id);
    Promise.all(pending).then(
      (notes) => {
        this.succeeding.delete(id);
        this.transition(record, 'succeeded', [how, ...notes].join('; '));
      },
      (err: unknown) => {
        this.succeeding.delete(id);
        this.transition(record, 'failed', `${how}, but ${(err as Error).message}`);
      },
    );
  }

  private transition(record: WorkloadRecord, state: WorkloadStateName, reason: string, persist?: Persist): void {
    this.ledger.transition(record, state, reason, persist);
  }

  async stop(workloadId: string, gracePeriodMs: number): Promise<WorkloadRecord> {
    validateGrace('grace_period_ms', gracePeriodMs);
    const record = this.get(workloadId);
    await this.starting.get(record.spec.id)?.catch(() => undefined);
    if (TERMINAL_STATES.has(record.state)) return record;
    if (!record.stopRequested) {
      record.stopRequested = true;
      // Awaited: after an agent crash, the exit that follows must still read as `stopped`.
      await this.saveIntent(record, 'stop');
    }
    await this.stopAndAwait(record, gracePeriodMs || record.spec.gracePeriodMs);
    return record;
  }

  /** The driver's stop (TERM, grace, KILL of the whole tree), then its exit, which follows within moments. */
  private async stopAndAwait(record: WorkloadRecord, graceMs: number): Promise<void> {
    await this.drivers.get(record.spec.driver)!.stop(record.handle!, graceMs);
    await Promise.race([this.whenEnded(record.spec.id), sleep(10_000)]);
  }

  /**
   * Saves what only the agent knows (a stop request, a timeout) before acting on it. A failed save
   * (a full disk) does not stop it from acting: the store retries the write, and only a crash
   * before that succeeds would report the exit as a plain failure.
   */
  private async saveIntent(record: WorkloadRecord, what: string): Promise<void> {
    try {
      await this.options.store.save(record);
    } catch (err) {
      this.options.logger.warn(`could not save the ${what} before acting on it; acting anyway`, {
        id: record.spec.id,
        err,
      });
    }
  }

  /**
   * Self-fencing: stops a workload this agent must not keep running on its own (cut off from the
   * scheduler past its lost_after: the scheduler gives it up and may run it elsewhere). It ends
   * `lost` with `reason`, so the scheduler, when it hears of it, applies the restart policy.
   */
  fence(workloadId: string, reason: string): Promise<void> {
    const record = this.ledger.find(workloadId);
    if (!record || TERMINAL_STATES.has(record.state) || record.fenced || record.stopRequested) return Promise.resolve();
    record.fenced = reason;
    const done = this.stopFenced(record).finally(() => this.fencing.delete(done));
    this.fencing.add(done);
    return done;
  }

  /**
   * Resolves once no self-fencing stop is in progress: the inventory sent on a Register must not
   * show a workload being fenced as running, or the scheduler could keep it instead of its
   * replacement.
   */
  async fencesSettled(): Promise<void> {
    await Promise.allSettled([...this.fencing]);
  }

  private async stopFenced(record: WorkloadRecord): Promise<void> {
    await this.starting.get(record.spec.id)?.catch(() => undefined);
    if (TERMINAL_STATES.has(record.state) || !record.handle) return;
    this.options.logger.warn('stopping workload: cut off from the scheduler', {
      id: record.spec.id,
      reason: record.fenced,
    });
    // Saved first, so the exit that follows reads as fenced (lost) after an agent crash too.
    await this.saveIntent(record, 'fence');
    await this.stopAndAwait(record, record.spec.gracePeriodMs);
  }

  get(workloadId: string): WorkloadRecord {
    return this.ledger.get(workloadId);
  }

  list(): WorkloadRecord[] {
    return this.ledger.list();
  }

  /** Notes that an ended workload's logs were removed (log retention): `mo logs` says so. */
  noteLogsRemoved(workloadId: string, atMs: number): void {
    this.ledger.noteLogsRemoved(workloadId, atMs);
  }

  /** Resolves once the workload is in a terminal state. */
  whenEnded(workloadId: string): Promise<void> {
    return this.ledger.whenEnded(workloadId);
  }

  counts(): Record<WorkloadStateName, number> {
    return this.ledger.counts();
  }

  /** CPU and RSS of the given (or all running) workloads. */
  async usage(records: WorkloadRecord[] = this.list()): Promise<Map<string, TaskUsage>> {
    const byDriver = new Map<Driver, Map<string, NonNullable<WorkloadRecord['handle']>>>();
    for (const r of records) {
      if (r.state !== 'running' || !r.handle) continue;
      const driver = this.drivers.get(r.spec.driver);
      if (!driver) continue;
      let m = byDriver.get(driver);
      if (!m) byDriver.set(driver, (m = new Map()));
      m.set(r.spec.id, r.handle);
    }
    const out = new Map<string, TaskUsage>();
    for (const [driver, handles] of byDriver) for (const [k, v] of await driver.usage(handles)) out.set(k, v);
    return out;
  }

  async close(): Promise<void> {
    for (const hook of this.hooks) hook.close?.();
    await this.health.close();
    await Promise.all([...this.drivers.values()].map((d) => d.close()));
    await this.options.store.flush();
  }
}
