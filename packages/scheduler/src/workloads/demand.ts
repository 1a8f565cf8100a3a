// What one allocation of a workload books on its node, for placement and its reservations.
import type { ResourceAmounts } from '../placement/types.js';
import type { SpecRecord } from './record.js';

/** Declared CPU and memory, and one host port per port a docker workload publishes. */
export function demandOf(spec: Pick<SpecRecord, 'cpuMillis' | 'memoryBytes' | 'docker'>): ResourceAmounts {
  return { cpuMillis: spec.cpuMillis, memoryBytes: spec.memoryBytes, hostPorts: spec.docker?.ports.length ?? 0 };
}
