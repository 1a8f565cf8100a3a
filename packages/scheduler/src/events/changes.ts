// Which workload updates are events. The manager writes a record for reasons that are not state
// changes (a stop request is persisted before it is carried out); a watcher must see each change
// once, so an update is published only when its state, its reason, its history or its health moved.

export interface WorkloadChangeView {
  state: string;
  reason: string;
  /** The record's history; its last entry is the newest transition. */
  events: readonly object[];
  /** Its checks taken together (a job's instance): a change is an event (a proxy's upstreams move). */
  health?: string | undefined;
}

interface Published {
  state: string;
  reason: string;
  last: object | undefined;
  health: string | undefined;
}

/** Remembers what was last published per record (weakly: a retired record is forgotten with it). */
export class WorkloadChanges<R extends WorkloadChangeView> {
  private readonly published = new WeakMap<R, Published>();

  /** True (and remembered) when `r` differs from what was last published for it. */
  take(r: R): boolean {
    const last = r.events[r.events.length - 1];
    const prev = this.published.get(r);
    const health = r.health;
    if (prev && prev.state === r.state && prev.reason === r.reason && prev.last === last && prev.health === health)
      return false;
    this.published.set(r, { state: r.state, reason: r.reason, last, health });
    return true;
  }
}
