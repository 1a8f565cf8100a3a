// NodeRegistry.UploadArtifact / DownloadArtifact: agents move pipeline artifacts through the
// scheduler's ArtifactStore (pipelines/artifacts.ts). Part of the agent-facing service, so the same
// identity that may heartbeat may upload.
import * as grpc from '@grpc/grpc-js';
import {
  ARTIFACT_CHUNK_BYTES,
  InvalidArgumentError,
  toServiceError,
  type ArtifactChunk,
  type ArtifactRef,
  type ArtifactUpload__Output,
  type DownloadArtifactRequest__Output,
} from '@mo/api';
import type { ArtifactStore } from '../pipelines/artifacts.js';

export interface ArtifactHandlers {
  UploadArtifact: grpc.handleClientStreamingCall<ArtifactUpload__Output, ArtifactRef>;
  DownloadArtifact: grpc.handleServerStreamingCall<DownloadArtifactRequest__Output, ArtifactChunk>;
}

export function artifactHandlers(artifacts: ArtifactStore): ArtifactHandlers {
  return {
    UploadArtifact(call, callback) {
      let senderSha256 = '';
      const messages = call[Symbol.asyncIterator]() as AsyncIterator<ArtifactUpload__Output>;
      const run = async (): Promise<ArtifactRef> => {
        const first = await messages.next();
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
            const next = await messages.next();
            m = next.done ? undefined : next.value;
          }
        }
        const r = await artifacts.receive({
          pipelineId: header.pipelineId,
          stepId: header.stepId,
          path: header.path,
          chunks: chunks(),
          senderSha256: () => senderSha256,
        });
        return { pipelineId: r.pipelineId, stepId: r.stepId, path: r.path, sha256: r.sha256, sizeBytes: r.sizeBytes };
      };
      run().then(
        (res) => callback(null, res),
        (err: unknown) => callback(toServiceError(err) as grpc.ServiceError),
      );
    },

    DownloadArtifact(call) {
      const { pipelineId, stepId, path } = call.request;
      let stream: ReturnType<ArtifactStore['open']>['stream'];
      try {
        stream = artifacts.open(pipelineId, stepId, path).stream;
      } catch (err) {
        call.emit('error', toServiceError(err));
        return;
      }
      call.on('cancelled', () => stream.destroy());
      (async () => {
        for await (const chunk of stream) {
          for (let i = 0; i < (chunk as Buffer).length; i += ARTIFACT_CHUNK_BYTES) {
            const part = (chunk as Buffer).subarray(i, i + ARTIFACT_CHUNK_BYTES);
            if (!call.write({ data: part })) await new Promise((r) => call.once('drain', r));
          }
        }
        call.end();
      })().catch((err: unknown) => {
        if (!call.cancelled) call.emit('error', toServiceError(err));
      });
    },
  };
}
