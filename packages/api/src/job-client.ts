// Client for the scheduler's Jobs service (proto/mo/v1/jobs.proto; same address as Scheduler).
import type { ClientOptions } from './base-client.js';
import { BaseClient } from './base-client.js';
import type { GetServiceRequest } from './generated/mo/v1/GetServiceRequest.js';
import type { Job__Output } from './generated/mo/v1/Job.js';
import type { JobHistoryResponse__Output } from './generated/mo/v1/JobHistoryResponse.js';
import type { JobPlan__Output } from './generated/mo/v1/JobPlan.js';
import type { JobsClient as RawJobsClient } from './generated/mo/v1/Jobs.js';
import type { ListJobsRequest } from './generated/mo/v1/ListJobsRequest.js';
import type { ListJobsResponse__Output } from './generated/mo/v1/ListJobsResponse.js';
import type { RunJobResponse__Output } from './generated/mo/v1/RunJobResponse.js';
import type { Service__Output } from './generated/mo/v1/Service.js';
import { channelOptions } from './grpc-options.js';
import { moProto } from './proto.js';

export class JobClient extends BaseClient<RawJobsClient> {
  /** `address`: one scheduler, or several (`"a:1,b:2"` or a list): calls follow the leader. */
  constructor(address: string | readonly string[], options: ClientOptions) {
    const Ctor = moProto().mo.v1.Jobs;
    super(address, (a, creds, extra) => new Ctor(a, creds, { ...channelOptions(), ...extra }), options, {
      kind: 'scheduler',
    });
  }

  /** `spec`: the job file's text (YAML or JSON). */
  run(spec: string): Promise<RunJobResponse__Output> {
    return this.call(this.raw.runJob, { spec });
  }

  plan(spec: string): Promise<JobPlan__Output> {
    return this.call(this.raw.planJob, { spec });
  }

  get(name: string): Promise<Job__Output> {
    return this.call(this.raw.getJob, { name });
  }

  list(req: ListJobsRequest = {}): Promise<ListJobsResponse__Output> {
    return this.call(this.raw.listJobs, req);
  }

  history(name: string): Promise<JobHistoryResponse__Output> {
    return this.call(this.raw.jobHistory, { name });
  }

  revert(name: string, version: number): Promise<Job__Output> {
    return this.call(this.raw.revertJob, { name, version });
  }

  scale(name: string, count: number): Promise<Job__Output> {
    return this.call(this.raw.scaleJob, { name, count });
  }

  stop(name: string): Promise<Job__Output> {
    return this.call(this.raw.stopJob, { name });
  }

  service(req: GetServiceRequest): Promise<Service__Output> {
    return this.call(this.raw.getService, req);
  }
}
