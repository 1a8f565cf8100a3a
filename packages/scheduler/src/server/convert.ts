// Scheduler records -> wire messages.
import { specToWire, stateToWire, type Node, type ScheduledWorkload } from '@mo/api';
import type { ResourceAmounts } from '../placement/types.js';
import type { NodeEntry } from '../registry/nodes.js';
import { HEALTH_ENUM } from '../workloads/health.js';
import { PRIORITY_ENUM, type WorkloadRecord } from '../workloads/record.js';
import { restartsLeft } from '../workloads/restart.js';

const RESTART_ENUM = {
  never: 'RESTART_MODE_NEVER',
  'on-failure': 'RESTART_MODE_ON_FAILURE',
  always: 'RESTART_MODE_ALWAYS',
} as const;
const STRATEGY_ENUM = { binpack: 'PLACEMENT_STRATEGY_BINPACK', spread: 'PLACEMENT_STRATEGY_SPREAD' } as const;

export function toScheduledWorkload(r: WorkloadRecord, withEvents = true): ScheduledWorkload {
  const sch = r.scheduling;
  return {
    id: r.id,
    spec: specToWire(r.spec, { id: r.allocationId }),
    scheduling: {
      constraints: sch.constraints,
      node: sch.node,
      priority: PRIORITY_ENUM[sch.priority],
      restart: {
        mode: RESTART_ENUM[sch.restart.mode],
        maxAttempts: sch.restart.maxAttempts,
        initialBackoffMs: sch.restart.initialBackoffMs,
        maxBackoffMs: sch.restart.maxBackoffMs,
        stableAfterMs: sch.restart.stableAfterMs ?? 0,
      },
      strategy: sch.strategy ? STRATEGY_ENUM[sch.strategy] : 'PLACEMENT_STRATEGY_UNSPECIFIED',
      batch: sch.batch,
    },
    idempotencyKey: r.idempotencyKey,
    state: stateToWire(r.state),
    reason: r.reason,
    allocationId: r.allocationId,
    nodeId: r.nodeId,
    nodeName: r.nodeName,
    attempt: r.attempt,
    restartsLeft: restartsLeft(sch.restart, r.restarts),
    pid: r.pid,
    ports: (r.ports ?? []).map((p) => ({ ...p, name: p.name ?? '' })),
    ...(r.exit ? { exit: r.exit } : {}),
    outputs: r.outputs ?? {},
    runAs: r.runAs ?? '',
    groupId: r.groupId ?? '',
    groupIndex: r.groupIndex ?? 0,
    previousAllocations: (r.pastAllocations ?? []).map((a) => ({
      allocationId: a.allocationId,
      nodeId: a.nodeId,
      nodeName: a.nodeName,
      attempt: a.attempt,
      state: stateToWire(a.state),
      endedAtMs: a.endedAtMs,
    })),
    createdAtMs: r.createdAtMs,
    updatedAtMs: r.updatedAtMs,
    notBeforeMs: r.notBeforeMs,
    unknownSinceMs: r.unknownSinceMs ?? 0,
    lostAtMs: r.lostAtMs ?? 0,
    health: HEALTH_ENUM[r.health ?? 'none'],
    checks: (r.checks ?? []).map((c) => ({ ...c, health: HEALTH_ENUM[c.health] })),
    healthChangedAtMs: r.healthChangedAtMs ?? 0,
    job: r.job?.name ?? '',
    jobVersion: r.job?.version ?? 0,
    jobIndex: r.job?.index ?? 0,
    events: withEvents
      ? r.events.map((e) => ({ workloadId: r.id, state: stateToWire(e.state), reason: e.reason, atMs: e.atMs }))
      : [],
  };
}

export function toNode(n: NodeEntry, reserved: Required<ResourceAmounts>, running: number): Node {
  return {
    id: n.id,
    name: n.name,
    address: n.address,
    state: n.state === 'up' ? 'NODE_STATE_UP' : 'NODE_STATE_DOWN',
    reason: n.reason,
    eligible: n.eligible,
    labels: n.labels,
    ...(n.facts ? { facts: n.facts } : {}),
    ...(n.metrics ? { metrics: n.metrics } : {}),
    capacity: { ...n.capacity, hostPorts: n.capacity.hostPorts ?? 0 },
    reserved,
    workloadsRunning: running,
    registeredAtMs: n.registeredAtMs,
    lastHeartbeatMs: n.lastHeartbeatMs,
    startFailures: n.startFailures,
    avoidUntilMs: n.avoidUntilMs,
    ...(n.drain
      ? {
          drain: {
            state: n.drain.drainedAtMs > 0 ? 'NODE_DRAIN_STATE_DRAINED' : 'NODE_DRAIN_STATE_DRAINING',
            startedAtMs: n.drain.startedAtMs,
            deadlineMs: n.drain.deadlineMs,
            force: n.drain.force,
            drainedAtMs: n.drain.drainedAtMs,
            servicesLeft: n.drainLeft?.services ?? 0,
            batchLeft: n.drainLeft?.batch ?? 0,
            workloadsLeft: n.drainLeft?.workloads ?? 0,
          },
        }
      : {}),
  };
}
