// The Jobs API's rules, once for both transports (gRPC's JobService and the HTTP API): decoded
// request message in, response message out.
import {
  InvalidArgumentError,
  type GetJobRequest__Output,
  type GetServiceRequest__Output,
  type Job,
  type JobEvent,
  type JobHistoryResponse,
  type JobPlan,
  type ListJobsRequest__Output,
  type ListJobsResponse,
  type PlannedPlacement,
  type RevertJobRequest__Output,
  type RunJobRequest__Output,
  type RunJobResponse,
  type ScaleJobRequest__Output,
  type Service,
  type StopJobRequest__Output,
} from '@mo/api';
import { JobManager, type JobChangeEvent, type JobEntry } from '../jobs/manager.js';
import { diffSpecs } from '../jobs/spec.js';
import type { JobSpec } from '../jobs/types.js';
import type { PlacementEngine } from '../placement/index.js';
import type { ResourceAmounts } from '../placement/types.js';
import type { NodeTable } from '../registry/nodes.js';
import { TERMINAL_STATES } from '../workloads/record.js';
import { hostOfAddress, toChange, toDeployment, toJob, toServiceInstance, type HostOf } from '../server/job-convert.js';

export interface JobCallsContext {
  jobs: JobManager;
  nodes: Pick<NodeTable, 'get'>;
  engine: Pick<PlacementEngine, 'place' | 'reserve' | 'release'>;
}

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

function requireName(name: string): string {
  if (!name) throw new InvalidArgumentError('name', 'is required');
  if (name.length > 63) throw new InvalidArgumentError('name', `is at most 63 characters, got ${name.length}`);
  return name;
}

export class JobCalls {
  readonly hostOf: HostOf;

  constructor(private readonly ctx: JobCallsContext) {
    this.hostOf = (nodeId) => hostOfAddress(ctx.nodes.get(nodeId)?.address);
  }

  async runJob(req: RunJobRequest__Output): Promise<RunJobResponse> {
    const r = await this.ctx.jobs.run(req.spec);
    return { job: this.job(r.entry), changed: r.changed, kind: r.kind, changes: r.changes.map(toChange) };
  }

  planJob(req: RunJobRequest__Output): JobPlan {
    const p = this.ctx.jobs.plan(req.spec);
    return {
      kind: p.kind,
      changes: p.changes.map(toChange),
      version: p.version,
      starts: p.starts.length,
      stops: p.stops,
      placements: this.dryRun(
        p.spec,
        p.starts.map((s) => s.index),
      ),
    };
  }

  getJob(req: GetJobRequest__Output): Job {
    return this.job(this.ctx.jobs.get(requireName(req.name)));
  }

  listJobs(req: ListJobsRequest__Output): ListJobsResponse {
    if (!Number.isSafeInteger(req.pageSize) || req.pageSize < 0) {
      throw new InvalidArgumentError(
        'page_size',
        `must be 0 (the default, ${DEFAULT_PAGE}) or more, got ${req.pageSize}`,
      );
    }
    const size = Math.min(MAX_PAGE, req.pageSize || DEFAULT_PAGE);
    let after = '';
    if (req.pageToken) {
      after = Buffer.from(req.pageToken, 'base64url').toString('utf8');
      if (!after || Buffer.from(after).toString('base64url') !== req.pageToken) {
        throw new InvalidArgumentError('page_token', 'is not a token this call handed out');
      }
    }
    const names = this.ctx.jobs.names().filter((n) => n > after);
    const page = names.slice(0, size);
    const more = names.length > size;
    return {
      jobs: page.map((n) => this.job(this.ctx.jobs.get(n), false)),
      nextPageToken: more ? Buffer.from(page[page.length - 1]!).toString('base64url') : '',
    };
  }

  jobHistory(req: GetJobRequest__Output): JobHistoryResponse {
    const e = this.ctx.jobs.get(requireName(req.name));
    const versions = e.versions.map((v, k) => ({
      version: v.version,
      hash: v.hash,
      submittedAtMs: v.submittedAtMs,
      spec: JSON.stringify(v.spec),
      changes: k > 0 ? diffSpecs(e.versions[k - 1]!.spec, v.spec).changes.map(toChange) : [],
    }));
    return { versions: versions.reverse(), deployments: e.deployments.map(toDeployment).reverse() };
  }

  async revertJob(req: RevertJobRequest__Output): Promise<Job> {
    if (!Number.isInteger(req.version) || req.version < 1) {
      throw new InvalidArgumentError('version', `must be a version number (1 or more), got ${req.version}`);
    }
    return this.job(await this.ctx.jobs.revert(requireName(req.name), req.version));
  }

  async scaleJob(req: ScaleJobRequest__Output): Promise<Job> {
    return this.job(await this.ctx.jobs.scale(requireName(req.name), req.count));
  }

  async stopJob(req: StopJobRequest__Output): Promise<Job> {
    return this.job(await this.ctx.jobs.stop(requireName(req.name)));
  }

  getService(req: GetServiceRequest__Output): Service {
    const name = requireName(req.name);
    this.ctx.jobs.get(name);
    return this.service(name, req.all);
  }

  /**
   * A job's change on the cluster's event stream (WatchRequest.include_jobs): the job without its
   * instances. Their changes are workload events already, and a rollout of N instances changes its
   * deployment's counts N times: N copies of N instances each would grow with N².
   */
  jobEvent(e: JobChangeEvent): JobEvent {
    const entry = this.ctx.jobs.get(e.name);
    return {
      name: e.name,
      what: e.what,
      job: this.job(entry, false),
      ...(e.what === 'instances' ? { service: this.service(e.name, false) } : {}),
    };
  }

  job(e: JobEntry, withInstances = true): Job {
    const { jobs } = this.ctx;
    return toJob(e, jobs.instances(e.job.name), jobs.isServing, withInstances ? this.hostOf : undefined);
  }

  private service(name: string, all: boolean): Service {
    const instances = this.ctx.jobs
      .instances(name)
      .filter((r) => (all ? !TERMINAL_STATES.has(r.state) : this.ctx.jobs.isServing(r)));
    return { name, instances: instances.map((r) => toServiceInstance(r, this.hostOf)) };
  }

  /**
   * Where each new instance would go now: placed one after the other, each booked on its node for
   * the next (so a plan spreads as a rollout would), then every booking released. Nothing is kept.
   */
  private dryRun(spec: JobSpec, indexes: readonly number[]): PlannedPlacement[] {
    const { engine } = this.ctx;
    const t = spec.task;
    const resources: ResourceAmounts = {
      cpuMillis: t.cpuMillis,
      memoryBytes: t.memoryBytes,
      hostPorts: spec.ports.length,
    };
    const booked: string[] = [];
    try {
      return indexes.map((index) => {
        const result = engine.place({
          workloadId: `plan:${spec.name}/${index}`,
          driver: t.driver,
          resources,
          constraints: t.constraints,
          ...(t.node ? { nodeName: t.node } : {}),
          batch: spec.type === 'batch',
        });
        if (!result.ok) return { index, nodeId: '', nodeName: '', reason: result.reason };
        engine.reserve(result.nodeId, resources);
        booked.push(result.nodeId);
        return { index, nodeId: result.nodeId, nodeName: result.nodeName, reason: '' };
      });
    } finally {
      for (const nodeId of booked) engine.release(nodeId, resources);
    }
  }
}
