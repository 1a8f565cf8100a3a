// Over ~500 lines: one session's I/O (register, pages, stream, fencing) around shared state; every
// decision in it is already a module of its own (below), so a split would only pass the state around.
// SchedulerReporter: the agent's side of NodeRegistry (proto/mo/v1/registry.proto). It registers
// with the full inventory (in pages: Register carries the first, SyncInventory the rest, so no
// inventory is too large to send), then keeps one heartbeat stream: metrics every interval, each
// workload state change as soon as it happens (but a start's `running`, which its answer told,
// rides the next message), paged too, and paced below the scheduler's per-stream limits. Any
// failure -> backoff, then register again (the inventory covers whatever changed meanwhile) and
// reopen the stream. It never stops the agent; why it cannot register is logged at warn, once per
// kind of failure a minute.
//
// The scheduler answers every heartbeat: the time of the last answer is the agent's last contact
// (kept on disk by contact-file.ts, so a restarted agent knows how long it was cut off), what
// self-fence.ts decides from. Three intervals without an answer end the session (a silent
// partition is noticed even where TCP would not), and reconnect attempts come every second or two,
// so a healed agent is back within about 2 s.
//
// This class only applies decisions made apart, each tested alone: inventory pages (pages.ts), the
// pace of changes on the stream (pace.ts), what an answer or a silence means (contact.ts), and what
// a failure means: the log line and the wait before registering again (reconnect.ts), which of
// several schedulers to try first (leader.ts: the known leader, then the others), and whose orders
// to obey (leader-epoch.ts: none from a leader older than one already heard from).
import {
  NotFoundError,
  RegistryClient,
  SERVER_KEEPALIVE_TIME_MS,
  after,
  sleep,
  type ClientOptions,
  type Timer,
  type HeartbeatRequest,
  type HeartbeatResponse__Output,
  type Logger,
  type NodeFacts,
  type NodeMetrics,
  type RegisterResponse__Output,
  type WorkloadStatus,
} from '@mo/api';
import type * as grpc from '@grpc/grpc-js';
import { toWorkloadStatus } from '../server/convert.js';
import type { ContactState } from './self-fence.js';
import type { TransitionEvent } from '../workloads/ledger.js';
import type { WorkloadRecord } from '../workloads/record.js';
import {
  answered,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  graceShortened,
  heartbeatInterval,
  initialContact,
  onHeartbeatDue,
  startedWork,
} from './contact.js';
import { ContactFile } from './contact-file.js';
import { HeartbeatPacer } from './pace.js';
import { inventoryPages, statusBytes } from './pages.js';
import { Reconnect } from './reconnect.js';
import { SchedulerAddresses } from './leader.js';
import { DeposedLeader, LeaderEpochs } from './leader-epoch.js';

export { DEFAULT_HEARTBEAT_INTERVAL_MS } from './contact.js';

/** The longest a change that is not urgent waits for another message to ride (onTransition). */
export const LAZY_CHANGE_MS = 1000;

/** The part of the WorkloadRunner the reporter uses; narrow so tests can pass a literal. */
export interface ReportedWorkloads {
  list(): WorkloadRecord[];
  onTransition(listener: (e: TransitionEvent) => void): void;
  /** A running workload's health changed: sent like a transition, so the scheduler hears it. */
  onHealthChange?(listener: (record: WorkloadRecord) => void): void;
  /** Grace 0 means the workload's own grace period. */
  stop(workloadId: string, gracePeriodMs: number): Promise<unknown>;
  /** Resolves once no self-fencing stop is in progress (see WorkloadRunner.fence). */
  fencesSettled?(): Promise<void>;
}

export interface SchedulerReporterOptions {
  /**
   * host:port of the scheduler's NodeRegistry, or several (a list, `"a,b,c"`, or the agent's
   * SchedulerAddresses, shared with its artifact transfers): the agent registers with the leader.
   */
  schedulerAddress: string | readonly string[] | SchedulerAddresses;
  /** How to dial it: the agent's certificate (`tls`), or `insecure`. */
  credentials: Pick<ClientOptions, 'tls' | 'insecure'>;
  nodeId: string;
  nodeName: string;
  /** host:port the scheduler should dial for this agent's NodeAgent service. */
  advertiseAddress: string;
  labels: Record<string, string>;
  capacity: { cpuMillis: number; memoryBytes: number };
  facts: () => NodeFacts;
  metrics: () => NodeMetrics;
  workloads: ReportedWorkloads;
  logger: Logger;
  /** Called when the connection comes up (registered + stream open) or goes down. */
  onConnectedChange?: (connected: boolean) => void;
  /** First retry delay; doubles on each failure up to maxBackoffMs, with jitter (default 200). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Deadline of the Register call (default 5000). */
  registerTimeoutMs?: number;
  /** How long one attempt waits for a connection before it backs off (default 1000). */
  connectTimeoutMs?: number;
  /** Where the last contact is kept across restarts (unset: memory only). */
  contactFile?: string;
  /** The leader epochs seen, shared with the NodeAgent service (default: the reporter's own). */
  epochs?: LeaderEpochs;
}

/** What /healthz shows. */
export interface SchedulerConnectionStatus {
  address: string;
  nodeId: string;
  connected: boolean;
  /** Wall-clock ms of the last heartbeat message written to the stream; 0 if none yet. */
  lastHeartbeatMs: number;
  /** Wall-clock ms of the scheduler's last answer (persisted: may predate this process). */
  lastContactMs: number;
  heartbeatIntervalMs: number;
}

type HeartbeatStream = grpc.ClientDuplexStream<HeartbeatRequest, HeartbeatResponse__Output>;

export class SchedulerReporter {
  private readonly opts: Required<
    Pick<SchedulerReporterOptions, 'initialBackoffMs' | 'maxBackoffMs' | 'registerTimeoutMs' | 'connectTimeoutMs'>
  > &
    SchedulerReporterOptions;
  private started = false;
  private closed = false;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private client: RegistryClient | undefined;
  private stream: HeartbeatStream | undefined;
  /**
   * Changes not yet sent. Collected from the moment the Register inventory is taken (so nothing
   * falls between the snapshot and the stream); undefined while disconnected, because the next
   * Register carries the whole inventory anyway.
   */
  private pending: WorkloadStatus[] | undefined;
  private flushScheduled = false;
  private heartbeatTimer: Timer | undefined;
  private intervalMs = DEFAULT_HEARTBEAT_INTERVAL_MS;
  private connected = false;
  private lastHeartbeatMs = 0;
  private readonly stopping = new Set<string>();
  private contactState: ContactState;
  private readonly contactFile: ContactFile;
  /** Ends the current heartbeat session (set while one is open). */
  private endSession: ((err: Error) => void) | undefined;
  /** This agent's own pace on the stream (half the scheduler's limits): fresh per stream. */
  private pacer = new HeartbeatPacer(Date.now(), statusBytes);
  /** A flush held back by the pace, due when the budget allows. */
  private deferredFlush: Timer | undefined;
  /** The latest a change that is not urgent waits for a message to ride (onTransition). */
  private lazyFlush: Timer | undefined;
  private readonly reconnect: Reconnect;
  /** The schedulers, and which one leads as far as this agent knows. */
  private readonly schedulers: SchedulerAddresses;
  private readonly epochs: LeaderEpochs;
  /** The epoch of the leader this agent registered with (undefined between sessions). */
  private sessionEpoch: number | undefined;

  constructor(options: SchedulerReporterOptions) {
    this.opts = {
      initialBackoffMs: 200,
      maxBackoffMs: 5000,
      registerTimeoutMs: 5000,
      connectTimeoutMs: 1000,
      ...options,
    };
    this.reconnect = new Reconnect(this.opts);
    const given = options.schedulerAddress;
    this.schedulers = given instanceof SchedulerAddresses ? given : new SchedulerAddresses(given);
    this.contactFile = new ContactFile(options.contactFile, options.logger);
    this.contactState = initialContact(this.contactFile.read(), Date.now());
    this.epochs = options.epochs ?? new LeaderEpochs();
    // A newer leader called (a start): the session's leader was deposed and may not know it yet.
    this.epochs.onNewer((epoch) => {
      // Epoch 0 is no election (a single scheduler): nothing to be deposed from.
      if (!this.sessionEpoch || this.sessionEpoch >= epoch) return;
      this.opts.logger.info('a newer leader gave this agent orders; registering anew', {
        epoch,
        was: this.sessionEpoch,
      });
      this.endSession?.(new Error(`a newer leader (epoch ${epoch}) gave this agent orders`));
    });
  }

  /** The last contact with the scheduler, for self-fencing. */
  contact(): ContactState {
    return this.contactState;
  }

  /** Starts connecting in the background; returns at once (the scheduler may be down). */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    // A start's changes are in its answer: its `running` rides the next message, and so does its
    // `starting` once the node beats at the busy timing by itself (startWork); without that timing
    // known (an older scheduler), `starting` goes at once: the answer to it brings the timing.
    this.opts.workloads.onTransition(({ record, inStartAnswer }) => {
      const busy = inStartAnswer === true && this.startWork();
      const lazy = inStartAnswer === true && (record.state === 'running' || (record.state === 'starting' && busy));
      this.onTransition(record, !lazy);
    });
    this.opts.workloads.onHealthChange?.((record) => this.onTransition(record));
    this.loop = this.run();
  }

  status(): SchedulerConnectionStatus {
    return {
      address: this.schedulers.leader,
      nodeId: this.opts.nodeId,
      connected: this.connected,
      lastHeartbeatMs: this.lastHeartbeatMs,
      lastContactMs: this.contactState.lastContactMs,
      heartbeatIntervalMs: this.intervalMs,
    };
  }

  /** Closes the stream and stops reconnecting. Workloads are not touched. Idempotent. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.abort.abort();
      this.stream?.cancel();
      this.lazyFlush?.cancel();
      this.client?.close();
      this.contactFile.close();
      this.setConnected(false);
    }
    // A Register in flight may hold the loop until its deadline; shutdown does not wait for that
    // (its answer is ignored once closed).
    const timer = new AbortController();
    await Promise.race([this.loop, sleep(1000, timer.signal)]);
    timer.abort();
  }

  private async run(): Promise<void> {
    const { logger } = this.opts;
    while (!this.closed) {
      const startedAtMs = Date.now();
      let registered = false;
      let failure: { error: unknown } | undefined;
      try {
        await this.session(() => {
          registered = true;
          this.reconnect.registered();
        });
      } catch (error) {
        if (this.closed) break;
        failure = { error };
      }
      const wasConnected = this.connected;
      if (failure) this.setConnected(false);
      const { intervalMs } = this;
      const next = this.reconnect.ended({ startedAtMs, registered, failure, wasConnected, intervalMs }, Date.now());
      const scheduler = this.schedulers.leader;
      if (next.log) logger[next.log.level](next.log.message, { scheduler, ...next.log.fields });
      await sleep(next.delayMs, this.abort.signal);
    }
    this.setConnected(false);
  }

  /** One Register + heartbeat stream; resolves never, rejects when the connection is lost. */
  private async session(onRegistered: () => void): Promise<void> {
    const { logger, nodeId } = this.opts;
    this.client?.close();
    const client = await this.connect();
    try {
      // A workload being fenced must reach the scheduler as ended, not as running.
      await this.opts.workloads.fencesSettled?.();
      if (this.closed) return;
      this.pending = [];
      const inventory = this.opts.workloads.list().map((r) => toWorkloadStatus(r));
      const { register: first, sync: rest } = inventoryPages(inventory, statusBytes);
      const res = await client.register({
        nodeId,
        nodeName: this.opts.nodeName,
        address: this.opts.advertiseAddress,
        facts: this.opts.facts(),
        labels: this.opts.labels,
        capacity: this.opts.capacity,
        metrics: this.opts.metrics(),
        takesBusyTiming: true,
        ...first,
      });
      if (this.closed) return;
      // A leader older than one already heard from was deposed (it may not know yet).
      const verdict = this.epochs.observe(res.leaderEpoch);
      if (verdict.kind === 'refuse') throw new DeposedLeader(res.leaderEpoch, verdict.highest);
      // Registered with the leader (the client followed a follower's redirect, if any).
      this.schedulers.follow(client.address);
      this.sessionEpoch = res.leaderEpoch;
      this.fence(res);
      for (const page of rest) {
        const answer = await client.syncInventory({ nodeId, registrationId: res.registrationId, ...page });
        if (this.closed) return;
        if (this.epochs.observe(answer.leaderEpoch).kind === 'refuse') {
          throw new DeposedLeader(answer.leaderEpoch, this.epochs.highest);
        }
        this.fence(answer);
      }
      // A newer leader called while the pages went: this one was deposed meanwhile.
      if (res.leaderEpoch !== 0 && this.epochs.highest > res.leaderEpoch) {
        throw new DeposedLeader(res.leaderEpoch, this.epochs.highest);
      }
      onRegistered();
      this.applyInterval(res.heartbeatIntervalMs);
      this.noteContact(res);
      logger.info('registered with scheduler', {
        scheduler: client.address,
        nodeId,
        inventory: inventory.length,
        ...(rest.length > 0 ? { pages: rest.length + 1 } : {}),
        heartbeatIntervalMs: this.intervalMs,
        downAfterMs: res.downAfterMs,
        stop: res.stopAllocationIds.length,
      });
      await this.heartbeat(client);
    } catch (err) {
      // A follower's redirect (the leader changed), a scheduler gone, or a deposed leader: where
      // the next one starts.
      if (err instanceof DeposedLeader) this.schedulers.pass(client.address);
      else this.schedulers.failed(err, client.address);
      throw err;
    } finally {
      this.sessionEpoch = undefined;
      this.pending = undefined;
      this.flushScheduled = false;
      this.endSession = undefined;
      this.deferredFlush?.cancel();
      this.deferredFlush = undefined;
      this.heartbeatTimer?.cancel();
      this.stream?.cancel();
      this.stream = undefined;
      client.close();
      if (this.client === client) this.client = undefined;
    }
  }

  /**
   * A client of the first scheduler that takes a connection, the known leader first, then the
   * others. A fresh channel per attempt: grpc-js's own reconnect backoff grows to minutes, and a
   * call on a channel in that state fails at once without even trying. A short wait for each
   * connection: during a silent partition an attempt must not hang for the whole Register
   * deadline, or the agent would come back long after the network did.
   */
  private async connect(): Promise<RegistryClient> {
    let lastError: unknown = new Error('the reporter is closing');
    for (const address of this.schedulers.order()) {
      if (this.closed) break;
      const client = new RegistryClient(address, {
        ...this.opts.credentials,
        deadlineMs: this.opts.registerTimeoutMs,
        // The heartbeat stream is always in flight, and the scheduler's answers already tell a
        // silent partition (UNANSWERED_INTERVALS): PINGs every 2 s on top woke an idle agent most.
        keepaliveTimeMs: SERVER_KEEPALIVE_TIME_MS,
      });
      this.client = client;
      try {
        await client.waitForReady(this.opts.connectTimeoutMs);
        return client;
      } catch (err) {
        client.close();
        if (this.client === client) this.client = undefined;
        this.schedulers.failed(err, address);
        lastError = err;
      }
    }
    throw lastError;
  }

  /** Opens the stream and keeps it until it fails (rejects) or the reporter closes (resolves). */
  private heartbeat(client: RegistryClient): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const stream = client.heartbeat();
      this.stream = stream;
      this.endSession = (err) => {
        stream.cancel();
        reject(err);
      };
      // Listeners stay attached after the first outcome: a late 'error' must never go unhandled.
      stream.on('data', (res: HeartbeatResponse__Output) => this.onResponse(res));
      stream.on('error', (err: Error) => (this.closed ? resolve() : reject(err)));
      stream.on('end', () => (this.closed ? resolve() : reject(new Error('the scheduler ended the heartbeat stream'))));
      if (this.closed) return resolve();
      this.pacer = new HeartbeatPacer(Date.now(), statusBytes);
      this.send({ nodeId: this.opts.nodeId, metrics: this.opts.metrics() });
      this.setConnected(true);
      this.scheduleHeartbeat();
    });
  }

  private scheduleHeartbeat(): void {
    this.heartbeatTimer?.cancel();
    this.heartbeatTimer = after(this.intervalMs, () => {
      const due = onHeartbeatDue(this.contactState.lastContactMs, this.intervalMs, Date.now());
      if (due.kind === 'end') return this.endSession?.(new Error(due.reason));
      this.send({ metrics: this.opts.metrics() });
      this.scheduleHeartbeat();
    });
  }

  /** Sends `head` (if any) and the pending changes as the pace allows (pace.ts); the rest later. */
  private send(head?: HeartbeatRequest): void {
    const plan = this.pacer.plan(this.pending ?? [], head !== undefined, Date.now());
    if (this.pending) this.pending = plan.rest;
    if (plan.rest.length === 0) {
      this.lazyFlush?.cancel();
      this.lazyFlush = undefined;
    }
    plan.pages.forEach((changes, i) => this.write({ ...(i === 0 ? head : undefined), changes }));
    if (plan.retryInMs !== undefined) this.deferFlush(plan.retryInMs);
  }

  private deferFlush(waitMs: number): void {
    if (this.deferredFlush) return;
    this.deferredFlush = after(waitMs, () => {
      this.deferredFlush = undefined;
      if (this.stream) this.send();
    });
  }

  private onResponse(res: HeartbeatResponse__Output): void {
    // A deposed leader's answer is no contact, and its stops are not obeyed.
    if (this.epochs.observe(res.leaderEpoch).kind === 'refuse') {
      this.endSession?.(new DeposedLeader(res.leaderEpoch, this.epochs.highest));
      return;
    }
    const before = this.intervalMs;
    this.applyInterval(res.heartbeatIntervalMs);
    this.noteContact(res);
    if (this.intervalMs !== before) {
      this.opts.logger.debug('heartbeat interval changed', { heartbeatIntervalMs: this.intervalMs });
      this.scheduleHeartbeat();
    }
    this.fence(res);
  }

  private applyInterval(ms: number): void {
    this.intervalMs = heartbeatInterval(this.intervalMs, ms);
  }

  /** The scheduler answered: in contact now. */
  private noteContact(
    res: Pick<HeartbeatResponse__Output, 'downAfterMs' | 'busyHeartbeatIntervalMs' | 'busyDownAfterMs'>,
  ): void {
    const busy = { heartbeatIntervalMs: res.busyHeartbeatIntervalMs, downAfterMs: res.busyDownAfterMs };
    this.setContact(answered(this.contactState, this.intervalMs, res.downAfterMs, Date.now(), busy));
  }

  private setContact(next: ContactState): void {
    const before = this.contactState;
    this.contactState = next;
    this.contactFile.keep(() => this.contactState, graceShortened(before, next));
  }

  /**
   * A start arrived (one of its changes, made before it is answered): the node has work. With the
   * busy timing known, it beats at that from now on (contact.ts startedWork), and true: the start's
   * `starting` need not ask for it. Called for each change of each start: a no-op once busy.
   */
  private startWork(): boolean {
    if (!this.contactState.busy) return false;
    const next = startedWork(this.contactState, Date.now());
    if (!next) return true;
    this.setContact(next);
    this.intervalMs = next.heartbeatIntervalMs;
    // The next beat within the busy interval (only while a session is open).
    if (this.heartbeatTimer && this.stream) this.scheduleHeartbeat();
    return true;
  }

  /** Stops the allocations the scheduler replaced while this node was away (or never knew). */
  private fence(res: Pick<RegisterResponse__Output, 'stopAllocationIds'>): void {
    // Only ever called with an answer of an epoch just judged current.
    for (const id of res.stopAllocationIds) {
      if (this.stopping.has(id)) continue;
      this.stopping.add(id);
      this.opts.logger.info('stopping workload at the scheduler’s request', { id });
      // Not awaited: a long grace period must not hold up the heartbeat. The exit is reported as a change.
      this.opts.workloads
        .stop(id, 0)
        .catch((err: unknown) => {
          if (!(err instanceof NotFoundError)) {
            this.opts.logger.warn('cannot stop workload the scheduler fenced', { id, error: (err as Error).message });
          }
        })
        .finally(() => this.stopping.delete(id));
    }
  }

  /**
   * A change to tell the scheduler. `urgent`: in a message of its own at the end of this tick.
   * Otherwise (a start's `running`, which its answer tells anyway) it rides the next message, an
   * end's or the interval's, sent within LAZY_CHANGE_MS at the latest: a short job's running and
   * end then cost one message and one answer, not two (the answer is lost: the scheduler asks).
   */
  private onTransition(record: WorkloadRecord, urgent = true): void {
    if (this.closed || !this.pending) return;
    // Converted now: the record keeps changing after this event.
    // Brief: the scheduler has the spec; a burst of big ones made heartbeats of tens of MiB.
    this.pending.push(toWorkloadStatus(record, undefined, { brief: true }));
    if (!urgent) {
      this.lazyFlush ??= after(LAZY_CHANGE_MS, () => {
        this.lazyFlush = undefined;
        if (this.stream) this.send();
      });
      return;
    }
    if (!this.stream || this.flushScheduled) return;
    // Coalesce every change of this tick (e.g. a burst of starts) into one message, in order.
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      if (this.stream && !this.deferredFlush) this.send();
    });
  }

  private write(msg: HeartbeatRequest): void {
    const stream = this.stream;
    if (!stream || stream.writableEnded || stream.destroyed) return;
    // Backpressure is ignored on purpose: grpc buffers, and messages are small and infrequent.
    stream.write(msg);
    this.lastHeartbeatMs = Date.now();
  }

  private setConnected(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    this.opts.onConnectedChange?.(connected);
  }
}
