// Node classes: nodes with the same drivers and labels answer the driver and constraint checks the
// same way, so those checks run once per class per decision (Nomad's computed node class), and the
// hot loop reads a cached verdict instead of chasing each node's label object.
import { classRejection, type PreparedRequest } from './feasibility.js';
import type { PlacementNode } from './types.js';

export class NodeClasses {
  private readonly idsByKey = new Map<string, number>();
  private readonly keys: string[] = [];
  private readonly drivers: (readonly string[])[] = [];
  private readonly labels: Readonly<Record<string, string>>[] = [];
  private readonly refs: number[] = [];
  private readonly freeIds: number[] = [];
  /** Per-class verdict of the current decision, valid when stamp[id] === generation. */
  private stamp = new Int32Array(16);
  private verdict = new Int8Array(16);
  private generation = 0;

  /** The class id of `node`, counted as one more member. */
  acquire(node: PlacementNode): number {
    const drivers = [...node.drivers].sort();
    const labelKeys = Object.keys(node.labels).sort();
    const key = JSON.stringify([drivers, labelKeys.map((k) => [k, node.labels[k]])]);
    let id = this.idsByKey.get(key);
    if (id !== undefined) {
      this.refs[id]!++;
      return id;
    }
    id = this.freeIds.pop() ?? this.keys.length;
    this.idsByKey.set(key, id);
    this.keys[id] = key;
    this.drivers[id] = drivers;
    this.labels[id] = { ...node.labels };
    this.refs[id] = 1;
    if (id >= this.stamp.length) {
      const stamp = new Int32Array(this.stamp.length * 2);
      stamp.set(this.stamp);
      const verdict = new Int8Array(this.verdict.length * 2);
      verdict.set(this.verdict);
      this.stamp = stamp;
      this.verdict = verdict;
    }
    this.stamp[id] = 0; // a reused id must not keep a verdict of the current generation
    return id;
  }

  /** One member fewer; a class with no members is forgotten (labels may be unique per node). */
  release(id: number): void {
    if (--this.refs[id]! > 0) return;
    this.idsByKey.delete(this.keys[id]!);
    this.drivers[id] = [];
    this.labels[id] = {};
    this.freeIds.push(id);
  }

  /** Starts a decision: verdicts cached for the previous request no longer apply. */
  begin(): void {
    if (++this.generation === 0x7fffffff) {
      this.stamp.fill(0);
      this.generation = 1;
    }
  }

  /** The class's driver/constraint verdict for the current request (-1 = passes), computed once. */
  rejection(id: number, req: PreparedRequest): number {
    if (this.stamp[id] === this.generation) return this.verdict[id]!;
    const v = classRejection(this.drivers[id]!, this.labels[id]!, req);
    this.stamp[id] = this.generation;
    this.verdict[id] = v;
    return v;
  }

  /** Whether any registered node offers `driver` (for "no node has docker"). */
  anyHasDriver(driver: string): boolean {
    for (const id of this.idsByKey.values()) if (this.drivers[id]!.includes(driver)) return true;
    return false;
  }
}
