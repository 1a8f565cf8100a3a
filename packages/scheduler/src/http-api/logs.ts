// Logs over HTTP: GET /api/v1/workloads/ID/logs and /api/v1/pipelines/ID/steps/STEP/logs, the
// gRPC log streams' requests as query parameters (`tailLines`, `follow`, `stream=stdout|stderr`,
// `allocationId`, `previous`), answered as text/plain: the log's bytes as the agent sends them
// (stdout and stderr interleaved unless one is asked for). With `follow=true` the response stays
// open as the log grows. The same proxy as gRPC (server/logs-proxy.ts): its stream cap (`logs`),
// bounded buffer and stall cut-off. An error before the first byte is a JSON error; after it, the
// connection is closed without the chunked body's end, which curl and fetch report as an error.
import {
  MoError,
  type LogChunk,
  type StreamStepLogsRequest__Output,
  type StreamWorkloadLogsRequest__Output,
} from '@mo/api';
import type * as grpc from '@grpc/grpc-js';
import { proxyLogs, type LogsProxyContext } from '../server/logs-proxy.js';
import type { PipelineCalls } from '../service/pipeline-calls.js';
import type { SchedulerCalls } from '../service/scheduler-calls.js';
import { route, type Route, type RouteInput } from './api.js';
import { sendError } from './errors.js';
import { ResponseCall } from './stream-call.js';
import { queryRequest } from './workloads.js';

const STREAM_NAMES: Record<string, string> = {
  stdout: 'LOG_STREAM_STDOUT',
  stderr: 'LOG_STREAM_STDERR',
  both: 'LOG_STREAM_UNSPECIFIED',
};

/** The query with `stream=stdout|stderr|both` spelled as the enum's names. */
function logsQuery(query: URLSearchParams): URLSearchParams {
  const q = new URLSearchParams(query);
  const s = q.get('stream');
  if (s !== null && STREAM_NAMES[s]) q.set('stream', STREAM_NAMES[s]);
  return q;
}

type LogsRequest = StreamWorkloadLogsRequest__Output | StreamStepLogsRequest__Output;

function pipe<Req extends LogsRequest>(
  ctx: LogsProxyContext,
  method: string,
  field: string,
  req: Req,
  { res }: RouteInput,
  resolve: Parameters<typeof proxyLogs<Req>>[4],
): undefined {
  const call = new ResponseCall<Req, LogChunk>(req, res, {
    head: () => {
      if (!res.headersSent) {
        res.writeHead(200, {
          'Content-Type': 'text/plain; charset=utf-8',
          'Cache-Control': 'no-store',
          'X-Content-Type-Options': 'nosniff',
        });
      }
    },
    encode: (chunk) => (Buffer.isBuffer(chunk.data) ? chunk.data : Buffer.from(chunk.data ?? '')),
    onError: (err) => {
      if (!res.headersSent) sendError(res, new MoError(err.code ?? 2, err.details ?? 'error'));
      else res.destroy();
    },
  });
  // ResponseCall has the parts of a grpc-js server stream the proxy uses.
  proxyLogs(ctx, method, call as unknown as grpc.ServerWritableStream<Req, LogChunk>, field, resolve);
  return undefined;
}

export function logRoutes(ctx: LogsProxyContext, scheduler: SchedulerCalls, pipelines: PipelineCalls): Route[] {
  return [
    route<StreamWorkloadLogsRequest__Output>({
      method: 'GET',
      path: '/api/v1/workloads/:id/logs',
      rpc: '/mo.v1.Scheduler/StreamWorkloadLogs',
      request: (i) => {
        const req = queryRequest<StreamWorkloadLogsRequest__Output>('StreamWorkloadLogsRequest', logsQuery(i.query), {
          workloadId: i.params.id!,
        });
        scheduler.logsTarget(req); // its errors before the stream opens (and in the audit)
        return req;
      },
      respond: (req, i) => pipe(ctx, 'StreamWorkloadLogs', 'workload_id', req, i, (r) => scheduler.logsTarget(r)),
    }),
    route<StreamStepLogsRequest__Output>({
      method: 'GET',
      path: '/api/v1/pipelines/:id/steps/:step/logs',
      rpc: '/mo.v1.Pipelines/StreamStepLogs',
      request: (i) => {
        const req = queryRequest<StreamStepLogsRequest__Output>('StreamStepLogsRequest', logsQuery(i.query), {
          pipelineId: i.params.id!,
          stepId: i.params.step!,
        });
        pipelines.stepLogsTarget(req);
        return req;
      },
      respond: (req, i) => pipe(ctx, 'StreamStepLogs', 'step_id', req, i, (r) => pipelines.stepLogsTarget(r)),
    }),
  ];
}
