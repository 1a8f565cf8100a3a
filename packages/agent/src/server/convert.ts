// Agent records -> wire messages.
import type { WorkloadState, WorkloadStatus } from '@mo/api';
import type { TaskUsage } from '../drivers/driver.js';
import type { WorkloadRecord, WorkloadStateName } from '../workloads/record.js';
import { describeRunAs } from '../users/index.js';

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

/**
 * `brief`: the spec carries its id, name, driver, resources and labels only, not argv, env or
 * sandbox: for messages to the scheduler, which has the spec (StartWorkloads results, heartbeat
 * changes). A full spec is up to 1 MiB; echoed for each workload of a batch or a burst, it made
 * responses and heartbeats of tens of MiB to build on the agent's event loop (and past the
 * message limit).
 */
export function toWorkloadStatus(
  record: WorkloadRecord,
  usage?: TaskUsage,
  opts: { brief?: boolean } = {},
): WorkloadStatus {
  const { spec, exit } = record;
  return {
    spec: opts.brief
      ? {
          id: spec.id,
          name: spec.name,
          resources: { cpuMillis: spec.cpuMillis, memoryBytes: spec.memoryBytes },
          labels: spec.labels,
          driver: spec.driver,
        }
      : {
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
          pidsLimit: spec.pidsLimit ?? 0,
          driver: spec.driver,
          user: spec.user ?? '',
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
    usage: usage ? { cpuPercent: usage.cpuPercent, rssBytes: usage.rssBytes, processes: usage.processes ?? 0 } : null,
    // Held while it runs; released when it ends.
    ports: record.state === 'running' ? (record.handle?.ports ?? []) : [],
    outputs: record.outputs ?? {},
    outputsIgnored: record.outputsIgnored ?? 0,
    runAs: spec.runAs ? describeRunAs(spec.runAs) : '',
  };
}
