// Agent records -> wire messages.
import { specToWire, stateToWire, type DockerSpecFields, type WorkloadStatus } from '@mo/api';
import type { DockerSettings } from '../drivers/docker/settings.js';
import type { TaskUsage } from '../drivers/driver.js';
import type { WorkloadRecord } from '../workloads/record.js';
import { describeRunAs } from '../users/index.js';

/** `brief`: for messages to the scheduler, which has the spec (StartWorkloads results, heartbeat changes). */
export function toWorkloadStatus(
  record: WorkloadRecord,
  usage?: TaskUsage,
  opts: { brief?: boolean } = {},
): WorkloadStatus {
  const { spec, exit } = record;
  return {
    spec: opts.brief
      ? specToWire(spec, { id: spec.id, brief: true })
      : specToWire({ ...spec, docker: spec.docker && dockerSpecOf(spec.docker) }, { id: spec.id }),
    state: stateToWire(record.state),
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

/** A sandbox as this node completed it, in the submitted shape (what it runs with, defaults filled). */
function dockerSpecOf(d: DockerSettings): DockerSpecFields {
  return {
    image: d.image,
    network: d.network,
    writableRoot: !d.readOnlyRoot,
    ports: d.ports,
    mounts: d.mounts,
    pidsLimit: d.pidsLimit,
    capAdd: d.capAdd,
    allowNewPrivileges: d.allowNewPrivileges,
  };
}
