// The NodeAgent gRPC service: thin handlers that validate, call the WorkloadRunner and map
// records to wire messages. Errors are mapped to gRPC status in one place (@mo/api unaryHandler).
import * as grpc from '@grpc/grpc-js';
import {
  BoundedWriter,
  countedUnary,
  decodePageToken,
  encodePageToken,
  StreamClosedError,
  StreamLimits,
  FailedPreconditionError,
  fillPage,
  InvalidArgumentError,
  LIMITS,
  moProto,
  parsePageSize,
  repeatedEntrySize,
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
import type { WorkloadRunner } from '../workloads/runner.js';
import type { WorkloadRecord } from '../workloads/record.js';
import { readLogs, type LogStreamName } from '../workloads/logs.js';
import { toWorkloadStatus } from './convert.js';
import { validateWorkloadId } from '../workloads/validate.js';
import type { LeaderEpochs } from '../reporter/leader-epoch.js';

/** What the service needs besides the runner; narrow so tests can build it from literals. */
export interface NodeAgentContext {
  runner: WorkloadRunner;
  taskDirOf: (id: string) => string;
  facts: () => NodeFacts;
  metrics: () => NodeMetrics;
  /** Called after each RPC with its method and final status code name. */
  onRequest?: (method: string, code: string) => void;
  /** Called after each StartWorkload with its outcome and duration. */
  onStart?: (result: 'ok' | 'invalid' | 'error', seconds: number) => void;
  /** Caps on open streams (kind 'logs') and the slow-reader bound; default: StreamLimits' defaults. */
  streams?: StreamLimits;
  /** Orders (starts, stops) from a deposed leader are refused (reporter/leader-epoch.ts). */
  epochs?: LeaderEpochs;
}

/** A workload's place in GetNodeStatus pages: oldest first, the id breaking ties within a ms. */
interface AgeKey {
  createdAtMs: number;
  id: string;
}
const ageOf = (r: WorkloadRecord): AgeKey => ({ createdAtMs: r.createdAtMs, id: r.spec.id });
const compareAge = (a: AgeKey, b: AgeKey): number =>
  a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Starts per StartWorkloads call, at most (the request is also within the 4 MiB message limit). */
const MAX_BATCH = LIMITS.batchSpecs;

export class NodeAgentService {
  private readonly streams: StreamLimits;
  constructor(private readonly ctx: NodeAgentContext) {
    this.streams = ctx.streams ?? new StreamLimits();
  }

  addToServer(server: grpc.Server): void {
    server.addService(moProto().mo.v1.NodeAgent.service, this.handlers());
  }

  private handlers(): NodeAgentHandlers {
    const { runner, epochs } = this.ctx;
    const counted = countedUnary(this.ctx.onRequest);

    return {
      StartWorkload: counted('StartWorkload', async (req) => {
        epochs?.check(req.leaderEpoch);
        const t0 = process.hrtime.bigint();
        try {
          const record = await runner.start(req.spec);
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
        epochs?.check(req.leaderEpoch);
        // Each start is on its own, as if it were a StartWorkload call of its own.
        const results = await Promise.all(
          req.specs.map(async (spec) => {
            const t0 = process.hrtime.bigint();
            try {
              const record = await runner.start(spec);
              this.ctx.onStart?.('ok', Number(process.hrtime.bigint() - t0) / 1e9);
              // The caller has the specs: echoing them made a batch's answer as big as its request.
              return { workload: toWorkloadStatus(record, undefined, { brief: true }) };
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
        epochs?.check(req.leaderEpoch);
        const record = await runner.stop(req.workloadId, req.gracePeriodMs);
        return { workload: toWorkloadStatus(record) };
      }),
      GetWorkload: counted('GetWorkload', async (req) => {
        const record = runner.get(req.workloadId);
        const usage = await runner.usage([record]);
        return toWorkloadStatus(record, usage.get(record.spec.id));
      }),
      GetNodeStatus: counted('GetNodeStatus', async (req) => {
        const status = { facts: this.ctx.facts(), metrics: this.ctx.metrics(), workloads: [], nextPageToken: '' };
        if (req.omitWorkloads) return status;
        return { ...status, ...(await this.workloadPage(req.pageSize, req.pageToken)) };
      }),
      StreamLogs: (call) => void this.streamLogs(call),
    };
  }

  /**
   * One page of the node's workloads, oldest first (cursor: created_at and id, stable as new ones
   * arrive). The page is chosen by the size of each status without usage; usage is then read for
   * that page only (it adds a few numbers per workload, well inside the headroom under 4 MiB).
   */
  private async workloadPage(
    pageSize: number,
    pageToken: string,
  ): Promise<{ workloads: ReturnType<typeof toWorkloadStatus>[]; nextPageToken: string }> {
    const size = parsePageSize({ pageSize });
    const pos = decodePageToken('agent-workloads', pageToken, ['integer', 'string']);
    const after = pos && { createdAtMs: pos[0] as number, id: pos[1] as string };
    const sorted = this.ctx.runner
      .list()
      .filter((r) => !after || compareAge(ageOf(r), after) > 0)
      .sort((a, b) => compareAge(ageOf(a), ageOf(b)));
    const page = fillPage(
      sorted,
      (r) => r,
      (r) => repeatedEntrySize('WorkloadStatus', toWorkloadStatus(r)),
      {
        pageSize: size,
      },
    );
    const usage: Map<string, TaskUsage> = await this.ctx.runner.usage(page.items);
    const last = page.last;
    return {
      workloads: page.items.map((r) => toWorkloadStatus(r, usage.get(r.spec.id))),
      nextPageToken: page.more && last ? encodePageToken('agent-workloads', [last.createdAtMs, last.spec.id]) : '',
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
      const record = this.ctx.runner.get(req.workloadId);
      if (record.logsRemovedAtMs) {
        throw new FailedPreconditionError(
          `workload_id: the logs of ${record.spec.id} were removed at ${new Date(record.logsRemovedAtMs).toISOString()} ` +
            "to keep the agent's logs under its --max-log-disk (the longest-ended workloads' go first)",
        );
      }
      if (req.tailLines < 0) throw new InvalidArgumentError('tail_lines', `must be ≥ 0, got ${req.tailLines}`);
      const streams: LogStreamName[] = streamsOf(req.stream);
      const taskDir = this.ctx.taskDirOf(record.spec.id);
      const ended = this.ctx.runner.whenEnded(record.spec.id);
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
