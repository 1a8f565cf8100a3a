// Logs of a workload's current allocation, streamed from the agent that runs (or ran) it. Shared by
// StreamWorkloadLogs and StreamStepLogs; errors keep their status (emitted, not destroyed).
import * as grpc from '@grpc/grpc-js';
import {
  BoundedWriter,
  InvalidArgumentError,
  MoError,
  NodeUnreachableError,
  NotFoundError,
  StreamClosedError,
  StreamLimits,
  UnavailableError,
  statusName,
  tidyConnectError,
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

/** Which allocation of a workload a logs call reads: the current one unless asked otherwise. */
export interface AllocationChoice {
  /** A past or the current allocation's id ('' = not chosen by id). */
  allocationId?: string;
  /** The allocation before the current one. */
  previous?: boolean;
}

/** Where an allocation ran: what a logs call needs to reach its node. */
export interface AllocationPlace {
  allocationId: string;
  nodeId: string;
  nodeName: string;
}

/**
 * Picks the allocation whose logs are wanted. `previous` is the last allocation that is not the
 * current one (while a restart is pending there is no current one: the one that just ended). Throws
 * the caller's error (INVALID_ARGUMENT, NOT_FOUND naming the field) when there is none such.
 */
export function chooseAllocation(
  r: WorkloadRecord,
  choice: AllocationChoice,
  kind: string,
  id: string,
): AllocationPlace {
  const past = r.pastAllocations ?? [];
  if (choice.allocationId && choice.previous) {
    throw new InvalidArgumentError('previous', 'cannot be combined with allocation_id (pick one allocation)');
  }
  if (choice.allocationId) {
    if (choice.allocationId === r.allocationId) return r;
    const found = past.find((a) => a.allocationId === choice.allocationId);
    if (!found) {
      const known = [...past.map((a) => a.allocationId), ...(r.allocationId ? [r.allocationId] : [])];
      const why = known.length ? `its allocations are ${known.join(', ')}` : 'it has no allocation';
      throw new NotFoundError('allocation_id', `allocation of ${kind} ${id}`, choice.allocationId, why);
    }
    return found;
  }
  if (choice.previous) {
    const last = past[past.length - 1];
    if (!last)
      throw new NotFoundError(
        'previous',
        `earlier allocation of ${kind}`,
        id,
        `it ran ${r.attempt} time(s), never restarted`,
      );
    return last;
  }
  if (!r.allocationId || !r.nodeId) {
    throw new NotFoundError(
      'workload_id',
      `logs of ${kind}`,
      id,
      past.length
        ? `it is waiting to run again: ${r.reason}; --previous reads the last run`
        : `it never ran: ${r.reason}`,
    );
  }
  return r;
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
  resolve: (req: Req) => { record: WorkloadRecord; kind: string; id: string; choice?: AllocationChoice },
): void {
  const slot = (ctx.streams ?? defaultLimits).admit('logs', call);
  if (!slot) return ctx.onRequest?.(method, 'RESOURCE_EXHAUSTED');
  const out = new BoundedWriter<LogChunk>(call, { what: method, slot });
  void (async () => {
    const req = call.request;
    const { record, kind, id, choice } = resolve(req);
    if (!choice && (!record.allocationId || !record.nodeId)) {
      throw new NotFoundError(field, `logs of ${kind}`, id, `it never ran: ${record.reason}`);
    }
    const a = chooseAllocation(record, choice ?? {}, kind, id);
    const node = ctx.nodes.get(a.nodeId);
    if (!node || node.state !== 'up') {
      throw new NodeUnreachableError(
        a.nodeName,
        node?.address ?? '',
        `it is ${node ? node.state : 'removed'}; the logs of ${kind} ${id} are on it`,
      );
    }
    const agent = ctx.agents.get(node);
    try {
      for await (const chunk of agent.streamLogs(
        { workloadId: a.allocationId, stream: req.stream, tailLines: req.tailLines, follow: req.follow },
        out.signal,
      )) {
        await out.write(chunk, chunk.data.length);
      }
    } catch (err) {
      // The agent could not be dialled (or its stream broke): the node's failure, named as such.
      if (err instanceof UnavailableError && !out.signal.aborted) {
        const why = err.message.startsWith(`${err.address}: `)
          ? err.message.slice(err.address.length + 2)
          : err.message;
        throw new NodeUnreachableError(a.nodeName, node.address, tidyConnectError(why), { cause: err });
      }
      if (err instanceof MoError && err.code === grpc.status.NOT_FOUND && a.allocationId !== record.allocationId) {
        throw new NotFoundError(
          'allocation_id',
          'logs of allocation',
          a.allocationId,
          `node ${a.nodeName} no longer keeps it: an agent forgets the oldest ended workloads past its --max-ended`,
        );
      }
      throw err;
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
