// WorkloadManager: the agent's core. It owns the workload records, drives the drivers, persists
// every transition, re-attaches workloads after an agent restart, and tells listeners about each
// state change (metrics now, the scheduler's heartbeat stream next).
// Over ~400 lines for now: artifacts, the sandbox mount, the environment, outputs and timeouts are
// still inline here; issue 15 turns them into per-concern hooks (Nomad's allocrunner) and this
// file into the runner that calls them.
import {
  AlreadyExistsError,
  FailedPreconditionError,
  InvalidArgumentError,
  MoError,
  NotFoundError,
  after,
  formatDuration,
  newStringMap,
  sleep,
  type Timer,
  type WorkloadSpec__Output,
} from '@mo/api';
import * as grpc from '@grpc/grpc-js';
import { StartFailedError, type Driver, type TaskUsage, type WaitResult } from '../drivers/driver.js';
import type { DockerLimits } from '../drivers/docker/settings.js';
import type { Logger } from '../log.js';
import { WORK_DIR, type WorkloadRecords } from '../state/workload-store.js';
import { chownTree, resolveRunAs, type RunAs, type UserLookup, type UserPolicy } from '../users/index.js';
import { newId } from '../ids.js';
import { LoopBudget } from '../loop-budget.js';
import {
  MAX_EVENTS,
  TERMINAL_STATES,
  type NormalizedSpec,
  type WorkloadRecord,
  type WorkloadStateName,
} from './record.js';
import { DEFAULT_PATH, validateGrace, validateStartSpec, validateWorkloadId } from './validate.js';
import { validateArtifactSpec, type ArtifactTransfer } from './artifacts.js';
import { readOutputs } from './outputs.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface WorkloadManagerOptions {
  store: WorkloadRecords;
  drivers: Driver[];
  logger: Logger;
  nodeName: string;
  logMaxBytes: number;
  defaultGracePeriodMs: number;
  /** Ended workloads kept for status and logs; the oldest beyond this are deleted. */
  maxRetainedEnded: number;
  /** The docker driver's configuration, for validating docker workloads. */
  docker?: DockerLimits;
  /** Moves pipeline artifacts through the scheduler (absent on a standalone agent). */
  artifacts?: ArtifactTransfer;
  /** Who workloads run as (--default-user, --allowed-users) and the node's user database. */
  users: { policy: UserPolicy; lookup: UserLookup };
  /**
   * The share of each event-loop turn starts may take (see loop-budget.ts); the store's deferred
   * writes should share it. Default: a budget of its own.
   */
  turns?: LoopBudget;
}

/** Where a docker workload's own dir (<taskDir>/mo: $MO_OUTPUT, the artifact workspace) is mounted. */
const SANDBOX_MO_DIR = '/mo';
const SANDBOX_WORK_DIR = '/mo/work';

export interface TransitionEvent {
  record: WorkloadRecord;
  from: WorkloadStateName | undefined;
}

export class WorkloadManager {
  private readonly records = new Map<string, WorkloadRecord>();
  private readonly drivers = new Map<string, Driver>();
  private readonly ended = new Map<string, Promise<void>>();
  private readonly endedResolvers = new Map<string, () => void>();
  private readonly starting = new Map<string, Promise<unknown>>();
  /** Workloads that exited 0 and are uploading their artifacts (not yet reported succeeded). */
  private readonly uploading = new Set<string>();
  private readonly listeners: Array<(e: TransitionEvent) => void> = [];
  private endedCount = 0;

  /** Self-fencing stops in progress (see fence). */
  private readonly fencing = new Set<Promise<void>>();

  /** Run-limit timers of running workloads, by id. */
  private readonly timeouts = new Map<string, Timer>();

  /** A burst of starts takes a bounded share of each loop turn: heartbeats and timers run between. */
  private readonly turns: LoopBudget;

  constructor(private readonly options: WorkloadManagerOptions) {
    for (const d of options.drivers) this.drivers.set(d.name, d);
    this.turns = options.turns ?? new LoopBudget();
  }

  get driverNames(): string[] {
    return [...this.drivers.keys()];
  }

  onTransition(listener: (e: TransitionEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Loads persisted records and re-attaches to workloads that are still running. */
  async recover(): Promise<{ reattached: number; exited: number; lost: number }> {
    const { store, logger } = this.options;
    const summary = { reattached: 0, exited: 0, lost: 0 };
    const records = store.loadAll((id, err) => logger.warn('unreadable workload record skipped', { id, err }));
    await Promise.all(
      records.map(async (record) => {
        this.records.set(record.spec.id, record);
        this.trackEnd(record);
        if (TERMINAL_STATES.has(record.state)) {
          this.endedCount++;
          this.resolveEnded(record.spec.id);
          return;
        }
        const driver = this.drivers.get(record.spec.driver);
        if (!driver) {
          summary.lost++;
          this.transition(record, 'lost', `driver ${record.spec.driver} is not available after restart`);
          return;
        }
        const found = await driver.recover(record.handle, store.dirOf(record.spec.id));
        if (found.status === 'running') {
          summary.reattached++;
          record.handle = found.handle;
          // A record saved before its start (see launch): the driver knows when it started.
          if (!record.startedAtMs) record.startedAtMs = found.startedAtMs ?? record.createdAtMs;
          this.transition(record, 'running', 're-attached after agent restart');
          this.watch(driver, record);
          this.armTimeout(record);
        } else {
          if (found.status === 'exited') summary.exited++;
          else summary.lost++;
          // Started and ended while the agent was down, or its `running` was never saved: it was
          // launched right after its record was made.
          if (!record.startedAtMs && found.status === 'exited' && !found.exit.startError) {
            record.startedAtMs = record.createdAtMs;
          }
          this.finish(record, found);
        }
      }),
    );
    await this.removeOrphans();
    this.collectGarbage();
    return summary;
  }

  /** Lets each driver remove what it runs for workloads this agent no longer knows (never fatal). */
  private async removeOrphans(): Promise<void> {
    const known = new Set(
      [...this.records.values()].filter((r) => !TERMINAL_STATES.has(r.state)).map((r) => r.spec.id),
    );
    for (const driver of this.drivers.values()) {
      if (!driver.removeOrphans) continue;
      try {
        const removed = await driver.removeOrphans(known);
        if (removed.length > 0)
          this.options.logger.warn('removed orphaned workloads', { driver: driver.name, removed });
      } catch (err) {
        this.options.logger.warn('could not look for orphaned workloads', { driver: driver.name, err });
      }
    }
  }

  async start(input: WorkloadSpec__Output | null): Promise<WorkloadRecord> {
    // Validation and the first record's JSON and write grow with the spec: within this turn's share.
    const turn = this.turns.take();
    if (turn) await turn;
    const { store } = this.options;
    const { policy, lookup } = this.options.users;
    const spec = validateStartSpec(input, {
      newId: () => newId(),
      defaultWorkingDir: (id) => join(store.dirOf(id), WORK_DIR),
      defaultGracePeriodMs: this.options.defaultGracePeriodMs,
      drivers: this.driverNames,
      docker: this.options.docker,
      runAs: (user) => resolveRunAs(user, policy, lookup),
    });
    if (this.records.has(spec.id)) throw new AlreadyExistsError(`spec.id: workload "${spec.id}" already exists`);
    if (input?.artifacts) this.withArtifacts(spec, input.artifacts, !input.workingDir);
    const driver = this.drivers.get(spec.driver)!;
    const now = Date.now();
    const record: WorkloadRecord = {
      spec,
      state: 'starting',
      reason: 'starting',
      createdAtMs: now,
      startedAtMs: 0,
      events: [{ state: 'starting', reason: 'starting', atMs: now }],
    };
    this.records.set(spec.id, record);
    this.trackEnd(record);
    this.emit(record, undefined);

    const created = store.create(record).catch((err: unknown) => {
      // Nothing is on disk (a full disk is UNAVAILABLE: a node fault): failed, and never saved.
      if (record.state === 'starting')
        this.transition(record, 'failed', `could not start: ${(err as Error).message}`, 'no');
      throw err;
    });
    const started = (async () => {
      // The first record is on disk before the workload is launched (see
      // WorkloadStore.create): if the agent dies at any point after, recovery finds the record
      // (state starting) and the shim's own `started` file tells it which process is the workload.
      await created;
      if (!(await this.fetchInputs(record))) return;
      // Only now, with the inputs in place: the agent wrote them where no one else could.
      this.handOver(record);
      await this.launch(driver, record);
    })();
    this.starting.set(spec.id, started);
    if (spec.artifacts?.inputs.length) {
      // Fetching inputs may take longer than a start call's deadline: answer `starting` now; the
      // rest (running, or failed with the reason) is reported on the heartbeat stream.
      started
        .catch((err: unknown) => {
          if (record.state === 'starting')
            this.transition(record, 'failed', `could not start: ${(err as Error).message}`);
        })
        .finally(() => this.starting.delete(spec.id));
      await created;
      return record;
    }
    try {
      await started;
    } catch (err) {
      if (record.state === 'starting') this.transition(record, 'failed', `could not start: ${(err as Error).message}`);
      throw err;
    } finally {
      this.starting.delete(spec.id);
    }
    return record;
  }

  /** Validates a step's artifact spec; its workspace is <taskDir>/work (<taskDir>/mo/work for docker). */
  private withArtifacts(
    spec: NormalizedSpec,
    raw: NonNullable<WorkloadSpec__Output['artifacts']>,
    defaultDir: boolean,
  ): void {
    if (!this.options.artifacts) {
      throw new FailedPreconditionError('spec.artifacts: this agent has no scheduler to move artifacts through');
    }
    spec.artifacts = validateArtifactSpec(raw);
    if (spec.docker) {
      if (spec.workingDir && spec.workingDir !== SANDBOX_WORK_DIR) {
        throw new InvalidArgumentError('spec.working_dir', `must be empty or ${SANDBOX_WORK_DIR} with artifacts`);
      }
      spec.workingDir = SANDBOX_WORK_DIR;
    } else if (!defaultDir && spec.artifacts.inputs.length > 0 && spec.runAs && spec.runAs.uid !== 0) {
      // The agent writes inputs as root: into a dir the workload's user can change under it (a
      // symlink swapped in), that could write anywhere. Its own dir is the agent's until handOver.
      throw new FailedPreconditionError(
        `spec.working_dir: a step with inputs that runs as ${spec.runAs.name} works in its own dir (leave it empty)`,
      );
    }
  }

  /**
   * Gives the workload what it must write to its user, just before it starts (an agent that is not
   * root runs workloads as itself: they own it already). Process workloads: their `work` dir and
   * `output` file; docker ones: their sandbox dir, bound at /mo.
   */
  private handOver(record: WorkloadRecord): void {
    const { spec } = record;
    const owner = spec.runAs;
    if (!owner || this.options.users.policy.agent.uid !== 0) return;
    if (!spec.docker) {
      this.options.store.handOver(spec.id, owner, (spec.artifacts?.inputs.length ?? 0) > 0);
      return;
    }
    const dir = this.sandboxDir(spec.id);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chownTree(dir, owner.uid, owner.gid);
  }

  /** The host directory artifacts are relative to. */
  private hostWorkDir(record: WorkloadRecord): string {
    const { spec } = record;
    return spec.docker ? join(this.sandboxDir(spec.id), 'work') : spec.workingDir;
  }

  /** <taskDir>/mo: bound at /mo in a docker workload. */
  private sandboxDir(id: string): string {
    return join(this.options.store.dirOf(id), 'mo');
  }

  /**
   * The uid whose files the agent reads back from a workload's dirs (outputs, artifacts): its user.
   * A file of anyone else there (a link to another's file) is not read: the agent reads as root,
   * the workload could not have. Undefined: any owner (the agent runs it as itself, or old records).
   */
  private fileOwner(record: WorkloadRecord): number | undefined {
    const runAs: RunAs | undefined = record.spec.runAs;
    return runAs && this.options.users.policy.agent.uid === 0 ? runAs.uid : undefined;
  }

  private outputFile(record: WorkloadRecord): string {
    return record.spec.docker
      ? join(this.sandboxDir(record.spec.id), 'output')
      : join(this.options.store.dirOf(record.spec.id), 'output');
  }

  /** Fetches a step's inputs into its workspace; false (and the workload failed) when that failed. */
  private async fetchInputs(record: WorkloadRecord): Promise<boolean> {
    const a = record.spec.artifacts;
    if (!a) return true;
    const dir = this.hostWorkDir(record);
    // The agent's own (0700) until handOver gives it, with the inputs, to the workload's user.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (a.inputs.length === 0) return true;
    try {
      await this.options.artifacts!.fetchInputs(a, dir);
      return true;
    } catch (err) {
      const message = (err as Error).message;
      this.finish(record, { status: 'exited', exit: { startError: message, exitCode: 127, finishedAtMs: Date.now() } });
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
      record.handle = await driver.start({
        id: spec.id,
        argv: spec.argv,
        env: this.environmentOf(spec),
        workingDir: spec.workingDir,
        taskDir: this.options.store.dirOf(spec.id),
        logMaxBytes: this.options.logMaxBytes,
        cpuMillis: spec.cpuMillis,
        memoryBytes: spec.memoryBytes,
        pidsLimit: spec.pidsLimit,
        labels: spec.labels,
        ...(spec.runAs && { user: spec.runAs }),
        ...(spec.docker ? { docker: this.withSandboxMount(spec) } : {}),
      });
    } catch (err) {
      if (err instanceof StartFailedError) {
        this.finish(record, { status: 'exited', exit: err.exit });
        return;
      }
      this.transition(record, 'failed', `could not start: ${(err as Error).message}`);
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
    this.armTimeout(record);
  }

  /**
   * A docker workload gets its own dir bound at /mo (writable, whatever its root): $MO_OUTPUT
   * and the artifact workspace live there, so the agent reads them on the host when it ends. It is
   * the container user's (handOver), mode 0700.
   */
  private withSandboxMount(spec: NormalizedSpec): NonNullable<NormalizedSpec['docker']> {
    const d = spec.docker!;
    if (d.mounts.some((m) => m.target === SANDBOX_MO_DIR || m.target.startsWith(`${SANDBOX_MO_DIR}/`))) return d;
    const source = this.sandboxDir(spec.id);
    mkdirSync(source, { recursive: true, mode: 0o700 });
    return { ...d, mounts: [...d.mounts, { source, target: SANDBOX_MO_DIR, readOnly: false }] };
  }

  /**
   * The workload's whole environment: a minimal base (the agent's own env is not leaked) + its spec.
   * A prototype-free map, so a variable named `__proto__` reaches the process like any other.
   */
  private environmentOf(spec: NormalizedSpec): Record<string, string> {
    const base = spec.docker
      ? {
          // In a container the host's paths mean nothing; /tmp is its writable tmpfs.
          PATH: DEFAULT_PATH,
          HOME: '/tmp',
          MO_WORKLOAD_ID: spec.id,
          MO_WORKLOAD_NAME: spec.name,
          MO_NODE_NAME: this.options.nodeName,
          MO_OUTPUT: `${SANDBOX_MO_DIR}/output`,
        }
      : {
          PATH: DEFAULT_PATH,
          HOME: spec.workingDir,
          ...(spec.runAs && { USER: spec.runAs.name, LOGNAME: spec.runAs.name }),
          MO_WORKLOAD_ID: spec.id,
          MO_WORKLOAD_NAME: spec.name,
          MO_NODE_NAME: this.options.nodeName,
          MO_WORKLOAD_DIR: this.options.store.dirOf(spec.id),
          MO_OUTPUT: join(this.options.store.dirOf(spec.id), 'output'),
        };
    return newStringMap([...Object.entries(base), ...Object.entries(spec.env)]);
  }

  private watch(driver: Driver, record: WorkloadRecord): void {
    driver.wait(record.handle!, this.options.store.dirOf(record.spec.id)).then(
      (result) => this.finish(record, result),
      (err: unknown) => this.transition(record, 'lost', `lost track of the workload: ${(err as Error).message}`),
    );
  }

  /** Stops the workload when its run limit passes (counted from its start, across restarts). */
  private armTimeout(record: WorkloadRecord): void {
    const limit = record.spec.timeoutMs ?? 0;
    if (limit <= 0 || TERMINAL_STATES.has(record.state)) return;
    const remaining = Math.max(0, record.startedAtMs + limit - Date.now());
    // up to 30 days: beyond Node's timer limit, which `after` handles
    this.timeouts.set(
      record.spec.id,
      after(remaining, () => void this.timeOut(record)),
    );
  }

  private clearTimeout(record: WorkloadRecord): void {
    const timer = this.timeouts.get(record.spec.id);
    timer?.cancel();
    this.timeouts.delete(record.spec.id);
  }

  private async timeOut(record: WorkloadRecord): Promise<void> {
    this.timeouts.delete(record.spec.id);
    if (TERMINAL_STATES.has(record.state) || record.stopRequested || record.timedOut) return;
    record.timedOut = true;
    this.options.logger.info('workload timed out', { id: record.spec.id, timeoutMs: record.spec.timeoutMs });
    try {
      // Persisted first: after an agent crash, the exit that follows must still read as timed out.
      await this.saveIntent(record, 'timeout');
      await this.drivers.get(record.spec.driver)!.stop(record.handle!, record.spec.gracePeriodMs);
    } catch (err) {
      this.options.logger.warn('could not stop a timed-out workload', { id: record.spec.id, err });
    }
  }

  private finish(record: WorkloadRecord, result: WaitResult): void {
    if (TERMINAL_STATES.has(record.state)) return;
    if (result.status === 'lost') {
      // Asked to stop and gone, though how it ended is unknown (e.g. it had killed its mo-shim).
      if (record.stopRequested) this.transition(record, 'stopped', `stopped by request (${result.reason})`);
      else this.transition(record, 'lost', result.reason);
      return;
    }
    if (this.uploading.has(record.spec.id)) return;
    const { exit } = result;
    record.exit = exit;
    if (!exit.startError) {
      const { outputs, ignored } = readOutputs(this.outputFile(record), this.fileOwner(record));
      record.outputs = outputs;
      record.outputsIgnored = ignored;
    }
    const how = exit.startError ?? (exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.exitCode}`);
    this.clearTimeout(record);
    if (record.stopRequested) this.transition(record, 'stopped', `stopped by request (${how})`);
    else if (record.fenced) this.transition(record, 'lost', `${record.fenced} (${how})`);
    else if (record.timedOut) {
      this.transition(record, 'failed', `timed out after ${formatDuration(record.spec.timeoutMs ?? 0)} (${how})`);
    } else if (exit.oomKilled) this.transition(record, 'failed', `oom_killed: out of memory (${how})`);
    else if (!exit.startError && !exit.signal && exit.exitCode === 0) this.succeed(record, how);
    else this.transition(record, 'failed', how);
  }

  /** Exit 0: upload the declared artifacts first (if any); only then is it succeeded. */
  private succeed(record: WorkloadRecord, how: string): void {
    const a = record.spec.artifacts;
    if (!a || a.upload.length === 0 || !this.options.artifacts) {
      this.transition(record, 'succeeded', how);
      return;
    }
    const id = record.spec.id;
    this.uploading.add(id);
    this.options.artifacts.upload(a, this.hostWorkDir(record), this.fileOwner(record)).then(
      (bytes) => {
        this.uploading.delete(id);
        this.transition(record, 'succeeded', `${how}; uploaded ${a.upload.length} artifact(s), ${bytes} bytes`);
      },
      (err: unknown) => {
        this.uploading.delete(id);
        this.transition(record, 'failed', `${how}, but the artifact upload failed: ${(err as Error).message}`);
      },
    );
  }

  /**
   * persist: `now` queues the write at once; `later` once starts pause (the default for an end: a
   * restarted agent rebuilds it from the driver's exit record, and what the agent alone knows, a
   * stop request or a timeout, was saved when it happened); `no` for a state rebuilt from the
   * driver's own records.
   */
  private transition(
    record: WorkloadRecord,
    state: WorkloadStateName,
    reason: string,
    persist: 'now' | 'later' | 'no' = TERMINAL_STATES.has(state) ? 'later' : 'now',
  ): void {
    const from = record.state;
    record.state = state;
    record.reason = reason;
    record.events.push({ state, reason, atMs: Date.now() });
    if (record.events.length > MAX_EVENTS) record.events.splice(0, record.events.length - MAX_EVENTS);
    // Not awaited: ordered per workload by the store; the shim's files are the source of truth
    // for anything a crash could lose here (started pid, exit status).
    if (persist === 'now') void this.options.store.save(record).catch(() => undefined);
    else if (persist === 'later') this.options.store.saveLater(record);
    if (TERMINAL_STATES.has(state) && !TERMINAL_STATES.has(from)) {
      this.endedCount++;
      this.resolveEnded(record.spec.id);
      this.options.logger.info('workload ended', { id: record.spec.id, state, reason });
      this.collectGarbage();
    }
    this.emit(record, from);
  }

  private emit(record: WorkloadRecord, from: WorkloadStateName | undefined): void {
    for (const l of this.listeners) l({ record, from });
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
    const record = this.records.get(workloadId);
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
    validateWorkloadId('workload_id', workloadId);
    const record = this.records.get(workloadId);
    if (!record) throw new NotFoundError('workload_id', 'workload', workloadId);
    return record;
  }

  list(): WorkloadRecord[] {
    return [...this.records.values()];
  }

  /** Notes that an ended workload's logs were removed (log retention): `mo logs` says so. */
  noteLogsRemoved(workloadId: string, atMs: number): void {
    const record = this.records.get(workloadId);
    if (!record || !TERMINAL_STATES.has(record.state)) return;
    record.logsRemovedAtMs = atMs;
    this.options.store.saveLater(record);
  }

  /** Resolves once the workload is in a terminal state. */
  whenEnded(workloadId: string): Promise<void> {
    return this.ended.get(workloadId) ?? Promise.resolve();
  }

  counts(): Record<WorkloadStateName, number> {
    const counts: Record<WorkloadStateName, number> = {
      starting: 0,
      running: 0,
      succeeded: 0,
      failed: 0,
      stopped: 0,
      lost: 0,
    };
    for (const r of this.records.values()) counts[r.state]++;
    return counts;
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
    // The limits keep counting from each start: a restarted agent re-arms them.
    for (const timer of this.timeouts.values()) timer.cancel();
    this.timeouts.clear();
    await Promise.all([...this.drivers.values()].map((d) => d.close()));
    await this.options.store.flush();
  }

  private trackEnd(record: WorkloadRecord): void {
    this.ended.set(record.spec.id, new Promise<void>((resolve) => this.endedResolvers.set(record.spec.id, resolve)));
  }

  private resolveEnded(id: string): void {
    this.endedResolvers.get(id)?.();
    this.endedResolvers.delete(id);
  }

  /** Deletes the oldest ended workloads (record, logs, dir) beyond the retention limit. */
  private collectGarbage(): void {
    const max = this.options.maxRetainedEnded;
    if (this.endedCount <= max) return;
    const ended = [...this.records.values()]
      .filter((r) => TERMINAL_STATES.has(r.state))
      .sort((a, b) => a.createdAtMs - b.createdAtMs);
    // Delete down to 90% of the limit so this sort runs rarely, not after every exit.
    const excess = ended.length - Math.floor(max * 0.9);
    for (const r of ended.slice(0, Math.max(0, excess))) {
      this.records.delete(r.spec.id);
      this.ended.delete(r.spec.id);
      void this.options.store.remove(r.spec.id).catch(() => undefined);
      this.endedCount--;
    }
  }
}
