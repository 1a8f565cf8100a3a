// The Jobs gRPC service: thin handlers over JobCalls (service/job-calls.ts, the rules the HTTP API
// shares). A job's changes stream on the Scheduler's Watch (include_jobs, job).
import type * as grpc from '@grpc/grpc-js';
import { countedUnary, moProto, type JobsHandlers } from '@mo/api';
import type { JobCalls } from '../service/job-calls.js';

export class JobService {
  constructor(private readonly o: { calls: JobCalls; onRequest?: (method: string, code: string) => void }) {}

  addToServer(server: grpc.Server): void {
    server.addService(moProto().mo.v1.Jobs.service, this.handlers());
  }

  private handlers(): JobsHandlers {
    const { calls } = this.o;
    const counted = countedUnary(this.o.onRequest);
    return {
      RunJob: counted('RunJob', (req) => calls.runJob(req)),
      PlanJob: counted('PlanJob', (req) => calls.planJob(req)),
      GetJob: counted('GetJob', (req) => calls.getJob(req)),
      ListJobs: counted('ListJobs', (req) => calls.listJobs(req)),
      JobHistory: counted('JobHistory', (req) => calls.jobHistory(req)),
      RevertJob: counted('RevertJob', (req) => calls.revertJob(req)),
      ScaleJob: counted('ScaleJob', (req) => calls.scaleJob(req)),
      StopJob: counted('StopJob', (req) => calls.stopJob(req)),
      GetService: counted('GetService', (req) => calls.getService(req)),
    };
  }
}
