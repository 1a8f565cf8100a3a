// What one allocation of a workload books on its node, for placement and its reservations, and the
// shape it waits under in the pending queue.
import type { ResourceAmounts } from '../placement/types.js';
import type { Shape, Waiting } from './queue.js';
import { hostPortsOf, type NormalizedWorkloadSpec } from '@mo/api';
import { PRIORITY_RANK, type WorkloadRecord } from './record.js';

/** Declared CPU and memory, and one host port per named port and per port a docker workload publishes. */
export function demandOf(
  spec: Pick<NormalizedWorkloadSpec, 'cpuMillis' | 'memoryBytes' | 'docker' | 'ports'>,
): ResourceAmounts {
  return { cpuMillis: spec.cpuMillis, memoryBytes: spec.memoryBytes, hostPorts: hostPortsOf(spec) };
}

/** What placement feasibility depends on: workloads of one shape wait in one queue group. */
export function shapeOf(r: WorkloadRecord): Shape {
  return {
    driver: r.spec.driver,
    resources: demandOf(r.spec),
    constraints: r.scheduling.constraints,
    ...(r.scheduling.node ? { nodeName: r.scheduling.node } : {}),
  };
}

export function waitingOf(r: WorkloadRecord): Waiting {
  return {
    id: r.id,
    rank: PRIORITY_RANK[r.scheduling.priority],
    createdAtMs: r.createdAtMs,
    notBeforeMs: r.notBeforeMs,
    shape: shapeOf(r),
  };
}
