// Logs of a workload's current allocation, streamed from the agent that runs (or ran) it. Shared by
// StreamWorkloadLogs and StreamStepLogs; errors keep their status (emitted, not destroyed).
import * as grpc from '@grpc/grpc-js';
import {
  NotFoundError,
  UnavailableError,
  statusName,
  toServiceError,
  type LogChunk,
  type LogStream__Output,
} from '@mo/api';
import type { AgentPool } from '../registry/agent-pool.js';
import type { NodeTable } from '../registry/nodes.js';
import type { WorkloadRecord } from '../workloads/record.js';

export interface LogsProxyContext {
  nodes: NodeTable;
  agents: AgentPool;
  onRequest?: (method: string, code: string) => void;
}

export interface LogsQuery {
  stream: LogStream__Output;
  tailLines: number;
  follow: boolean;
}

/**
 * Runs `resolve` (which validates the request and finds the workload), then pipes the agent's
 * log stream into `call` with backpressure. `field`, `kind` and `id` name the subject in errors.
 */
export function proxyLogs<Req extends LogsQuery>(
  ctx: LogsProxyContext,
  method: string,
  call: grpc.ServerWritableStream<Req, LogChunk>,
  field: string,
  resolve: (req: Req) => { record: WorkloadRecord; kind: string; id: string },
): void {
  void (async () => {
    const req = call.request;
    const { record: r, kind, id } = resolve(req);
    if (!r.allocationId || !r.nodeId) {
      throw new NotFoundError(field, `logs of ${kind}`, id, `it never ran: ${r.reason}`);
    }
    const node = ctx.nodes.get(r.nodeId);
    if (!node || node.state !== 'up') {
      throw new UnavailableError(
        node?.address ?? '',
        `node ${r.nodeName} that ran ${kind} ${id} is down; its logs are there`,
      );
    }
    const abort = new AbortController();
    call.on('cancelled', () => abort.abort());
    const agent = ctx.agents.get(node.id, node.address);
    for await (const chunk of agent.streamLogs(
      { workloadId: r.allocationId, stream: req.stream, tailLines: req.tailLines, follow: req.follow },
      abort.signal,
    )) {
      if (!call.write(chunk)) await new Promise((done) => call.once('drain', done));
    }
    ctx.onRequest?.(method, 'OK');
    call.end();
  })().catch((err: unknown) => {
    ctx.onRequest?.(method, statusName(toServiceError(err).code ?? grpc.status.UNKNOWN));
    // destroy() would surface as UNAVAILABLE; emitting the error keeps its status.
    if (!call.cancelled) call.emit('error', toServiceError(err));
  });
}
