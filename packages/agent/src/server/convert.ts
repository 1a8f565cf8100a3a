// Agent records -> wire messages.
import {
  specToWire,
  stateToWire,
  type CheckStatus,
  type DockerSpecFields,
  type Health,
  type WorkloadStatus,
} from '@mo/api';
import type { CheckStatus as CheckStatusName } from '../checks/state.js';
import type { DockerSettings } from '../drivers/docker/settings.js';
import type { TaskUsage } from '../drivers/driver.js';
import { namedPortMappings } from '../ports/named.js';
import type { HealthRecord, WorkloadRecord } from '../workloads/record.js';
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
    // Held while it runs; released when it ends. Named ports (spec.ports) after docker.ports.
    ports: record.state === 'running' ? [...(record.handle?.ports ?? []), ...namedPortMappings(record.ports)] : [],
    outputs: record.outputs ?? {},
    outputsIgnored: record.outputsIgnored ?? 0,
    runAs: spec.runAs ? describeRunAs(spec.runAs) : '',
    // While it runs: an ended workload's checks say nothing of it any more.
    ...healthOf(record.state === 'running' ? record.health : undefined),
  };
}

const HEALTH_WIRE: Record<CheckStatusName, Health> = {
  starting: 'HEALTH_STARTING',
  healthy: 'HEALTH_HEALTHY',
  unhealthy: 'HEALTH_UNHEALTHY',
};

function healthOf(h: HealthRecord | undefined): Pick<WorkloadStatus, 'health' | 'checks' | 'healthChangedAtMs'> {
  if (!h) return { health: 'HEALTH_UNSPECIFIED', checks: [], healthChangedAtMs: 0 };
  const checks: CheckStatus[] = Object.entries(h.checks).map(([name, c]) => ({
    name,
    health: HEALTH_WIRE[c.status],
    detail: c.lastResult?.detail ?? '',
    successes: c.consecutivePasses,
    failures: c.consecutiveFailures,
    checkedAtMs: c.lastResult?.atMs ?? 0,
    changedAtMs: c.since,
  }));
  return { health: HEALTH_WIRE[h.status], checks, healthChangedAtMs: h.changedAtMs };
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
