// Which scheduler's orders an agent obeys when several take turns leading (issue 18). A lease
// alone does not make one leader: a leader that lost its lease (a pause, a partition from etcd)
// keeps acting until it notices, and its successor is already starting workloads. The store
// refuses the deposed leader's writes, but its orders to agents need no write: it would stop, as
// unknown to it, the allocations its successor just started here. So every order carries the
// leader's epoch (its etcd leader key's create revision; 0 for a single scheduler), the agent
// keeps the highest it has seen, and an order from a lower one is refused. A higher one means the
// agent's own session may be with a deposed leader: it registers anew (with whoever leads).
// Kept in memory: a restarted agent trusts the first leader it registers with.
import { FailedPreconditionError } from '@mo/api';

export type EpochVerdict =
  /** Obey. `newer`: no order came from this high an epoch before. */
  | { readonly kind: 'obey'; readonly newer: boolean }
  /** A deposed leader: refuse, and leave a session with it. */
  | { readonly kind: 'refuse'; readonly highest: number };

/**
 * An order of a leader of `epoch`, given the highest epoch seen. Pure. Epoch 0 is no election (a
 * single scheduler, or a direct call with the scheduler's certificate): never a deposed leader.
 */
export function judgeEpoch(highest: number, epoch: number): EpochVerdict {
  if (epoch === 0) return { kind: 'obey', newer: false };
  if (epoch < highest) return { kind: 'refuse', highest };
  return { kind: 'obey', newer: epoch > highest };
}

/** The error a deposed leader's call gets (FAILED_PRECONDITION naming the field). */
export function deposedLeaderError(epoch: number, highest: number): FailedPreconditionError {
  return new FailedPreconditionError(
    `leader_epoch: ${epoch} is older than ${highest}, the epoch of a leader that has since given ` +
      'this agent orders: the caller is no longer the leader',
  );
}

/** A session's scheduler answered with an epoch older than one this agent has heard from. */
export class DeposedLeader extends Error {
  constructor(epoch: number, highest: number) {
    super(deposedLeaderError(epoch, highest).message);
  }
}

/** The highest leader epoch this agent has seen, shared by its NodeAgent service and its reporter. */
export class LeaderEpochs {
  private highestSeen = 0;
  private readonly listeners = new Set<(epoch: number) => void>();

  get highest(): number {
    return this.highestSeen;
  }

  /** Judges an order from `epoch` and records it; a newer epoch is told to the listeners. */
  observe(epoch: number): EpochVerdict {
    const verdict = judgeEpoch(this.highestSeen, epoch);
    if (verdict.kind === 'obey' && verdict.newer) {
      this.highestSeen = epoch;
      for (const l of this.listeners) l(epoch);
    }
    return verdict;
  }

  /** Throws the deposed leader's error unless an order of `epoch` is to be obeyed. */
  check(epoch: number): void {
    const verdict = this.observe(epoch);
    if (verdict.kind === 'refuse') throw deposedLeaderError(epoch, verdict.highest);
  }

  /** Called with each newer epoch seen; returns the unsubscribe. */
  onNewer(listener: (epoch: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
