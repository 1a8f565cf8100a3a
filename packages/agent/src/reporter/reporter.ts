// SchedulerReporter: the agent's side of NodeRegistry (proto/mo/v1/registry.proto). It registers
// with the full inventory (in pages: Register carries the first, SyncInventory the rest, so no
// inventory is too large to send), then keeps one heartbeat stream: metrics every interval, each
// workload state change as soon as it happens (paged too, and paced below the scheduler's
// per-stream limits). Any failure -> backoff, then register again (the inventory covers whatever
// changed meanwhile) and reopen the stream. It never stops the agent; why it cannot register is
// logged at warn, once per kind of failure a minute.
//
// The scheduler answers every heartbeat: the time of the last answer is the agent's last contact
// (kept on disk, so a restarted agent knows how long it was cut off), what self-fence.ts decides
// from. Three intervals without an answer end the session (a silent partition is noticed even
// where TCP would not), and reconnect attempts come every second or two, so a healed agent is back
// within about 2 s.
// Over ~400 lines for now: the session (register, inventory pages, stream) and the paced sender
// share the stream's state; issue 15 moves the pacing and backoff into pure modules beside
// pages.ts and log-limit.ts rather than splitting the class by hand here.
import {
  backoffDelay,
  HEARTBEAT_AGENT_PACE,
  NotFoundError,
  REGISTRY_PAGE,
  RegistryClient,
  TokenBucket,
  after,
  sleep,
  statusName,
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
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { toWorkloadStatus } from '../server/convert.js';
import type { ContactState } from './self-fence.js';
import type { TransitionEvent } from '../workloads/ledger.js';
import type { WorkloadRecord } from '../workloads/record.js';
import { LogLimiter } from './log-limit.js';
import { pages, statusBytes, takePage } from './pages.js';

/** The part of the WorkloadRunner the reporter uses; narrow so tests can pass a literal. */
export interface ReportedWorkloads {
  list(): WorkloadRecord[];
  onTransition(listener: (e: TransitionEvent) => void): void;
  /** Grace 0 means the workload's own grace period. */
  stop(workloadId: string, gracePeriodMs: number): Promise<unknown>;
  /** Resolves once no self-fencing stop is in progress (see WorkloadRunner.fence). */
  fencesSettled?(): Promise<void>;
}

export interface SchedulerReporterOptions {
  /** host:port of the scheduler's NodeRegistry. */
  schedulerAddress: string;
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

/** Used until the scheduler names one (a Register response with 0). */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 5000;
/** A scheduler asking for less is clamped: a heartbeat per 100 ms per node is already a lot. */
const MIN_HEARTBEAT_INTERVAL_MS = 100;
/** The scheduler's default, until it says otherwise. */
const DEFAULT_DOWN_AFTER_MS = 5000;
/** The contact file is written at most this often. */
const CONTACT_WRITE_EVERY_MS = 1000;
/** Heartbeat intervals without an answer after which the session is given up and made anew. */
const UNANSWERED_INTERVALS = 3;

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
  /** Set from when a write of the contact file is due until it is done (at most one at a time). */
  private contactWrite: Timer | undefined;
  /** performance.now() of the last write's start. */
  private contactWrittenAt = -Infinity;
  /** Ends the current heartbeat session (set while one is open). */
  private endSession: ((err: Error) => void) | undefined;
  /** This agent's own pace on the stream (half the scheduler's limits): fresh per stream. */
  private messageBudget = new TokenBucket(HEARTBEAT_AGENT_PACE.messages, Date.now());
  private changeBudget = new TokenBucket(HEARTBEAT_AGENT_PACE.changes, Date.now());
  /** A flush held back by the pace, due when the budget allows. */
  private deferredFlush: Timer | undefined;
  private readonly failureLog = new LogLimiter();

  constructor(options: SchedulerReporterOptions) {
    this.opts = {
      initialBackoffMs: 200,
      maxBackoffMs: 5000,
      registerTimeoutMs: 5000,
      connectTimeoutMs: 1000,
      ...options,
    };
    this.contactState = loadContact(options.contactFile) ?? {
      // Never in contact (or nothing kept): count the silence from now.
      lastContactMs: Date.now(),
      heartbeatIntervalMs: DEFAULT_HEARTBEAT_INTERVAL_MS,
      downAfterMs: DEFAULT_DOWN_AFTER_MS,
    };
  }

  /** The last contact with the scheduler, for self-fencing. */
  contact(): ContactState {
    return this.contactState;
  }

  /** Starts connecting in the background; returns at once (the scheduler may be down). */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.opts.workloads.onTransition(({ record }) => this.onTransition(record));
    this.loop = this.run();
  }

  status(): SchedulerConnectionStatus {
    return {
      address: this.opts.schedulerAddress,
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
      this.client?.close();
      this.setConnected(false);
    }
    // A Register in flight may hold the loop until its deadline; shutdown does not wait for that
    // (its answer is ignored once closed).
    const timer = new AbortController();
    await Promise.race([this.loop, sleep(1000, timer.signal)]);
    timer.abort();
  }

  private async run(): Promise<void> {
    const { initialBackoffMs, maxBackoffMs, logger, schedulerAddress } = this.opts;
    let failures = 0;
    let outage = false;
    while (!this.closed) {
      const t0 = Date.now();
      let registered = false;
      try {
        await this.session(() => {
          registered = true;
          outage = false;
          this.failureLog.reset();
        });
      } catch (err) {
        if (this.closed) break;
        const wasConnected = this.connected;
        this.setConnected(false);
        const raw = (err as { code?: unknown }).code;
        const code = typeof raw === 'number' ? statusName(raw) : 'UNKNOWN';
        const fields = { scheduler: schedulerAddress, code, error: (err as Error).message };
        if (wasConnected) {
          logger.warn('lost connection to scheduler; reconnecting', fields);
        } else {
          // Why registering fails (unreachable, or refused: too large, invalid, rate-limited) at
          // warn, once per kind of failure a minute, not once per retry.
          const decision = this.failureLog.check(code, Date.now());
          if (decision.log) {
            logger.warn('cannot register with scheduler; retrying', {
              ...fields,
              ...(decision.suppressed > 0 ? { sameFailuresSinceLastLog: decision.suppressed } : {}),
            });
          } else {
            logger.debug(outage ? 'scheduler still unavailable' : 'cannot register with scheduler', fields);
          }
        }
        outage = true;
      }
      // A session that lived a while was healthy: start the backoff over. One that dies right after
      // registering keeps backing off, so a flapping scheduler is not hammered with Registers.
      if (registered && Date.now() - t0 >= maxBackoffMs) failures = 0;
      // Capped by the heartbeat interval (at least 1 s): a healed partition is noticed within a
      // couple of seconds on a small cluster, while a large one (longer intervals) is not stormed.
      const cap = Math.min(maxBackoffMs, Math.max(1000, this.intervalMs));
      failures++;
      // "Equal jitter": half fixed, half random, so a restarted scheduler is not hit by every node at once.
      await sleep(
        backoffDelay(failures, { initialMs: initialBackoffMs, maxMs: cap, jitter: 'equal' }),
        this.abort.signal,
      );
    }
    this.setConnected(false);
  }

  /** One Register + heartbeat stream; resolves never, rejects when the connection is lost. */
  private async session(onRegistered: () => void): Promise<void> {
    const { logger, nodeId, schedulerAddress } = this.opts;
    // A fresh channel per attempt: grpc-js's own reconnect backoff grows to minutes, and a call on a
    // channel in that state fails at once without even trying.
    this.client?.close();
    const client = new RegistryClient(schedulerAddress, {
      ...this.opts.credentials,
      deadlineMs: this.opts.registerTimeoutMs,
    });
    this.client = client;
    try {
      // A short wait for the connection: during a silent partition an attempt must not hang for the
      // whole Register deadline, or the agent would come back long after the network did.
      await client.waitForReady(this.opts.connectTimeoutMs);
      // A workload being fenced must reach the scheduler as ended, not as running.
      await this.opts.workloads.fencesSettled?.();
      if (this.closed) return;
      this.pending = [];
      const inventory = this.opts.workloads.list().map((r) => toWorkloadStatus(r));
      const [first = [], ...rest] = pages(inventory, statusBytes);
      const res = await client.register({
        nodeId,
        nodeName: this.opts.nodeName,
        address: this.opts.advertiseAddress,
        facts: this.opts.facts(),
        labels: this.opts.labels,
        capacity: this.opts.capacity,
        metrics: this.opts.metrics(),
        inventory: first,
        inventoryFollows: rest.length > 0,
      });
      if (this.closed) return;
      this.fence(res);
      // The rest of the inventory; the scheduler judges what is missing once the last page is in.
      for (let i = 0; i < rest.length; i++) {
        const page = await client.syncInventory({
          nodeId,
          registrationId: res.registrationId,
          inventory: rest[i]!,
          inventoryFollows: i < rest.length - 1,
        });
        if (this.closed) return;
        this.fence(page);
      }
      onRegistered();
      this.applyInterval(res.heartbeatIntervalMs);
      this.noteContact(res.downAfterMs);
      logger.info('registered with scheduler', {
        scheduler: schedulerAddress,
        nodeId,
        inventory: inventory.length,
        ...(rest.length > 0 ? { pages: rest.length + 1 } : {}),
        heartbeatIntervalMs: this.intervalMs,
        downAfterMs: res.downAfterMs,
        stop: res.stopAllocationIds.length,
      });
      await this.heartbeat(client);
    } finally {
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
      const now = Date.now();
      this.messageBudget = new TokenBucket(HEARTBEAT_AGENT_PACE.messages, now);
      this.changeBudget = new TokenBucket(HEARTBEAT_AGENT_PACE.changes, now);
      this.send({ nodeId: this.opts.nodeId, metrics: this.opts.metrics() });
      this.setConnected(true);
      this.scheduleHeartbeat();
    });
  }

  private scheduleHeartbeat(): void {
    this.heartbeatTimer?.cancel();
    this.heartbeatTimer = after(this.intervalMs, () => {
      const silentMs = Date.now() - this.contactState.lastContactMs;
      if (silentMs > UNANSWERED_INTERVALS * this.intervalMs) {
        this.endSession?.(new Error(`no answer from the scheduler for ${silentMs} ms`));
        return;
      }
      this.send({ metrics: this.opts.metrics() });
      this.scheduleHeartbeat();
    });
  }

  /**
   * Sends `head` (always: the first message and the interval's heartbeat keep the node alive) with
   * as many pending changes as fit one page, then the rest in further pages as the pace allows;
   * what the pace holds back goes when its budget refills. Order is kept.
   */
  private send(head?: HeartbeatRequest): void {
    let msg = head;
    for (;;) {
      const now = Date.now();
      const pending = this.pending ?? [];
      if (!msg) {
        if (pending.length === 0) return;
        if (this.messageBudget.waitMs(now) > 0) return this.deferFlush(this.messageBudget.waitMs(now));
      }
      const allowed = Math.min(REGISTRY_PAGE.maxEntries, Math.floor(this.changeBudget.available(now)));
      const { page, rest } = takePage(pending, { ...REGISTRY_PAGE, maxEntries: allowed }, statusBytes);
      if (!msg && page.length === 0) {
        return this.deferFlush(this.changeBudget.waitMs(now, Math.min(pending.length, REGISTRY_PAGE.maxEntries)));
      }
      this.messageBudget.take(now);
      this.changeBudget.take(now, page.length);
      if (this.pending) this.pending = rest;
      this.write({ ...msg, changes: page });
      msg = undefined;
    }
  }

  private deferFlush(waitMs: number): void {
    if (this.deferredFlush) return;
    this.deferredFlush = after(Math.max(1, waitMs), () => {
      this.deferredFlush = undefined;
      if (this.stream) this.send();
    });
  }

  private onResponse(res: HeartbeatResponse__Output): void {
    const before = this.intervalMs;
    this.applyInterval(res.heartbeatIntervalMs);
    this.noteContact(res.downAfterMs);
    if (this.intervalMs !== before) {
      this.opts.logger.debug('heartbeat interval changed', { heartbeatIntervalMs: this.intervalMs });
      this.scheduleHeartbeat();
    }
    this.fence(res);
  }

  private applyInterval(ms: number): void {
    if (ms > 0) this.intervalMs = Math.max(MIN_HEARTBEAT_INTERVAL_MS, ms);
  }

  /** The scheduler answered: in contact now. */
  private noteContact(downAfterMs: number): void {
    this.contactState = {
      lastContactMs: Date.now(),
      heartbeatIntervalMs: this.intervalMs,
      downAfterMs: downAfterMs > 0 ? downAfterMs : this.contactState.downAfterMs,
    };
    this.keepContact();
  }

  /**
   * Keeps the contact on disk, at most once a second (every change of a start burst is answered,
   * and disk work must stay off the start path): the latest state when the write runs. A restarted
   * agent reads it at most a second old, well within the fence's grace of two missed answers.
   */
  private keepContact(): void {
    const file = this.opts.contactFile;
    if (!file || this.contactWrite) return;
    const wait = this.contactWrittenAt + CONTACT_WRITE_EVERY_MS - performance.now();
    this.contactWrite = after(wait, () => {
      this.contactWrittenAt = performance.now();
      const tmp = `${file}.tmp`;
      writeFile(tmp, JSON.stringify(this.contactState))
        .then(() => rename(tmp, file))
        .catch((err: unknown) => this.opts.logger.debug('could not keep the last contact', { err }))
        .finally(() => (this.contactWrite = undefined));
    });
  }

  /** Stops the allocations the scheduler replaced while this node was away (or never knew). */
  private fence(res: Pick<RegisterResponse__Output, 'stopAllocationIds'>): void {
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

  private onTransition(record: WorkloadRecord): void {
    if (this.closed || !this.pending) return;
    // Converted now: the record keeps changing after this event.
    // Brief: the scheduler has the spec; a burst of big ones made heartbeats of tens of MiB.
    this.pending.push(toWorkloadStatus(record, undefined, { brief: true }));
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

/** The last contact a previous run kept, if readable. */
function loadContact(file: string | undefined): ContactState | undefined {
  if (!file) return undefined;
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as Partial<ContactState>;
    if (typeof c.lastContactMs !== 'number' || !(c.lastContactMs > 0)) return undefined;
    return {
      lastContactMs: c.lastContactMs,
      heartbeatIntervalMs: c.heartbeatIntervalMs! > 0 ? c.heartbeatIntervalMs! : DEFAULT_HEARTBEAT_INTERVAL_MS,
      downAfterMs: c.downAfterMs! > 0 ? c.downAfterMs! : DEFAULT_DOWN_AFTER_MS,
    };
  } catch {
    return undefined;
  }
}
