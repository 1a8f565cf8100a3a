// Logs of a workload's current allocation, streamed from the agent that runs (or ran) it. Shared by
// StreamWorkloadLogs and StreamStepLogs; errors keep their status (emitted, not destroyed).
import * as grpc from '@grpc/grpc-js';
import {
  BoundedWriter,
  NotFoundError,
  StreamClosedError,
  StreamLimits,
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
  /** Caps on open streams (kind 'logs', shared by both methods) and the stall bound. */
  streams?: StreamLimits;
}

export interface LogsQuery {
  stream: LogStream__Output;
  tailLines: number;
  follow: boolean;
}

const defaultLimits = new StreamLimits();

/**
 * Runs `resolve` (which validates the request and finds the workload), then pipes the agent's
 * log stream into `call`. Backpressure both ways: the next chunk is taken from the agent only once
 * the client has room for it (BoundedWriter), so a slow client slows the agent's stream (HTTP/2 flow
 * control), which the agent cuts off past its stall bound as this side cuts off the client. The
 * call's end (cancel, cut-off, error) cancels the agent's stream. `field`, `kind` and `id` name
 * the subject in errors.
 */
export function proxyLogs<Req extends LogsQuery>(
  ctx: LogsProxyContext,
  method: string,
  call: grpc.ServerWritableStream<Req, LogChunk>,
  field: string,
  resolve: (req: Req) => { record: WorkloadRecord; kind: string; id: string },
): void {
  const slot = (ctx.streams ?? defaultLimits).admit('logs', call);
  if (!slot) return ctx.onRequest?.(method, 'RESOURCE_EXHAUSTED');
  const out = new BoundedWriter<LogChunk>(call, { what: method, slot });
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
    const agent = ctx.agents.get(node);
    for await (const chunk of agent.streamLogs(
      { workloadId: r.allocationId, stream: req.stream, tailLines: req.tailLines, follow: req.follow },
      out.signal,
    )) {
      await out.write(chunk, chunk.data.length);
    }
    // The agent's stream ends quietly when our call's end cancelled it: that is no success.
    if (out.signal.aborted) throw out.signal.reason;
    ctx.onRequest?.(method, 'OK');
    out.end();
  })().catch((err: unknown) => {
    const code = err instanceof StreamClosedError ? grpc.status.CANCELLED : toServiceError(err).code;
    ctx.onRequest?.(method, statusName(code ?? grpc.status.UNKNOWN));
    out.fail(err);
  });
}
