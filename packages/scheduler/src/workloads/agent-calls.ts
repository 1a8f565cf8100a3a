// What the manager says to agents, and how their answers are folded in: starts (batched per node
// per tick, halved when a batch is too large), the stop of a copy that lost out, asking a node
// about one allocation. Each answer goes through a pure decision (lifecycle.ts, reconcile.ts)
// and book.apply; a node's own faults also feed its circuit breaker.
import * as grpc from '@grpc/grpc-js';
import {
  MoError,
  specToWire,
  type Timer,
  type AgentClient,
  type Logger,
  type WorkloadSpec,
  type WorkloadStatus__Output,
} from '@mo/api';
import type { NodeEntry, NodeTable } from '../registry/nodes.js';
import type { WorkloadBook } from './book.js';
import type { Clock } from './clock.js';
import type { ReconnectKeep } from './disconnect.js';
import {
  onAgentStatus,
  onStartFailed,
  onStartRetry,
  onStartUnconfirmed,
  type Effect,
  type Random,
} from './lifecycle.js';
import { LABEL_WORKLOAD_ID, type WorkloadRecord } from './record.js';
import { onAllocationReport, onMissingConfirmed } from './reconcile.js';

/** The calls the manager makes on an agent (AgentClient has them; a test's fake agent too). */
export type WorkloadAgent = Pick<AgentClient, 'startWorkload' | 'startWorkloads' | 'stopWorkload' | 'getWorkload'>;

/** One agent client per node (registry/agent-pool.ts; src/testing has a fake). */
export interface AgentDirectory {
  get(node: { readonly id: string; readonly name: string; readonly address: string }): WorkloadAgent;
}

export interface AgentCallsOptions {
  nodes: Pick<NodeTable, 'get' | 'recordStart' | 'startAnswered'>;
  agents: AgentDirectory;
  logger: Logger;
  clock: Clock;
  random: Random;
  reconnectKeep: ReconnectKeep;
}

interface QueuedStart {
  r: WorkloadRecord;
  allocationId: string;
  done: () => void;
}

/** Starts per StartWorkloads call (the agent's limit). */
const MAX_START_BATCH = 1000;

/** Asking a node about a start that failed unconfirmed: first after 1 s, doubling to 15 s. */
const CONFIRM_BACKOFF = { firstMs: 1000, maxMs: 15_000 };

export class AgentCalls {
  /** Starts waiting for the end of this tick, per node. */
  private readonly outbox = new Map<string, QueuedStart[]>();
  private flushQueued = false;
  /** Asks to come again (confirm), cancelled on close. */
  private readonly confirming = new Set<Timer>();
  private closed = false;

  constructor(
    private readonly book: WorkloadBook,
    private readonly o: AgentCallsOptions,
  ) {}

  /** Carries out an effect of a decision about r. */
  effect(r: WorkloadRecord, effect: Effect): void {
    switch (effect.kind) {
      case 'start':
        if (!this.book.starting.has(r.allocationId)) this.dispatch(r);
        return;
      case 'verify':
        this.verify(r);
        return;
      case 'stop-copy':
        this.stopCopy(r, effect);
        return;
    }
  }

  /** One status of an allocation reported by a node. Returns 'stop' when the node must stop it. */
  report(nodeId: string, status: WorkloadStatus__Output): 'ok' | 'stop' {
    const r = this.book.lookup(status.spec?.id ?? '', status.spec?.labels?.[LABEL_WORKLOAD_ID]);
    const node = { id: nodeId, name: this.o.nodes.get(nodeId)?.name ?? r?.givenUp?.nodeName ?? '' };
    const outcome = onAllocationReport(r, node, status, this.o.reconnectKeep, this.o.clock.now(), this.o.random);
    if (outcome.step) this.book.apply(r!, outcome.step);
    return outcome.stop ? 'stop' : 'ok';
  }

  /**
   * Queues a start of the record's current allocation on its node. Starts queued in the same tick
   * go to each node as one StartWorkloads call (one RPC instead of many under load).
   */
  dispatch(r: WorkloadRecord): void {
    const node = this.o.nodes.get(r.nodeId);
    if (!node) {
      this.retryStart(r, `node ${r.nodeName} is no longer registered`);
      return;
    }
    let done!: () => void;
    this.book.starting.set(r.allocationId, new Promise<void>((resolve) => (done = resolve)));
    let batch = this.outbox.get(node.id);
    if (!batch) this.outbox.set(node.id, (batch = []));
    batch.push({ r, allocationId: r.allocationId, done });
    if (!this.flushQueued) {
      this.flushQueued = true;
      this.o.clock.soon(() => this.flushStarts());
    }
  }

  /** A start that never reached the workload (RPC failure): re-place it without using a restart. */
  retryStart(r: WorkloadRecord, reason: string): void {
    this.book.apply(r, onStartRetry(r, reason, this.o.clock.now()));
  }

  private flushStarts(): void {
    this.flushQueued = false;
    const outbox = [...this.outbox];
    this.outbox.clear();
    for (const [nodeId, queued] of outbox) {
      // A start superseded meanwhile (stopped, node down) is not sent.
      const items = queued.filter((it) => {
        const live = it.r.allocationId === it.allocationId && it.r.state === 'starting';
        if (!live) this.endStart(it);
        return live;
      });
      const node = this.o.nodes.get(nodeId);
      if (!node) {
        for (const it of items) {
          this.endStart(it);
          this.retryStart(it.r, `node ${it.r.nodeName} is no longer registered`);
        }
        continue;
      }
      for (let k = 0; k < items.length; k += MAX_START_BATCH)
        this.sendStarts(node, items.slice(k, k + MAX_START_BATCH));
    }
  }

  private sendStarts(node: NodeEntry, items: QueuedStart[]): void {
    const client = this.o.agents.get(node);
    const specs = items.map((it) => startSpecOf(it.r, it.allocationId));
    const results: Promise<Array<WorkloadStatus__Output | Error>> =
      items.length === 1
        ? client.startWorkload(specs[0]!).then(
            (status) => [status],
            (err: unknown) => [err as Error],
          )
        : client.startWorkloads(specs).catch((err: unknown) => {
            // The whole call was refused as too large (big specs): halves go again, down to single
            // starts, whose own refusal is then the workload's.
            if (codeOf(err) !== grpc.status.RESOURCE_EXHAUSTED) return items.map(() => err as Error);
            const half = Math.ceil(items.length / 2);
            this.sendStarts(node, items.slice(0, half));
            this.sendStarts(node, items.slice(half));
            return [];
          });
    void results.then((outcomes) => {
      outcomes.forEach((outcome, i) => {
        const it = items[i]!;
        this.endStart(it);
        if (outcome instanceof Error) {
          this.startFailed(it.r, it.allocationId, node, outcome);
          return;
        }
        if (it.r.allocationId !== it.allocationId) return;
        // The node answered: it works, whatever the workload did.
        this.o.nodes.recordStart(node.id, true, this.o.clock.now());
        this.o.nodes.startAnswered(node.id, this.o.clock.now());
        this.book.apply(it.r, onAgentStatus(it.r, outcome, this.o.clock.now(), this.o.random));
      });
    });
  }

  private endStart(it: QueuedStart): void {
    it.done();
    this.book.starting.delete(it.allocationId);
  }

  private startFailed(r: WorkloadRecord, allocationId: string, node: NodeEntry, err: Error): void {
    const now = this.o.clock.now();
    const failure = { code: codeOf(err), message: err.message, nodeName: node.name };
    const verdict = onStartFailed(r, allocationId, failure, now, this.o.random);
    if (verdict.kind === 'ignore') return;
    if (verdict.kind === 'ask') {
      this.ask(r, node);
      return;
    }
    if (verdict.kind === 'confirm') {
      this.o.nodes.recordStart(node.id, false, now);
      // In memory only: what `mo status` shows while the node is asked.
      r.reason = `${verdict.reason}; asking ${node.name} whether it started`;
      this.confirm(r, node, allocationId, verdict.reason, 0);
      return;
    }
    if (verdict.nodeFault) this.o.nodes.recordStart(node.id, false, now);
    this.book.apply(r, verdict.step);
  }

  /** Stops asking nodes again (the manager is closing). */
  close(): void {
    this.closed = true;
    for (const t of this.confirming) t.cancel();
    this.confirming.clear();
  }

  /**
   * Asks `node` for an allocation of r. Its status, while that is still r's allocation, goes to
   * `onStatus` (default: folded into r); a failure goes to `onError` with its gRPC code.
   */
  private askNode(
    r: WorkloadRecord,
    node: NodeEntry,
    allocationId: string,
    onError: (code: number | undefined) => void = () => undefined,
    onStatus: (status: WorkloadStatus__Output) => void = (status) =>
      this.book.apply(r, onAgentStatus(r, status, this.o.clock.now(), this.o.random)),
  ): void {
    this.o.agents
      .get(node)
      .getWorkload(allocationId)
      .then(
        (status) => {
          if (r.allocationId === allocationId) onStatus(status);
        },
        (err: unknown) => onError(codeOf(err)),
      );
  }

  /**
   * A start failed but may have landed: asks the node. It has the allocation: its state is folded
   * in. NOT_FOUND: it never landed (the agent answers UNAVAILABLE while a start it received is still
   * on its way in), so it is placed again. No answer: asked again while the node is up; once it is
   * down, the node's liveness decides (disconnect.ts), as for any workload there.
   */
  private confirm(r: WorkloadRecord, node: NodeEntry, allocationId: string, reason: string, tries: number): void {
    if (this.closed || r.allocationId !== allocationId || r.state !== 'starting') return;
    this.askNode(r, node, allocationId, (code) => {
      if (this.closed) return;
      if (code === grpc.status.NOT_FOUND) {
        this.book.apply(r, onStartUnconfirmed(r, allocationId, reason, this.o.clock.now()));
        return;
      }
      const now = this.o.nodes.get(node.id);
      if (now?.state !== 'up') return;
      const waitMs = Math.min(CONFIRM_BACKOFF.maxMs, CONFIRM_BACKOFF.firstMs * 2 ** tries);
      const timer = this.o.clock.after(waitMs, () => {
        this.confirming.delete(timer);
        this.confirm(r, now, allocationId, reason, tries + 1);
      });
      this.confirming.add(timer);
    });
  }

  /** Asks the node for r's current allocation's state (it was started before) and folds it in. */
  private ask(r: WorkloadRecord, node: NodeEntry): void {
    this.askNode(r, node, r.allocationId);
  }

  /** Asks r's node for an allocation its inventory did not name: lost if it does not have it. */
  private verify(r: WorkloadRecord): void {
    const node = this.o.nodes.get(r.nodeId);
    if (!node) return;
    const allocationId = r.allocationId;
    this.askNode(
      r,
      node,
      allocationId,
      (code) => {
        // Unreachable: the node's liveness decides.
        if (code !== grpc.status.NOT_FOUND) return;
        this.book.apply(r, onMissingConfirmed(r, allocationId, node, this.o.clock.now(), this.o.random));
      },
      (status) => this.report(node.id, status),
    );
  }

  /** Stops a copy that lost out (a replacement, when the original is kept), if its node is up. */
  private stopCopy(r: WorkloadRecord, e: Extract<Effect, { kind: 'stop-copy' }>): void {
    const node = this.o.nodes.get(e.nodeId);
    if (node?.state !== 'up') return;
    // Its end comes back as a report about an old allocation, which is ignored.
    this.o.agents
      .get(node)
      .stopWorkload(e.allocationId, e.graceMs)
      .catch((err: unknown) =>
        this.o.logger.warn('could not stop a replacement', {
          id: r.id,
          allocationId: e.allocationId,
          err: (err as Error).message,
        }),
      );
  }
}

/** The gRPC status code of an error from a client call (errors cross the wire as MoError). */
export function codeOf(err: unknown): number | undefined {
  return err instanceof MoError ? err.code : (err as { code?: number }).code;
}

/** The WorkloadSpec an agent runs for one allocation of r (its labels name the workload). */
function startSpecOf(r: WorkloadRecord, allocationId: string): WorkloadSpec {
  return specToWire(r.spec, { id: allocationId, labels: { ...r.spec.labels, [LABEL_WORKLOAD_ID]: r.id } });
}
