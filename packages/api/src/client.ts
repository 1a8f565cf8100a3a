// Typed, promise-based clients. Every call has a deadline; errors come back as MoError.
import * as grpc from '@grpc/grpc-js';
import { fromServiceError } from './errors.js';
import type { GetNodeStatusRequest } from './generated/mo/v1/GetNodeStatusRequest.js';
import type { LogChunk__Output } from './generated/mo/v1/LogChunk.js';
import type { NodeAgentClient } from './generated/mo/v1/NodeAgent.js';
import type { NodeStatus__Output } from './generated/mo/v1/NodeStatus.js';
import type { StartWorkloadRequest } from './generated/mo/v1/StartWorkloadRequest.js';
import type { StartWorkloadResponse__Output } from './generated/mo/v1/StartWorkloadResponse.js';
import type { StopWorkloadRequest } from './generated/mo/v1/StopWorkloadRequest.js';
import type { StopWorkloadResponse__Output } from './generated/mo/v1/StopWorkloadResponse.js';
import type { StreamLogsRequest } from './generated/mo/v1/StreamLogsRequest.js';
import type { WorkloadSpec } from './generated/mo/v1/WorkloadSpec.js';
import type { WorkloadStatus__Output } from './generated/mo/v1/WorkloadStatus.js';
import { MAX_MESSAGE_BYTES } from './server.js';
import { moProto } from './proto.js';

export interface ClientOptions {
  /** Deadline for each unary call, in ms (default 10 s). */
  deadlineMs?: number;
}

type Unary<Req, Res> = (
  req: Req,
  meta: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: grpc.requestCallback<Res>,
) => grpc.ClientUnaryCall;

function channelOptions(): grpc.ChannelOptions {
  return {
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  };
}

/** Shared call plumbing: deadline per call, error mapping, close. */
abstract class BaseClient<C extends grpc.Client> {
  protected readonly deadlineMs: number;
  constructor(
    readonly address: string,
    protected readonly raw: C,
    options: ClientOptions,
  ) {
    this.deadlineMs = options.deadlineMs ?? 10_000;
  }

  protected call<Req, Res>(method: Unary<Req, Res>, req: Req, deadlineMs = this.deadlineMs): Promise<Res> {
    return new Promise((resolve, reject) => {
      method.call(this.raw, req, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (err, res) => {
        if (err) reject(fromServiceError(err, this.address));
        else if (res === undefined) reject(fromServiceError(new Error('empty response'), this.address));
        else resolve(res);
      });
    });
  }

  /** Resolves once connected, or rejects with UnavailableError after `timeoutMs`. */
  waitForReady(timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      this.raw.waitForReady(Date.now() + timeoutMs, (err) =>
        err
          ? reject(fromServiceError({ code: grpc.status.UNAVAILABLE, details: err.message }, this.address))
          : resolve(),
      );
    });
  }

  close(): void {
    this.raw.close();
  }
}

/** Client for one agent's NodeAgent service. */
export class AgentClient extends BaseClient<NodeAgentClient> {
  constructor(address: string, options: ClientOptions = {}) {
    const Ctor = moProto().mo.v1.NodeAgent;
    super(address, new Ctor(address, grpc.credentials.createInsecure(), channelOptions()), options);
  }

  async startWorkload(spec: WorkloadSpec): Promise<WorkloadStatus__Output> {
    const res = await this.call<StartWorkloadRequest, StartWorkloadResponse__Output>(this.raw.startWorkload, { spec });
    return required(res.workload, 'workload', this.address);
  }

  /** Resolves after the workload has ended (grace + kill), so allow grace + slack as deadline. */
  async stopWorkload(workloadId: string, gracePeriodMs = 0): Promise<WorkloadStatus__Output> {
    const deadline = Math.max(this.deadlineMs, gracePeriodMs + this.deadlineMs);
    const res = await this.call<StopWorkloadRequest, StopWorkloadResponse__Output>(
      this.raw.stopWorkload,
      { workloadId, gracePeriodMs },
      deadline,
    );
    return required(res.workload, 'workload', this.address);
  }

  getWorkload(workloadId: string): Promise<WorkloadStatus__Output> {
    return this.call(this.raw.getWorkload, { workloadId });
  }

  getNodeStatus(req: GetNodeStatusRequest = {}): Promise<NodeStatus__Output> {
    return this.call(this.raw.getNodeStatus, req);
  }

  /**
   * Streams log chunks. Without `follow` the call ends after the tail; with it, when the
   * workload ends or `signal` aborts. No deadline on followed streams: they are meant to last.
   */
  async *streamLogs(req: StreamLogsRequest, signal?: AbortSignal): AsyncGenerator<LogChunk__Output> {
    const opts: grpc.CallOptions = req.follow ? {} : { deadline: Date.now() + this.deadlineMs };
    const call = this.raw.streamLogs(req, new grpc.Metadata(), opts);
    const onAbort = () => call.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const chunk of call as AsyncIterable<LogChunk__Output>) yield chunk;
    } catch (err) {
      if (signal?.aborted && (err as grpc.ServiceError).code === grpc.status.CANCELLED) return;
      throw fromServiceError(err, this.address);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      call.cancel();
    }
  }
}

function required<T>(value: T | null | undefined, field: string, address: string): T {
  if (value === null || value === undefined) {
    throw fromServiceError(new Error(`response is missing ${field}`), address);
  }
  return value;
}
