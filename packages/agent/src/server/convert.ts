// Agent records -> wire messages.
import type { WorkloadState, WorkloadStatus } from '@mo/api';
import type { TaskUsage } from '../drivers/driver.js';
import type { WorkloadRecord, WorkloadStateName } from '../workloads/record.js';

const WIRE_STATE: Record<WorkloadStateName, WorkloadState> = {
  starting: 'WORKLOAD_STATE_STARTING',
  running: 'WORKLOAD_STATE_RUNNING',
  succeeded: 'WORKLOAD_STATE_SUCCEEDED',
  failed: 'WORKLOAD_STATE_FAILED',
  stopped: 'WORKLOAD_STATE_STOPPED',
  lost: 'WORKLOAD_STATE_LOST',
};

export function toWireState(state: WorkloadStateName): WorkloadState {
  return WIRE_STATE[state];
}

export function toWorkloadStatus(record: WorkloadRecord, usage?: TaskUsage): WorkloadStatus {
  const { spec, exit } = record;
  return {
    spec: {
      id: spec.id,
      name: spec.name,
      argv: spec.argv,
      env: spec.env,
      workingDir: spec.workingDir,
      resources: { cpuMillis: spec.cpuMillis, memoryBytes: spec.memoryBytes },
      labels: spec.labels,
      gracePeriodMs: spec.gracePeriodMs,
      timeoutMs: spec.timeoutMs ?? 0,
      ...(spec.lostAfterMs !== undefined && { lostAfterMs: spec.lostAfterMs }),
      driver: spec.driver,
      ...(spec.docker && {
        docker: {
          image: spec.docker.image,
          network: spec.docker.network,
          writableRoot: !spec.docker.readOnlyRoot,
          ports: spec.docker.ports,
          mounts: spec.docker.mounts,
          pidsLimit: spec.docker.pidsLimit,
        },
      }),
      ...(spec.artifacts && { artifacts: spec.artifacts }),
    },
    state: WIRE_STATE[record.state],
    reason: record.reason,
    pid: record.handle?.pid ?? 0,
    createdAtMs: record.createdAtMs,
    startedAtMs: record.startedAtMs,
    exit: exit
      ? {
          exited: exit.signal === undefined,
          exitCode: exit.exitCode ?? 0,
          signal: exit.signal ?? '',
          finishedAtMs: exit.finishedAtMs,
        }
      : null,
    usage: usage ? { cpuPercent: usage.cpuPercent, rssBytes: usage.rssBytes } : null,
    // Held while it runs; released when it ends.
    ports: record.state === 'running' ? (record.handle?.ports ?? []) : [],
    outputs: record.outputs ?? {},
    outputsIgnored: record.outputsIgnored ?? 0,
  };
}
