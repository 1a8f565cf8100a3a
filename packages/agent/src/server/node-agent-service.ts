// The NodeAgent gRPC service: thin handlers that validate, call the WorkloadManager and map
// records to wire messages. Errors are mapped to gRPC status in one place (@mo/api unaryHandler).
import * as grpc from '@grpc/grpc-js';
import {
  BoundedWriter,
  countedUnary,
  StreamClosedError,
  StreamLimits,
  FailedPreconditionError,
  InvalidArgumentError,
  moProto,
  statusName,
  toServiceError,
  type LogStream__Output,
  type NodeAgentHandlers,
  type NodeFacts,
  type NodeMetrics,
  type StreamLogsRequest__Output,
  type LogChunk,
} from '@mo/api';
import type { TaskUsage } from '../drivers/driver.js';
import type { WorkloadManager } from '../workloads/manager.js';
import { readLogs, type LogStreamName } from '../workloads/logs.js';
import { toWorkloadStatus } from './convert.js';
import { validateWorkloadId } from '../workloads/validate.js';

/** What the service needs besides the manager; narrow so tests can build it from literals. */
export interface NodeAgentContext {
  manager: WorkloadManager;
  taskDirOf: (id: string) => string;
  facts: () => NodeFacts;
  metrics: () => NodeMetrics;
  /** Called after each RPC with its method and final status code name. */
  onRequest?: (method: string, code: string) => void;
  /** Called after each StartWorkload with its outcome and duration. */
  onStart?: (result: 'ok' | 'invalid' | 'error', seconds: number) => void;
  /** Caps on open streams (kind 'logs') and the slow-reader bound; default: StreamLimits' defaults. */
  streams?: StreamLimits;
}

/** Starts per StartWorkloads call, at most. */
const MAX_BATCH = 1000;

export class NodeAgentService {
  private readonly streams: StreamLimits;
  constructor(private readonly ctx: NodeAgentContext) {
    this.streams = ctx.streams ?? new StreamLimits();
  }

  addToServer(server: grpc.Server): void {
    server.addService(moProto().mo.v1.NodeAgent.service, this.handlers());
  }

  private handlers(): NodeAgentHandlers {
    const { manager } = this.ctx;
    const counted = countedUnary(this.ctx.onRequest);

    return {
      StartWorkload: counted('StartWorkload', async (req) => {
        const t0 = process.hrtime.bigint();
        try {
          const record = await manager.start(req.spec);
          this.ctx.onStart?.('ok', Number(process.hrtime.bigint() - t0) / 1e9);
          return { workload: toWorkloadStatus(record) };
        } catch (err) {
          const code = toServiceError(err).code;
          const invalid = code === grpc.status.INVALID_ARGUMENT || code === grpc.status.ALREADY_EXISTS;
          this.ctx.onStart?.(invalid ? 'invalid' : 'error', Number(process.hrtime.bigint() - t0) / 1e9);
          throw err;
        }
      }),
      StartWorkloads: counted('StartWorkloads', async (req) => {
        if (req.specs.length > MAX_BATCH) {
          throw new InvalidArgumentError('specs', `has ${req.specs.length} entries, at most ${MAX_BATCH} per call`);
        }
        // Each start is on its own, as if it were a StartWorkload call of its own.
        const results = await Promise.all(
          req.specs.map(async (spec) => {
            const t0 = process.hrtime.bigint();
            try {
              const record = await manager.start(spec);
              this.ctx.onStart?.('ok', Number(process.hrtime.bigint() - t0) / 1e9);
              return { workload: toWorkloadStatus(record) };
            } catch (err) {
              const e = toServiceError(err);
              const code = e.code ?? grpc.status.UNKNOWN;
              const invalid = code === grpc.status.INVALID_ARGUMENT || code === grpc.status.ALREADY_EXISTS;
              this.ctx.onStart?.(invalid ? 'invalid' : 'error', Number(process.hrtime.bigint() - t0) / 1e9);
              return { errorCode: code, errorMessage: e.details ?? String(err) };
            }
          }),
        );
        return { results };
      }),
      StopWorkload: counted('StopWorkload', async (req) => {
        const record = await manager.stop(req.workloadId, req.gracePeriodMs);
        return { workload: toWorkloadStatus(record) };
      }),
      GetWorkload: counted('GetWorkload', async (req) => {
        const record = manager.get(req.workloadId);
        const usage = await manager.usage([record]);
        return toWorkloadStatus(record, usage.get(record.spec.id));
      }),
      GetNodeStatus: counted('GetNodeStatus', async (req) => {
        let workloads: ReturnType<typeof toWorkloadStatus>[] = [];
        if (!req.omitWorkloads) {
          const records = manager.list().sort((a, b) => a.createdAtMs - b.createdAtMs);
          const usage: Map<string, TaskUsage> = await manager.usage(records);
          workloads = records.map((r) => toWorkloadStatus(r, usage.get(r.spec.id)));
        }
        return { facts: this.ctx.facts(), metrics: this.ctx.metrics(), workloads };
      }),
      StreamLogs: (call) => void this.streamLogs(call),
    };
  }

  /**
   * Tail and follow with bounded memory: the files are read only as fast as the reader takes the
   * chunks (BoundedWriter), and a reader that takes nothing for the stall bound is cut off with
   * RESOURCE_EXHAUSTED; either way the call's end aborts the reads, which close their files.
   */
  private async streamLogs(call: grpc.ServerWritableStream<StreamLogsRequest__Output, LogChunk>): Promise<void> {
    const slot = this.streams.admit('logs', call);
    if (!slot) return this.ctx.onRequest?.('StreamLogs', 'RESOURCE_EXHAUSTED');
    const req = call.request;
    const out = new BoundedWriter<LogChunk>(call, { what: `logs of ${req.workloadId.slice(0, 128)}`, slot });
    try {
      validateWorkloadId('workload_id', req.workloadId);
      const record = this.ctx.manager.get(req.workloadId);
      if (record.logsRemovedAtMs) {
        throw new FailedPreconditionError(
          `workload_id: the logs of ${record.spec.id} were removed at ${new Date(record.logsRemovedAtMs).toISOString()} ` +
            "to keep the agent's logs under its --max-log-disk (the longest-ended workloads' go first)",
        );
      }
      if (req.tailLines < 0) throw new InvalidArgumentError('tail_lines', `must be ≥ 0, got ${req.tailLines}`);
      const streams: LogStreamName[] = streamsOf(req.stream);
      const taskDir = this.ctx.taskDirOf(record.spec.id);
      const ended = this.ctx.manager.whenEnded(record.spec.id);
      await Promise.all(
        streams.map(async (name) => {
          const wire = name === 'stdout' ? 'LOG_STREAM_STDOUT' : 'LOG_STREAM_STDERR';
          for await (const data of readLogs(taskDir, name, {
            tailLines: req.tailLines,
            follow: req.follow,
            ended,
            signal: out.signal,
          })) {
            await out.write({ stream: wire, data }, data.length);
          }
        }),
      );
      this.ctx.onRequest?.('StreamLogs', 'OK');
      out.end();
    } catch (err) {
      const code = err instanceof StreamClosedError ? grpc.status.CANCELLED : toServiceError(err).code;
      this.ctx.onRequest?.('StreamLogs', statusName(code ?? grpc.status.UNKNOWN));
      // Emitted as the call's status (unless the call has ended: cancelled or cut off).
      out.fail(err);
    }
  }
}

function streamsOf(stream: LogStream__Output): LogStreamName[] {
  if (stream === 'LOG_STREAM_STDOUT') return ['stdout'];
  if (stream === 'LOG_STREAM_STDERR') return ['stderr'];
  return ['stdout', 'stderr'];
}
