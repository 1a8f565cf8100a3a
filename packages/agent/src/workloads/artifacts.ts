// Pipeline artifacts on the agent: the inputs a step needs are fetched from the scheduler's
// artifact store into its working dir before it starts; the artifacts it declares are uploaded
// after it exits 0 (and only then is it reported succeeded). Every path is confined to the working
// dir: relative, no `..` (validated), and resolved with realpath so a symlink cannot lead out.
// The agent reads and writes as root in a dir its workload's user may own: inputs are written
// before that dir is handed to the user (the task dir hook, hooks/task-dir.ts), and an upload reads only files
// that user owns (checked on the open file), so no link or rename race reaches anyone else's.
// The scheduler may vanish mid-transfer (killed, partitioned): every call's failure rejects the
// transfer's promise, which the WorkloadRunner turns into a failed step; nothing is left unhandled.
import {
  ARTIFACT_CHUNK_BYTES,
  FailedPreconditionError,
  RegistryClient,
  ResourceExhaustedError,
  type ArtifactSettings,
  type ClientOptions,
  type ArtifactUpload,
} from '@mo/api';
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, realpath, rename, rm } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { SchedulerAddresses } from '../reporter/leader.js';

export { validateArtifactSpec, type ArtifactRefSettings, type ArtifactSettings } from '@mo/api';

/** What the artifacts hook needs: narrow, so tests can fake the scheduler. */
export interface ArtifactTransfer {
  fetchInputs(a: ArtifactSettings, workDir: string): Promise<void>;
  /**
   * Uploads every declared artifact; resolves with the bytes sent. ownerUid: each must be a file
   * of that user (the workload's), else the upload fails naming it; undefined: any owner.
   */
  upload(a: ArtifactSettings, workDir: string, ownerUid?: number): Promise<number>;
}

/** Resolves `rel` under `root` (a realpath) and refuses anything that leads outside it. */
async function confined(root: string, rel: string, what: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(join(root, rel));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FailedPreconditionError(
      code === 'ENOENT' ? `${what} ${rel} does not exist` : `${what} ${rel}: ${(err as Error).message}`,
    );
  }
  if (real !== root && !real.startsWith(root + sep)) {
    throw new FailedPreconditionError(`${what} ${rel} resolves outside the working dir (a symlink to ${real})`);
  }
  return real;
}

function notOwned(path: string, uid: number, ownerUid: number): FailedPreconditionError {
  return new FailedPreconditionError(
    `artifact ${path} belongs to uid ${uid}, not to the workload's user (uid ${ownerUid})`,
  );
}

const UPLOAD_DEADLINE_MS = 10 * 60_000;

/** Moves artifacts through the scheduler's NodeRegistry service. */
export class SchedulerArtifacts implements ArtifactTransfer {
  /** Clients of the transfers under way, closed by close(). */
  private readonly open = new Set<RegistryClient>();

  private readonly schedulers: SchedulerAddresses;

  /** `schedulers`: one address, or the agent's schedulers (transfers go to the known leader). */
  constructor(
    schedulers: string | SchedulerAddresses,
    private readonly credentials: Pick<ClientOptions, 'tls' | 'insecure'>,
  ) {
    this.schedulers = typeof schedulers === 'string' ? new SchedulerAddresses(schedulers) : schedulers;
  }

  /**
   * A fresh client (its own connection) per transfer: a long-lived channel may still be backing
   * off from an outage (grpc-js then fails calls at once without dialing), so a step that finishes
   * just after the scheduler came back would fail for nothing. A dial costs one round trip,
   * nothing next to moving the artifact.
   */
  private async withClient<T>(fn: (client: RegistryClient) => Promise<T>): Promise<T> {
    // The known leader first: a download refused by a follower is opened again on the leader it
    // names (the client follows); an upload refused so fails (its step with it), and the next
    // transfer goes to the leader named.
    const client = new RegistryClient(this.schedulers.order(), this.credentials);
    this.open.add(client);
    try {
      return await fn(client);
    } catch (err) {
      this.schedulers.failed(err, client.address);
      throw err;
    } finally {
      this.open.delete(client);
      client.close();
    }
  }

  fetchInputs(a: ArtifactSettings, workDir: string): Promise<void> {
    return this.withClient((client) => this.fetchWith(client, a, workDir));
  }

  private async fetchWith(client: RegistryClient, a: ArtifactSettings, workDir: string): Promise<void> {
    await mkdir(workDir, { recursive: true });
    const root = await realpath(workDir);
    for (const ref of a.inputs) {
      const target = join(root, ref.path);
      await mkdir(dirname(target), { recursive: true });
      // The parent must still be inside the working dir once resolved (a user-given working dir
      // may hold symlinks); the file itself is replaced by rename, never written through a link.
      const parent = await confined(root, dirname(ref.path) === '.' ? '.' : dirname(ref.path), 'input');
      const tmp = join(parent, `.mo-input-${randomBytes(6).toString('hex')}`);
      const hash = createHash('sha256');
      const fh = await open(
        tmp,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        0o644,
      );
      let size = 0;
      try {
        const chunks = client.downloadArtifact(
          { pipelineId: ref.pipelineId, stepId: ref.stepId, path: ref.path },
          UPLOAD_DEADLINE_MS,
        );
        for await (const { data } of chunks) {
          size += data.length;
          if (size > ref.sizeBytes) throw new Error(`more than the ${ref.sizeBytes} bytes expected`);
          hash.update(data);
          await fh.write(data);
        }
        await fh.close();
        const got = hash.digest('hex');
        if (got !== ref.sha256) throw new Error(`sha256 mismatch: expected ${ref.sha256}, got ${got}`);
        await rename(tmp, join(parent, ref.path.split('/').at(-1)!));
      } catch (err) {
        await fh.close().catch(() => undefined);
        await rm(tmp, { force: true });
        throw new Error(`could not fetch input ${ref.stepId}/${ref.path}: ${(err as Error).message}`, { cause: err });
      }
    }
  }

  async upload(a: ArtifactSettings, workDir: string, ownerUid?: number): Promise<number> {
    const root = await realpath(workDir);
    // Everything is checked before anything is sent: a refusal names the first bad artifact.
    const files: Array<{ path: string; real: string; size: number }> = [];
    let total = 0;
    for (const path of a.upload) {
      const real = await confined(root, path, 'artifact');
      const st = await lstat(real);
      if (!st.isFile()) throw new FailedPreconditionError(`artifact ${path} is not a regular file`);
      if (ownerUid !== undefined && st.uid !== ownerUid) throw notOwned(path, st.uid, ownerUid);
      total += st.size;
      files.push({ path, real, size: st.size });
    }
    if (total > a.maxBytes) {
      const sizes = files.map((f) => `${f.path} ${f.size}`).join(', ');
      throw new ResourceExhaustedError(
        `artifacts total ${total} bytes (${sizes}), over the limit of ${a.maxBytes} bytes`,
      );
    }
    await this.withClient(async (client) => {
      for (const f of files) await this.uploadOne(client, a, f.path, f.real, a.maxBytes, ownerUid);
    });
    return total;
  }

  private async uploadOne(
    client: RegistryClient,
    a: ArtifactSettings,
    path: string,
    real: string,
    maxBytes: number,
    ownerUid: number | undefined,
  ): Promise<void> {
    const fh = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      // On the open file: what was checked by path above may have been swapped since.
      const st = await fh.stat();
      if (!st.isFile()) throw new FailedPreconditionError(`artifact ${path} is not a regular file`);
      if (ownerUid !== undefined && st.uid !== ownerUid) throw notOwned(path, st.uid, ownerUid);
      const hash = createHash('sha256');
      async function* messages(): AsyncGenerator<ArtifactUpload> {
        yield { artifact: { pipelineId: a.pipelineId, stepId: a.stepId, path } };
        const buf = Buffer.alloc(ARTIFACT_CHUNK_BYTES);
        let sent = 0;
        for (;;) {
          const { bytesRead } = await fh.read(buf, 0, buf.length, null);
          if (bytesRead === 0) break;
          sent += bytesRead;
          // The file may have grown since it was measured.
          if (sent > maxBytes) throw new ResourceExhaustedError(`artifact ${path} grew past ${maxBytes} bytes`);
          const chunk = Buffer.from(buf.subarray(0, bytesRead));
          hash.update(chunk);
          yield { data: chunk };
        }
        yield { sha256: hash.digest('hex') };
      }
      await client.uploadArtifact(messages(), UPLOAD_DEADLINE_MS);
    } finally {
      await fh.close();
    }
  }

  /** Ends the transfers under way (they fail, and so do their steps). */
  close(): void {
    for (const client of this.open) client.close();
  }
}
