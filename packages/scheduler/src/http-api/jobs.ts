// /api/v1/jobs and /api/v1/services, over JobCalls: run a job file (the body is the file's text,
// YAML or JSON; `?plan=1` answers what it would do, PlanJob), list, get, history, scale, revert,
// stop; a service's instances and where to reach them (healthy ones; `?all=1` every live one), the
// JSON a reverse proxy reads for its upstreams.
import {
  InvalidArgumentError,
  requestFromJson,
  type GetJobRequest__Output,
  type GetServiceRequest__Output,
  type ListJobsRequest__Output,
  type RevertJobRequest__Output,
  type RunJobRequest__Output,
  type ScaleJobRequest__Output,
  type StopJobRequest__Output,
} from '@mo/api';
import type { JobCalls } from '../service/job-calls.js';
import { route, type Route, type RouteInput } from './api.js';
import { readBody } from './body.js';
import { bodyRequest, queryRequest } from './workloads.js';

const J = '/mo.v1.Jobs';
const FLAG = ['1', 'true', '0', 'false'];

function flag(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  if (v === null) return false;
  if (!FLAG.includes(v))
    throw new InvalidArgumentError(name, `must be 1 or 0 (true or false), got ${JSON.stringify(v.slice(0, 32))}`);
  return v === '1' || v === 'true';
}

async function runRequest({ req, query }: RouteInput): Promise<RunJobRequest__Output> {
  const extra = [...query.keys()].find((k) => k !== 'plan');
  if (extra) throw new InvalidArgumentError(extra.slice(0, 64), 'is not a parameter of POST /api/v1/jobs (plan)');
  flag(query, 'plan');
  const spec = (await readBody(req)).toString('utf8');
  return requestFromJson('RunJobRequest', { spec });
}

export function jobRoutes(calls: JobCalls): Route[] {
  const named =
    <T>(type: string) =>
    (i: RouteInput) =>
      queryRequest<T>(type, i.query, { name: i.params.name! });
  return [
    route<RunJobRequest__Output>({
      method: 'POST',
      path: '/api/v1/jobs',
      rpc: `${J}/RunJob`,
      responseType: 'RunJobResponse',
      variant: (q) =>
        q.get('plan') === '1' || q.get('plan') === 'true'
          ? { rpc: `${J}/PlanJob`, responseType: 'JobPlan' }
          : undefined,
      request: runRequest,
      respond: (m, i) => (flag(i.query, 'plan') ? calls.planJob(m) : calls.runJob(m)),
    }),
    route<ListJobsRequest__Output>({
      method: 'GET',
      path: '/api/v1/jobs',
      rpc: `${J}/ListJobs`,
      responseType: 'ListJobsResponse',
      request: (i) => queryRequest('ListJobsRequest', i.query),
      respond: (m) => calls.listJobs(m),
    }),
    route<GetJobRequest__Output>({
      method: 'GET',
      path: '/api/v1/jobs/:name',
      rpc: `${J}/GetJob`,
      responseType: 'Job',
      request: named('GetJobRequest'),
      respond: (m) => calls.getJob(m),
    }),
    route<GetJobRequest__Output>({
      method: 'GET',
      path: '/api/v1/jobs/:name/history',
      rpc: `${J}/JobHistory`,
      responseType: 'JobHistoryResponse',
      request: named('GetJobRequest'),
      respond: (m) => calls.jobHistory(m),
    }),
    route<ScaleJobRequest__Output>({
      method: 'POST',
      path: '/api/v1/jobs/:name/scale',
      rpc: `${J}/ScaleJob`,
      responseType: 'Job',
      request: (i) => bodyRequest('ScaleJobRequest', i, { name: i.params.name! }),
      respond: (m) => calls.scaleJob(m),
    }),
    route<RevertJobRequest__Output>({
      method: 'POST',
      path: '/api/v1/jobs/:name/revert',
      rpc: `${J}/RevertJob`,
      responseType: 'Job',
      request: (i) => bodyRequest('RevertJobRequest', i, { name: i.params.name! }),
      respond: (m) => calls.revertJob(m),
    }),
    route<StopJobRequest__Output>({
      method: 'POST',
      path: '/api/v1/jobs/:name/stop',
      rpc: `${J}/StopJob`,
      responseType: 'Job',
      request: (i) => bodyRequest('StopJobRequest', i, { name: i.params.name! }),
      respond: (m) => calls.stopJob(m),
    }),
    route<GetServiceRequest__Output>({
      method: 'GET',
      path: '/api/v1/services/:name',
      rpc: `${J}/GetService`,
      responseType: 'Service',
      request: (i) => {
        const extra = [...i.query.keys()].find((k) => k !== 'all');
        if (extra)
          throw new InvalidArgumentError(extra.slice(0, 64), 'is not a parameter of /api/v1/services/NAME (all)');
        return requestFromJson('GetServiceRequest', { name: i.params.name!, all: flag(i.query, 'all') });
      },
      respond: (m) => calls.getService(m),
    }),
  ];
}
