// The scheduler's artifact store: files that pipeline steps produce, uploaded by the agent that ran
// the step and downloaded by the agents of the steps that declare them as `inputs`. Content lives
// on disk under <data dir>/artifacts/<pipeline>/<step>/<path>; each artifact's record (sha256,
// size) is in the store (kind 'artifact') once the file is complete, so the record is the truth
// and a half-written file is never served. An upload is written to a temp file `.upload-*` beside
// its step's files, removed on every path that does not end in the rename: refusal, size limit,
// digest mismatch, a silent or vanished sender, close(); those of a crashed run at load().
//
// Several schedulers on etcd: the followers' artifact mirrors (ha/artifact-mirror.ts) keep a copy
// of every artifact in exactly this layout (artifactFile), so the next leader serves them. A
// record whose file is not here (a failover before it was replicated) is answered UNAVAILABLE.
//
// Who may move what is decided in artifact-access.ts. An upload belongs to its step's current
// attempt: it is authorized again just before it is stored, so one that outlives the attempt (the
// step ended, or moved to a retry) is refused; an attempt cannot replace what it stored (a retry
// of the same bytes is answered with the stored record). The step's quota counts the bytes of
// uploads under way as they arrive, so concurrent uploads cannot pass it together.
import {
  FailedPreconditionError,
  ID_RE,
  InvalidArgumentError,
  MoError,
  NotFoundError,
  ResourceExhaustedError,
  UnavailableError,
  validateArtifactPath,
} from '@mo/api';
import * as grpc from '@grpc/grpc-js';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, statSync, type ReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Store } from '../store/store.js';
import { STEP_ID_RE } from './spec.js';
import type { ArtifactCaller } from './artifact-access.js';

export interface ArtifactRecord {
  pipelineId: string;
  stepId: string;
  path: string;
  sha256: string;
  sizeBytes: number;
  storedAtMs: number;
  /** The allocation (the run of the step's attempt) that uploaded it; absent in older records. */
  allocationId?: string;
}

export interface ArtifactStoreOptions {
  /** <data dir>/artifacts */
  dir: string;
  store: Store;
  /** Most bytes one step's artifacts may total. */
  maxBytesPerStep: number;
  /**
   * Throws unless `caller` may upload this path for the step now (pipelines/artifact-access.ts);
   * returns the allocation (the run of the step's attempt) the upload belongs to.
   */
  authorize: (pipelineId: string, stepId: string, path: string, caller: ArtifactCaller) => string;
  /** Throws unless `caller` may download the step's artifacts now. */
  authorizeDownload: (pipelineId: string, stepId: string, caller: ArtifactCaller) => void;
}

/** One upload: the header, then data chunks, then the sender's sha256. */
export interface IncomingArtifact {
  pipelineId: string;
  stepId: string;
  path: string;
  chunks: AsyncIterable<Buffer>;
  /** The sender's digest, known once `chunks` is exhausted. */
  senderSha256: () => string;
  caller: ArtifactCaller;
}

/** Temp files of transfers under way (uploads here, a mirror's downloads): removed at load(). */
export const ARTIFACT_TEMP_PREFIX = '.upload-';
const TEMP_PREFIX = ARTIFACT_TEMP_PREFIX;

/** Where an artifact's content lives under `dir` (<data dir>/artifacts): <pipeline>/<step>/files/<path>. */
export function artifactFile(dir: string, pipelineId: string, stepId: string, path: string): string {
  return join(dir, pipelineId, stepId, 'files', path);
}

export class ArtifactStore {
  private readonly records = new Map<string, ArtifactRecord>();
  private readonly stopping = new AbortController();
  /** Uploads under way, awaited by close() so their temp files are gone when it resolves. */
  private readonly receiving = new Set<Promise<unknown>>();
  /** Bytes received so far by the uploads under way, per `pipeline/step`. */
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly o: ArtifactStoreOptions) {}

  /** Aborted by close(): uploads under way end with UNAVAILABLE (server/artifact-handlers.ts). */
  get closing(): AbortSignal {
    return this.stopping.signal;
  }

  get maxBytesPerStep(): number {
    return this.o.maxBytesPerStep;
  }

  /** Loads the records and removes the temp files of uploads a previous run did not finish. */
  async load(): Promise<{ artifacts: number; staleTempFiles: number }> {
    const rows = await this.o.store.load('artifact');
    for (const { id, value } of rows) this.records.set(id, value as ArtifactRecord);
    return { artifacts: rows.length, staleTempFiles: await this.removeTempFiles() };
  }

  /** Ends the uploads under way (their temp files removed) and refuses new ones; idempotent. */
  async close(): Promise<void> {
    this.stopping.abort(new UnavailableError('', 'the scheduler is shutting down; upload again'));
    await Promise.allSettled([...this.receiving]);
  }

  private async removeTempFiles(): Promise<number> {
    let removed = 0;
    const dirs = async (path: string) =>
      (await readdir(path, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory());
    for (const p of await dirs(this.o.dir)) {
      for (const step of await dirs(join(this.o.dir, p.name))) {
        const stepDir = join(this.o.dir, p.name, step.name);
        for (const e of await readdir(stepDir).catch(() => [])) {
          if (!e.startsWith(TEMP_PREFIX)) continue;
          await rm(join(stepDir, e), { force: true });
          removed++;
        }
      }
    }
    return removed;
  }

  /** The stored artifacts of one step, by path. */
  list(pipelineId: string, stepId: string): ArtifactRecord[] {
    const prefix = `${pipelineId}/${stepId}/`;
    return [...this.records.entries()].filter(([k]) => k.startsWith(prefix)).map(([, v]) => v);
  }

  get(pipelineId: string, stepId: string, path: string): ArtifactRecord {
    this.checkIds(pipelineId, stepId, path);
    const r = this.records.get(key(pipelineId, stepId, path));
    if (!r) throw new NotFoundError('path', `artifact of ${pipelineId}/${stepId}`, path);
    return r;
  }

  /** The content of a stored artifact, for a caller that may download it. */
  open(
    pipelineId: string,
    stepId: string,
    path: string,
    caller: ArtifactCaller,
  ): { record: ArtifactRecord; stream: ReadStream } {
    this.checkIds(pipelineId, stepId, path);
    this.o.authorizeDownload(pipelineId, stepId, caller);
    const record = this.get(pipelineId, stepId, path);
    const file = this.fileOf(pipelineId, stepId, path);
    // Recorded but not here (or not whole): this scheduler took over before it was replicated.
    let size: number | undefined;
    try {
      size = statSync(file).size;
    } catch {
      size = undefined;
    }
    if (size !== record.sizeBytes) {
      throw new UnavailableError(
        '',
        `artifact ${path} of ${pipelineId}/${stepId} is recorded but was not replicated to this scheduler ` +
          `(${size === undefined ? 'no file' : `${size} of ${record.sizeBytes} bytes`}): run the step that produced it again`,
      );
    }
    return { record, stream: createReadStream(file) };
  }

  /**
   * Receives one artifact: streamed to a temp file while hashed and size-checked, compared with
   * the sender's digest, then renamed into place and recorded durably.
   */
  receive(a: IncomingArtifact): Promise<ArtifactRecord> {
    const p = this.receiveOne(a);
    this.receiving.add(p);
    void p.catch(() => undefined).finally(() => this.receiving.delete(p));
    return p;
  }

  private async receiveOne(a: IncomingArtifact): Promise<ArtifactRecord> {
    if (this.stopping.signal.aborted) throw this.stopping.signal.reason;
    this.checkIds(a.pipelineId, a.stepId, a.path);
    const attempt = this.o.authorize(a.pipelineId, a.stepId, a.path, a.caller);
    const k = key(a.pipelineId, a.stepId, a.path);
    const stepKey = `${a.pipelineId}/${a.stepId}`;
    const target = this.fileOf(a.pipelineId, a.stepId, a.path);
    const stepDir = join(this.o.dir, a.pipelineId, a.stepId);
    await mkdir(dirname(target), { recursive: true });
    const tmp = join(stepDir, `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    const fh = await open(tmp, 'wx', 0o600);
    try {
      for await (const chunk of a.chunks) {
        size += chunk.length;
        this.inFlight.set(stepKey, (this.inFlight.get(stepKey) ?? 0) + chunk.length);
        // What is stored (but what this upload replaces) plus everything arriving for the step.
        const stored = this.list(a.pipelineId, a.stepId)
          .filter((r) => r.path !== a.path)
          .reduce((n, r) => n + r.sizeBytes, 0);
        if (stored + this.inFlight.get(stepKey)! > this.o.maxBytesPerStep) {
          throw new ResourceExhaustedError(
            `artifact ${a.path} of step ${a.stepId}: the step's artifacts exceed the limit of ${this.o.maxBytesPerStep} bytes`,
          );
        }
        hash.update(chunk);
        await fh.write(chunk);
      }
      const sha256 = hash.digest('hex');
      if (a.senderSha256() !== sha256) {
        throw new InvalidArgumentError(
          'sha256',
          `artifact ${a.path}: received content has sha256 ${sha256}, the sender computed ${a.senderSha256() || '(none)'}`,
        );
      }
      // The step may have ended (or moved to another attempt) while the bytes arrived.
      if (this.o.authorize(a.pipelineId, a.stepId, a.path, a.caller) !== attempt) {
        throw new FailedPreconditionError(`step ${a.stepId} moved to another attempt while the upload was under way`);
      }
      const had = this.records.get(k);
      if (had && had.allocationId === attempt) {
        if (had.sha256 === sha256) {
          // A retry of what is stored (its answer was lost): the same answer again.
          await fh.close();
          await rm(tmp, { force: true });
          return had;
        }
        throw new MoError(
          grpc.status.ALREADY_EXISTS,
          `artifact ${a.path} of step ${a.stepId} is already stored for this attempt (sha256 ${had.sha256}); artifacts are immutable`,
        );
      }
      await fh.sync();
      await fh.close();
      await rename(tmp, target);
      const record: ArtifactRecord = {
        pipelineId: a.pipelineId,
        stepId: a.stepId,
        path: a.path,
        sha256,
        sizeBytes: size,
        storedAtMs: Date.now(),
        allocationId: attempt,
      };
      try {
        await this.o.store.commit([{ kind: 'artifact', id: k, value: record }]);
      } catch (err) {
        throw new MoError(grpc.status.UNAVAILABLE, `could not record the artifact: ${(err as Error).message}`, {
          cause: err,
        });
      }
      this.records.set(k, record);
      return record;
    } catch (err) {
      await fh.close().catch(() => undefined);
      await rm(tmp, { force: true });
      throw err;
    } finally {
      const left = (this.inFlight.get(stepKey) ?? 0) - size;
      if (left > 0) this.inFlight.set(stepKey, left);
      else this.inFlight.delete(stepKey);
    }
  }

  /** Forgets a pipeline's artifacts (when the pipeline itself is dropped). */
  async removePipeline(pipelineId: string): Promise<void> {
    const prefix = `${pipelineId}/`;
    const keys = [...this.records.keys()].filter((k) => k.startsWith(prefix));
    for (const k of keys) this.records.delete(k);
    if (keys.length > 0) await this.o.store.commit(keys.map((id) => ({ kind: 'artifact', id, value: null })));
    if (ID_RE.test(pipelineId)) await rm(join(this.o.dir, pipelineId), { recursive: true, force: true });
  }

  private checkIds(pipelineId: string, stepId: string, path: string): void {
    if (!ID_RE.test(pipelineId)) throw new InvalidArgumentError('pipeline_id', 'is not a pipeline id');
    if (!STEP_ID_RE.test(stepId)) throw new InvalidArgumentError('step_id', 'is not a step id');
    validateArtifactPath('path', path);
  }

  private fileOf(pipelineId: string, stepId: string, path: string): string {
    // Confined by construction: the ids match strict patterns and the path has no `..`.
    return artifactFile(this.o.dir, pipelineId, stepId, path);
  }
}

function key(pipelineId: string, stepId: string, path: string): string {
  return `${pipelineId}/${stepId}/${path}`;
}
