// The scheduler's cluster events: workload, node, pipeline and job changes in wire form, numbered on one
// sequence and kept in the journal's window for Watch streams (pipeline events only go to streams
// that ask for them: see watchFilter in service/scheduler-calls.ts). Each event is converted and measured once, whatever the
// number of watchers; a workload update that changes nothing a watcher sees is not an event.
import { moProto, type ClusterEvent, type JobEvent, type Logger, type Node, type ScheduledWorkload } from '@mo/api';
import { every, type Timer } from '@mo/api/timers';
import type { PipelineEvent as EnginePipelineEvent } from '../pipelines/manager.js';
import type { NodeEntry } from '../registry/nodes.js';
import { toEvent } from '../server/pipeline-convert.js';
import type { Store } from '../store/store.js';
import type { WorkloadRecord } from '../workloads/record.js';
import { WorkloadChanges } from './changes.js';
import { EventJournal, SEQ_META_ID } from './journal.js';
import type { RetentionLimits } from './ring.js';

export interface ClusterEventsOptions {
  store: Store;
  retention: RetentionLimits;
  logger: Logger;
  toWorkload(r: WorkloadRecord): ScheduledWorkload;
  toNode(n: NodeEntry): Node;
}

/** How often the window drops events past their age when nothing is published. */
const PRUNE_EVERY_MS = 60_000;

/** The encoded size of a ClusterEvent (what a stream's buffer and the window count). */
export function clusterEventBytes(e: ClusterEvent): number {
  return moProto().mo.v1.Scheduler.service.Watch.responseSerialize(e).length;
}

/** A pipeline's events' key in the journal (apart from workload ids and `node:` keys). */
export function pipelineEventKey(pipelineId: string): string {
  return `pipeline:${pipelineId}`;
}

/** A job's events' key in the journal. */
export function jobEventKey(name: string): string {
  return `job:${name}`;
}

export class ClusterEvents {
  private readonly changes = new WorkloadChanges<WorkloadRecord>();
  private readonly pruner: Timer;

  private constructor(
    readonly journal: EventJournal<ClusterEvent>,
    private readonly o: ClusterEventsOptions,
  ) {
    this.pruner = every(PRUNE_EVERY_MS, () => journal.prune());
  }

  /** Reads the sequence high-water mark and reserves the next block before any event is numbered. */
  static async open(o: ClusterEventsOptions): Promise<ClusterEvents> {
    let baseSeq = 0;
    for (const row of await o.store.load('meta')) {
      if (row.id === SEQ_META_ID) baseSeq = Math.max(baseSeq, Number(row.value) || 0);
    }
    const journal = new EventJournal<ClusterEvent>({
      retention: o.retention,
      baseSeq,
      reserve: (upTo) => o.store.commit([{ kind: 'meta', id: SEQ_META_ID, value: upTo }]),
      onReserveError: (err) => o.logger.error('could not reserve event sequence numbers', { err }),
    });
    await journal.start();
    return new ClusterEvents(journal, o);
  }

  workloadChanged(r: WorkloadRecord): void {
    if (!this.changes.take(r)) return;
    const workload = this.o.toWorkload(r);
    this.journal.publish(r.id, (seq, atMs) => ({ seq, atMs, workload }), clusterEventBytes);
  }

  nodeChanged(n: NodeEntry): void {
    const node = this.o.toNode(n);
    this.journal.publish(`node:${n.id}`, (seq, atMs) => ({ seq, atMs, node }), clusterEventBytes);
  }

  /** Converted now: the event carries the pipeline as it is at this change. */
  pipelineChanged(e: EnginePipelineEvent): void {
    const pipeline = toEvent(e);
    this.journal.publish(pipelineEventKey(e.pipeline.id), (seq, atMs) => ({ seq, atMs, pipeline }), clusterEventBytes);
  }

  /** A job's change, converted by the caller (service/job-calls.ts: it needs the nodes' hosts). */
  jobChanged(job: JobEvent): void {
    this.journal.publish(jobEventKey(job.name ?? ''), (seq, atMs) => ({ seq, atMs, job }), clusterEventBytes);
  }

  close(): void {
    this.pruner.cancel();
  }
}
