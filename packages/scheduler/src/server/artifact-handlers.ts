// NodeRegistry.UploadArtifact / DownloadArtifact: agents move pipeline artifacts through the
// scheduler's ArtifactStore (pipelines/artifacts.ts). Part of the agent-facing service, so the same
// identity that may heartbeat may upload; which agent may move which artifact is decided in
// pipelines/artifact-access.ts from the caller (`callerOf`). Both are bounded (stream-limits in @mo/api): a cap on
// transfers at once per direction, an upload that sends nothing for the stall bound is ended (its
// temp file removed), a download whose reader takes nothing for it is cut off.
//
// Several schedulers on etcd: followers' artifact mirrors download every artifact too (as the
// scheduler identity) and report what they stored (ReportArtifactReplicas, ha/replica-acks.ts);
// an upload is answered once every live mirror has it, or after `replication.timeoutMs` anyway.
import * as grpc from '@grpc/grpc-js';
import {
  ARTIFACT_CHUNK_BYTES,
  BoundedWriter,
  InvalidArgumentError,
  readWithIdleTimeout,
  StreamClosedError,
  StreamLimits,
  toServiceError,
  unaryHandler,
  type ArtifactChunk,
  type ArtifactReplicaAck,
  type ArtifactReplicaReport__Output,
  type ArtifactRef,
  type ArtifactUpload__Output,
  type DownloadArtifactRequest__Output,
} from '@mo/api';
import type { ArtifactCaller } from '../pipelines/artifact-access.js';
import type { ArtifactRecord, ArtifactStore } from '../pipelines/artifacts.js';
import type { ReplicaAcks } from '../ha/replica-acks.js';
import type { ServerCall } from './server-call.js';

/** Who is calling, as the artifact rules see it. */
export type ArtifactCallerOf = (call: ServerCall) => ArtifactCaller;

export interface ArtifactHandlers {
  UploadArtifact: grpc.handleClientStreamingCall<ArtifactUpload__Output, ArtifactRef>;
  DownloadArtifact: grpc.handleServerStreamingCall<DownloadArtifactRequest__Output, ArtifactChunk>;
  ReportArtifactReplicas: grpc.handleUnaryCall<ArtifactReplicaReport__Output, ArtifactReplicaAck>;
}

/** The mirrors an upload's answer waits for (several schedulers on etcd; none report otherwise). */
export interface ArtifactReplication {
  acks: ReplicaAcks;
  /** Longest an upload's answer waits for the mirrors after the record is committed. */
  timeoutMs: number;
  /** The wait passed with these mirrors still lagging: log and count. */
  onTimeout: (record: ArtifactRecord, lagging: string[]) => void;
}

export function artifactHandlers(
  artifacts: ArtifactStore,
  limits = new StreamLimits(),
  callerOf: ArtifactCallerOf = () => ({ kind: 'anyone' }),
  replication?: ArtifactReplication,
): ArtifactHandlers {
  /** Once the mirrors live now have it (or the bounded wait passed, or the scheduler stops). */
  const replicated = async (r: ArtifactRecord): Promise<void> => {
    if (!replication) return;
    const lagging = await replication.acks.waitFor(r, replication.timeoutMs, artifacts.closing);
    if (lagging.length > 0 && !artifacts.closing.aborted) replication.onTimeout(r, lagging);
  };
  return {
    UploadArtifact(call, callback) {
      const slot = limits.admit('upload', call, callback);
      if (!slot) return;
      let senderSha256 = '';
      // Ends with RESOURCE_EXHAUSTED when the agent goes silent, UNAVAILABLE when the scheduler stops.
      const incoming = readWithIdleTimeout<ArtifactUpload__Output>(call, {
        what: 'upload',
        slot,
        signal: artifacts.closing,
      });
      const run = async (): Promise<ArtifactRef> => {
        const first = await incoming.next();
        const header = first.done ? undefined : first.value.artifact;
        if (!header) throw new InvalidArgumentError('artifact', 'the first message must name the artifact');
        const leading = first.value as ArtifactUpload__Output;
        async function* chunks(): AsyncGenerator<Buffer> {
          let m: ArtifactUpload__Output | undefined = leading;
          while (m) {
            if (m.data.length > ARTIFACT_CHUNK_BYTES) {
              throw new InvalidArgumentError('data', `chunks are at most ${ARTIFACT_CHUNK_BYTES} bytes`);
            }
            if (m.data.length > 0) yield m.data;
            if (m.sha256) senderSha256 = m.sha256;
            const next = await incoming.next();
            m = next.done ? undefined : next.value;
          }
        }
        const r = await artifacts.receive({
          pipelineId: header.pipelineId,
          stepId: header.stepId,
          path: header.path,
          chunks: chunks(),
          senderSha256: () => senderSha256,
          caller: callerOf(call),
        });
        await replicated(r);
        return { pipelineId: r.pipelineId, stepId: r.stepId, path: r.path, sha256: r.sha256, sizeBytes: r.sizeBytes };
      };
      run()
        // Whatever happened, stop reading: a refused upload drops what the agent still sends.
        .finally(() => incoming.return(undefined))
        .then(
          (res) => callback(null, res),
          (err: unknown) => callback(toServiceError(err) as grpc.ServiceError),
        );
    },

    DownloadArtifact(call) {
      const slot = limits.admit('download', call);
      if (!slot) return;
      const { pipelineId, stepId, path } = call.request;
      const out = new BoundedWriter<ArtifactChunk>(call, { what: 'download', slot });
      let stream: ReturnType<ArtifactStore['open']>['stream'];
      try {
        stream = artifacts.open(pipelineId, stepId, path, callerOf(call)).stream;
      } catch (err) {
        out.fail(err);
        return;
      }
      // The file is read only as fast as the agent takes it; the call's end closes it.
      const close = () => stream.destroy();
      out.signal.addEventListener('abort', close, { once: true });
      (async () => {
        for await (const chunk of stream) {
          for (let i = 0; i < (chunk as Buffer).length; i += ARTIFACT_CHUNK_BYTES) {
            const part = (chunk as Buffer).subarray(i, i + ARTIFACT_CHUNK_BYTES);
            await out.write({ data: part }, part.length);
          }
        }
        out.end();
      })()
        .catch((err: unknown) => {
          if (!(err instanceof StreamClosedError)) out.fail(err);
        })
        .finally(() => {
          out.signal.removeEventListener('abort', close);
          stream.destroy();
        });
    },

    ReportArtifactReplicas: unaryHandler((req: ArtifactReplicaReport__Output): ArtifactReplicaAck => {
      if (!replication) throw new InvalidArgumentError('mirror', 'this scheduler keeps no artifact mirrors');
      replication.acks.report(req.mirror, req.artifacts);
      return { liveForMs: replication.acks.liveFor };
    }),
  };
}
