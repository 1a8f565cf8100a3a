// Node drain (issue 18), decided: pure functions of (node, request or what is on it, now) → the
// node's new eligibility and drain record, or the actions that empty it. No I/O and no clock;
// drain/manager.ts applies them. Nomad's rules, in mo's words:
// - A draining node is ineligible: nothing new is placed there.
// - A service job's instances move `max_parallel` at a time, each replacement healthy before the
//   old one stops: the job decides that (jobs/migrate.ts), as it decides its rollouts.
// - Other work (a batch job's instances, plain workloads) runs on until the deadline; then it is
//   stopped and placed elsewhere: a job's instance as its job decides (a stop is not a failure:
//   a fresh attempt), a plain workload re-placed as it is (no restart counted).
// - What is still on the node at the deadline, services included, is stopped then; `force` is a
//   deadline of now.
// - Doubt is not death: an `unknown` workload (its node unheard from) is left to lost_after.
// - The drain is done once nothing placed is left; the node stays ineligible until made eligible.
import { FailedPreconditionError, InvalidArgumentError, formatDuration, type WorkloadStateName } from '@mo/api';
import type { DrainLeft, NodeDrainRecord } from '../registry/nodes.js';

/** A drain's deadline when none is given (Nomad's default too). */
export const DEFAULT_DRAIN_DEADLINE_MS = 60 * 60 * 1000;
/** The longest deadline a drain may be given. */
export const MAX_DRAIN_DEADLINE_MS = 30 * 24 * 60 * 60 * 1000;

/** What a node's eligibility and drain are (the part of its record these rules read and write). */
export interface NodeDrainView {
  name: string;
  eligible: boolean;
  drain?: NodeDrainRecord | undefined;
}

export interface DrainRequest {
  /** 0: the default (1 h). */
  deadlineMs: number;
  force: boolean;
  cancel: boolean;
}

/** What the node becomes; `event` names the change for the log and the node's reason. */
export interface DrainChange {
  eligible: boolean;
  drain: NodeDrainRecord | undefined;
  event: 'draining' | 'drain updated' | 'drain cancelled' | 'eligible' | 'ineligible' | 'unchanged';
}

export const isDraining = (n: Pick<NodeDrainView, 'drain'>): boolean => !!n.drain && n.drain.drainedAtMs === 0;

/** DrainNode: starts a drain, moves its deadline (or forces it), or cancels it. */
export function decideDrainRequest(n: NodeDrainView, req: DrainRequest, nowMs: number): DrainChange {
  if (req.cancel) {
    if (req.force) throw new InvalidArgumentError('force', 'cannot be combined with cancel');
    if (req.deadlineMs !== 0) throw new InvalidArgumentError('deadline_ms', 'cannot be combined with cancel');
    // Nomad's default: a cancelled drain leaves the node eligible again (so does a drained one).
    if (!n.drain) return { eligible: n.eligible, drain: undefined, event: 'unchanged' };
    return { eligible: true, drain: undefined, event: 'drain cancelled' };
  }
  const ms = req.deadlineMs;
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_DRAIN_DEADLINE_MS) {
    throw new InvalidArgumentError(
      'deadline_ms',
      `must be between 0 (the default, ${formatDuration(DEFAULT_DRAIN_DEADLINE_MS)}) and ${MAX_DRAIN_DEADLINE_MS} (30 days), got ${String(ms).slice(0, 32)}`,
    );
  }
  const deadlineMs = req.force ? nowMs : nowMs + (ms || DEFAULT_DRAIN_DEADLINE_MS);
  if (isDraining(n)) {
    // A drain under way keeps its start; a new deadline (or force) replaces the old one.
    const drain = { ...n.drain!, deadlineMs, force: n.drain!.force || req.force };
    return { eligible: false, drain, event: 'drain updated' };
  }
  return {
    eligible: false,
    drain: { startedAtMs: nowMs, deadlineMs, force: req.force, drainedAtMs: 0 },
    event: 'draining',
  };
}

/** SetNodeEligibility. Making a draining node eligible is refused: its drain would go on regardless. */
export function decideEligibility(n: NodeDrainView, eligible: boolean): DrainChange {
  if (eligible && isDraining(n)) {
    throw new FailedPreconditionError(
      `node ${n.name} is draining: cancel the drain to make it eligible again (mo node drain ${n.name} --cancel)`,
    );
  }
  // Made eligible, a drained node's drain is over and forgotten.
  const drain = eligible ? undefined : n.drain;
  if (eligible === n.eligible && drain === n.drain) return { eligible, drain, event: 'unchanged' };
  return { eligible, drain, event: eligible ? 'eligible' : 'ineligible' };
}

/** What a drain does with a workload: a service job's instance, a batch job's, or a plain one. */
export type DrainKind = 'service' | 'batch' | 'workload';

/** A workload placed on the draining node, as the drain sees it. */
export interface DrainItem {
  id: string;
  kind: DrainKind;
  state: WorkloadStateName;
  /** Its stop was asked for (it is on its way out): counted as left, not asked again. */
  stopRequested: boolean;
}

export type DrainAction =
  /** A job's instance: stopped; its job starts it again elsewhere (jobs/: a stop is no failure). */
  | { kind: 'stop'; workloadId: string; reason: string }
  /** A plain workload: its allocation stopped, the workload placed again elsewhere. */
  | { kind: 'migrate'; workloadId: string; reason: string }
  /** Nothing of the drain is left: it is done. */
  | { kind: 'drained' };

export interface DrainPlan {
  actions: DrainAction[];
  left: DrainLeft;
  /** Ask again then if nothing changes before (the deadline); Infinity: no need. */
  wakeAtMs: number;
}

/** What the drain of `node` does now with what is placed there (`items`: starting, running, unknown). */
export function decideDrain(node: NodeDrainView, items: readonly DrainItem[], nowMs: number): DrainPlan {
  const left: DrainLeft = { services: 0, batch: 0, workloads: 0 };
  const drain = node.drain;
  if (!drain || drain.drainedAtMs > 0) return { actions: [], left, wakeAtMs: Infinity };
  const due = drain.force || nowMs >= drain.deadlineMs;
  const why = drain.force ? 'forced' : `its deadline (${formatDuration(drain.deadlineMs - drain.startedAtMs)}) passed`;
  const actions: DrainAction[] = [];
  for (const i of items) {
    left[i.kind === 'service' ? 'services' : i.kind === 'batch' ? 'batch' : 'workloads']++;
    // Unknown: its node is unheard from; lost_after decides (doubt is not death).
    if (!due || i.stopRequested || i.state === 'unknown') continue;
    const reason = `draining node ${node.name}: ${why}`;
    actions.push(
      i.kind === 'workload'
        ? { kind: 'migrate', workloadId: i.id, reason }
        : { kind: 'stop', workloadId: i.id, reason },
    );
  }
  if (items.length === 0) actions.push({ kind: 'drained' });
  const wakeAtMs = !due && items.length > 0 ? drain.deadlineMs : Infinity;
  return { actions, left, wakeAtMs };
}

/** "3 service instances, 1 batch, 2 workloads left" (what `mo node drain` prints as it goes). */
export function describeLeft(left: DrainLeft): string {
  const parts: string[] = [];
  if (left.services) parts.push(`${left.services} service instance${left.services === 1 ? '' : 's'}`);
  if (left.batch) parts.push(`${left.batch} batch`);
  if (left.workloads) parts.push(`${left.workloads} workload${left.workloads === 1 ? '' : 's'}`);
  return parts.length ? `${parts.join(', ')} left` : 'nothing left';
}
