/**
 * The scheduler's HTTP/JSON API under /api/v1, served on its HTTP listener beside /metrics and
 * /healthz (HTTPS when the daemon has TLS). The same calls as the gRPC services (service/), the
 * same access table, rates and audit lines; errors as `{code, message}` (errors.ts); live events as
 * Server-Sent Events (events.ts). The README's "HTTP API" section is its reference.
 *
 * ```ts
 * const api = createHttpApi({
 *   scheduler: schedulerCalls, pipelines: pipelineCalls, logs: { nodes, agents, streams },
 *   streams, insecure: !tls, guard: schedulerGuard(tokens, { rates }), audit,
 * });
 * startMetricsServer({ …, routes: api }); // hands it every /api/ request
 * ```
 *
 * Files: api.ts (the request cycle), router.ts, auth.ts, errors.ts, body.ts, stream-call.ts (an
 * HTTP response under the gRPC stream machinery), and one per resource: workloads.ts, nodes.ts
 * (and cluster status), pipelines.ts, jobs.ts (and services), logs.ts, events.ts.
 */
import type { StreamLimits } from '@mo/api';
import type { LogsProxyContext } from '../server/logs-proxy.js';
import type { JobCalls } from '../service/job-calls.js';
import type { PipelineCalls } from '../service/pipeline-calls.js';
import type { SchedulerCalls } from '../service/scheduler-calls.js';
import { HttpApi, type HttpApiCoreOptions } from './api.js';
import { eventRoutes } from './events.js';
import { jobRoutes } from './jobs.js';
import { logRoutes } from './logs.js';
import { nodeRoutes } from './nodes.js';
import { whoamiRoutes } from './whoami.js';
import { pipelineRoutes } from './pipelines.js';
import { workloadRoutes } from './workloads.js';

export { HTTP_STATUS, errorReply } from './errors.js';
export { matchRoute } from './router.js';
export { HttpApi } from './api.js';

export interface HttpApiOptions extends Omit<HttpApiCoreOptions, 'routes'> {
  scheduler: SchedulerCalls;
  pipelines: PipelineCalls;
  /** Absent: no /api/v1/jobs or /api/v1/services routes. */
  jobs?: JobCalls;
  /** What log streams reach agents through (and their stream cap). */
  logs: LogsProxyContext;
  streams: StreamLimits;
  /** Between two heartbeat comments of an event stream (default 15 s). */
  heartbeatMs?: number;
}

export function createHttpApi(o: HttpApiOptions): HttpApi {
  const routes = [
    ...workloadRoutes(o.scheduler),
    ...nodeRoutes(o.scheduler),
    ...whoamiRoutes(),
    ...pipelineRoutes(o.pipelines),
    ...(o.jobs ? jobRoutes(o.jobs) : []),
    ...logRoutes(o.logs, o.scheduler, o.pipelines),
    ...eventRoutes({
      calls: o.scheduler,
      streams: o.streams,
      ...(o.heartbeatMs ? { heartbeatMs: o.heartbeatMs } : {}),
    }),
  ];
  return new HttpApi({ ...o, routes });
}
