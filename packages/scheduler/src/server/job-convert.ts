// Job records -> wire messages (jobs.proto): a job with its instances and latest deployment, a
// deployment, a spec change, and a service's instances with where to reach them.
import {
  parseAddress,
  stateToWire,
  type Deployment,
  type Job,
  type JobChange as WireJobChange,
  type JobInstance as WireJobInstance,
  type PortMapping,
  type ServiceInstance,
} from '@mo/api';
import type { JobEntry } from '../jobs/book.js';
import type { DeploymentRecord } from '../jobs/deployment.js';
import type { JobChange } from '../jobs/spec.js';
import { HEALTH_ENUM } from '../workloads/health.js';
import type { WorkloadRecord } from '../workloads/record.js';

/** The host a node's agent advertises (its address without the port). */
export type HostOf = (nodeId: string) => string;

export function hostOfAddress(address: string | undefined): string {
  if (!address) return '';
  try {
    return parseAddress(address).host;
  } catch {
    return '';
  }
}

export function toDeployment(d: DeploymentRecord): Deployment {
  return { ...d };
}

/** JSON of a value; an absent one (null: added or removed) is empty. */
const json = (v: unknown): string => (v === null || v === undefined ? '' : JSON.stringify(v));

export function toChange(c: JobChange): WireJobChange {
  return { path: c.path, from: json(c.from), to: json(c.to) };
}

function portsOf(r: WorkloadRecord): PortMapping[] {
  return (r.ports ?? []).map((p) => ({ ...p, name: p.name ?? '' }));
}

function healthOf(r: WorkloadRecord): (typeof HEALTH_ENUM)[keyof typeof HEALTH_ENUM] {
  return HEALTH_ENUM[r.health ?? 'none'];
}

export function toJobInstance(r: WorkloadRecord, hostOf: HostOf): WireJobInstance {
  const ref = r.job!;
  return {
    workloadId: r.id,
    version: ref.version,
    index: ref.index,
    attempt: ref.attempt,
    state: stateToWire(r.state),
    reason: r.reason,
    health: healthOf(r),
    nodeId: r.nodeId,
    nodeName: r.nodeName,
    host: r.nodeId ? hostOf(r.nodeId) : '',
    ports: portsOf(r),
    startedAtMs: r.createdAtMs,
  };
}

/** A job; `instances` undefined leaves them out (ListJobs) but still counts them. */
export function toJob(
  e: JobEntry,
  instances: readonly WorkloadRecord[],
  serving: (r: WorkloadRecord) => boolean,
  hostOf: HostOf | undefined,
): Job {
  const { job } = e;
  const current = e.versions.find((v) => v.version === job.version);
  const latest = e.deployments[e.deployments.length - 1];
  const spec = current ? { ...current.spec, count: job.count } : undefined;
  return {
    name: job.name,
    type: current?.spec.type ?? 'service',
    version: job.version,
    count: job.count,
    stopped: job.stopped,
    spec: spec ? JSON.stringify(spec) : '',
    ...(latest ? { deployment: toDeployment(latest) } : {}),
    lastGoodVersion: job.lastGoodVersion,
    instances: hostOf ? instances.map((r) => toJobInstance(r, hostOf)) : [],
    running: instances.filter((r) => r.state === 'running').length,
    healthy: instances.filter(serving).length,
    pending: instances.filter((r) => r.state === 'pending' || r.state === 'starting').length,
    createdAtMs: job.createdAtMs,
    updatedAtMs: job.updatedAtMs,
  };
}

/** Where to reach one instance: its named ports there, and host:port of the first by name. */
export function toServiceInstance(r: WorkloadRecord, hostOf: HostOf): ServiceInstance {
  const host = r.nodeId ? hostOf(r.nodeId) : '';
  const named = portsOf(r)
    .filter((p) => p.name)
    .sort((a, b) => (a.name! < b.name! ? -1 : a.name! > b.name! ? 1 : 0));
  const first = named[0];
  const h = host.includes(':') ? `[${host}]` : host;
  return {
    workloadId: r.id,
    version: r.job!.version,
    index: r.job!.index,
    health: healthOf(r),
    state: stateToWire(r.state),
    nodeName: r.nodeName,
    host,
    ports: named,
    address: first && host ? `${h}:${first.hostPort}` : '',
  };
}
