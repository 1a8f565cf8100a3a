// /api/v1/workloads: submit, get, list (ListWorkloads' filters and paging as query parameters),
// stop (POST …/stop with an optional body, or DELETE), over SchedulerCalls.
import {
  jsonFromQuery,
  requestFromJson,
  type GetScheduledWorkloadRequest__Output,
  type ListWorkloadsRequest__Output,
  type StopScheduledWorkloadRequest__Output,
  type SubmitWorkloadRequest__Output,
} from '@mo/api';
import type { SchedulerCalls } from '../service/scheduler-calls.js';
import { route, type Route } from './api.js';
import { readJson } from './body.js';

const S = '/mo.v1.Scheduler';

/** A JSON body as request `type`, with the path's ids set over it. */
export async function bodyRequest<T>(
  type: string,
  input: { req: import('node:http').IncomingMessage },
  fromPath: Record<string, unknown> = {},
): Promise<T> {
  const json = await readJson(input.req);
  return requestFromJson<T>(type, isObject(json) ? { ...json, ...fromPath } : json);
}

export function queryRequest<T>(type: string, query: URLSearchParams, fromPath: Record<string, unknown> = {}): T {
  return requestFromJson<T>(type, { ...(jsonFromQuery(type, query) as object), ...fromPath });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function workloadRoutes(calls: SchedulerCalls): Route[] {
  return [
    route<SubmitWorkloadRequest__Output>({
      method: 'POST',
      path: '/api/v1/workloads',
      rpc: `${S}/SubmitWorkload`,
      responseType: 'SubmitWorkloadResponse',
      request: (i) => bodyRequest('SubmitWorkloadRequest', i),
      respond: (m) => calls.submitWorkload(m),
    }),
    route<ListWorkloadsRequest__Output>({
      method: 'GET',
      path: '/api/v1/workloads',
      rpc: `${S}/ListWorkloads`,
      responseType: 'ListWorkloadsResponse',
      request: (i) => queryRequest('ListWorkloadsRequest', i.query),
      respond: (m) => calls.listWorkloads(m),
    }),
    route<GetScheduledWorkloadRequest__Output>({
      method: 'GET',
      path: '/api/v1/workloads/:id',
      rpc: `${S}/GetScheduledWorkload`,
      responseType: 'ScheduledWorkload',
      request: (i) => queryRequest('GetScheduledWorkloadRequest', i.query, { workloadId: i.params.id! }),
      respond: (m) => calls.getWorkload(m),
    }),
    route<StopScheduledWorkloadRequest__Output>({
      method: 'POST',
      path: '/api/v1/workloads/:id/stop',
      rpc: `${S}/StopScheduledWorkload`,
      responseType: 'ScheduledWorkload',
      request: (i) => bodyRequest('StopScheduledWorkloadRequest', i, { workloadId: i.params.id! }),
      respond: (m) => calls.stopWorkload(m),
    }),
    route<StopScheduledWorkloadRequest__Output>({
      method: 'DELETE',
      path: '/api/v1/workloads/:id',
      rpc: `${S}/StopScheduledWorkload`,
      responseType: 'ScheduledWorkload',
      request: (i) => queryRequest('StopScheduledWorkloadRequest', i.query, { workloadId: i.params.id! }),
      respond: (m) => calls.stopWorkload(m),
    }),
  ];
}
