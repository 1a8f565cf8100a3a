// What happens to workloads when their node changes: it registers with its inventory (fenced and
// reconciled, reconcile.ts), goes down (its workloads become unknown, disconnect.ts), or stays
// away past lost_after (they are given up: one timer, at the first one due). The rules are the
// pure modules'; this applies them through the book and the agent calls.
import type { Timer, WorkloadStatus__Output } from '@mo/api';
import type { NodeEntry } from '../registry/nodes.js';
import type { AgentCalls } from './agent-calls.js';
import type { WorkloadBook } from './book.js';
import type { Clock } from './clock.js';
import { lostAfterStep, nextLostAtMs, nodeDownStep } from './disconnect.js';
import type { Random } from './lifecycle.js';
import { onMissingFromInventory } from './reconcile.js';

export interface NodeEventsOptions {
  clock: Clock;
  random: Random;
  /** lost_after of workloads that do not set their own. */
  defaultLostAfterMs: number;
  /** A node may have room now (it registered): what waits is tried again there. */
  noteRoom(nodeId: string): void;
}

export class NodeEvents {
  private unknownTimer: Timer | undefined;
  private unknownTimerAt = Infinity;
  private closed = false;

  constructor(
    private readonly book: WorkloadBook,
    private readonly calls: AgentCalls,
    private readonly o: NodeEventsOptions,
  ) {}

  close(): void {
    this.closed = true;
    this.unknownTimer?.cancel();
  }

  /**
   * Reconciles a (re-)registering node's inventory with our view. Returns the allocations the node
   * must stop: replaced while it was away, stopped meanwhile, or unknown to us.
   */
  reconcile(node: NodeEntry, inventory: readonly WorkloadStatus__Output[]): string[] {
    const stop = this.reconcilePage(node, inventory);
    this.reconcileMissing(node, new Set(inventory.map((s) => s.spec?.id ?? '')));
    return stop;
  }

  /**
   * One page of a node's inventory: each status folded in as a report. Returns the allocations of
   * this page the node must stop. What is missing is judged by reconcileMissing, after the last page.
   */
  reconcilePage(node: NodeEntry, inventory: readonly WorkloadStatus__Output[]): string[] {
    const stop: string[] = [];
    for (const status of inventory) {
      const alloc = status.spec?.id;
      if (!alloc) continue;
      if (this.calls.report(node.id, status) === 'stop') stop.push(alloc);
    }
    return stop;
  }

  /**
   * The whole inventory is in (`seen`: every allocation id it named): what we believed on the node
   * but it did not report is started again (never confirmed) or checked with the node (running).
   */
  reconcileMissing(node: NodeEntry, seen: ReadonlySet<string>): void {
    const now = this.o.clock.now();
    for (const id of [...(this.book.onNode.get(node.id) ?? [])]) {
      const r = this.book.records.get(id);
      if (r) this.book.apply(r, onMissingFromInventory(r, node, seen, now));
    }
    // It registered (or came back) with its capacity, labels and drivers: room for what waits?
    this.o.noteRoom(node.id);
  }

  /**
   * A node went down: its workloads become unknown until their lost_after passes (or lost at once
   * with lost_after 0, or when the node is gone for good: another agent took its name).
   */
  nodeDown(node: NodeEntry, gone: boolean): void {
    const now = this.o.clock.now();
    for (const id of [...(this.book.onNode.get(node.id) ?? [])]) {
      const r = this.book.records.get(id);
      if (r) this.book.apply(r, nodeDownStep(r, node, gone, now, this.o.defaultLostAfterMs, this.o.random));
    }
    this.armUnknownTimer();
  }

  /** Gives up the unknown workloads whose lost_after has passed (then restart policies apply). */
  expireUnknown(): void {
    const now = this.o.clock.now();
    for (const id of [...this.book.unknown]) {
      const r = this.book.records.get(id);
      if (!r || r.state !== 'unknown') {
        this.book.unknown.delete(id);
        continue;
      }
      this.book.apply(r, lostAfterStep(r, now, this.o.random));
    }
    this.armUnknownTimer();
  }

  /** One timer, at the first lost_after due among the unknown workloads. */
  armUnknownTimer(): void {
    const next = nextLostAtMs(this.book.unknown, this.book.records);
    if (next === this.unknownTimerAt || this.closed) return;
    this.unknownTimer?.cancel();
    this.unknownTimer = undefined;
    this.unknownTimerAt = next;
    if (next === Infinity) return;
    this.unknownTimer = this.o.clock.after(next - this.o.clock.now(), () => {
      this.unknownTimerAt = Infinity;
      this.expireUnknown();
    });
  }
}
