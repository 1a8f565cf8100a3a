// A follower's copy of every pipeline artifact (several schedulers on etcd), so that whichever
// scheduler leads next serves the artifacts uploaded to its predecessor. While this process
// follows, it watches the 'artifact' records in etcd; each one whose file is missing here (or has
// another content) is downloaded from the leader (NodeRegistry.DownloadArtifact, as the scheduler
// identity), checked against the record's size and sha256, written to a `.upload-*` temp file,
// fsynced and renamed into exactly the layout pipelines/artifacts.ts serves from. A deleted record
// (its pipeline retired) removes the file; a (re)list reconciles the whole directory. What it
// stored is reported to the leader (ReportArtifactReplicas), which answers an upload only once its
// live mirrors have it; an empty report every ~10 s keeps this mirror counted as live.
//
// Decisions are mirror-plan.ts's; this file applies them. Crash safety: a file appears under
// files/ only by a rename of a complete, verified, fsynced temp file; temp files left by a crash
// are removed at the next reconcile here, or by ArtifactStore.load() when this process leads.
// Stopped (its downloads aborted and their temp files removed) before this process leads.
import { RegistryClient, type ArtifactReplica, type ClientOptions, type Logger } from '@mo/api';
import { every, after, type Timer } from '@mo/api/timers';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ARTIFACT_TEMP_PREFIX, artifactFile } from '../pipelines/artifacts.js';
import type { EtcdCluster, StoreOp, StoredRecord } from '../store/index.js';
import {
  artifactKey,
  nextFetches,
  planChange,
  planReconcile,
  retryDelayMs,
  toMirrorRecord,
  type LocalCopy,
  type MirrorRecord,
} from './mirror-plan.js';
import { scanArtifactDir, sha256Of } from './mirror-disk.js';
import { REPLICA_LIMITS } from './replica-acks.js';

export interface ArtifactMirrorOptions {
  cluster: Pick<EtcdCluster, 'watchKind'>;
  /** <data dir>/artifacts, as the ArtifactStore of this process uses it when it leads. */
  dir: string;
  /** This scheduler's advertised gRPC address: its name in reports. */
  self: string;
  /** The leader's gRPC address now; undefined while none (or while it is this process). */
  leader: () => string | undefined;
  /** How to dial the leader: the scheduler's own certificate (clientTls), or insecure. */
  credentials: Pick<ClientOptions, 'tls' | 'insecure'>;
  logger: Logger;
  /** Downloads at once (default 4). */
  concurrency?: number;
  /** An empty report at least this often (default 10 s). */
  reportEveryMs?: number;
  /** How often the leader's address is looked at (default 1 s). */
  tickMs?: number;
  /** One download's deadline (default 10 min; a stalled one is cut by the leader sooner). */
  downloadDeadlineMs?: number;
}

/** Reports not yet acknowledged, at most (the oldest are dropped: the leader's waits time out). */
const MAX_PENDING_REPORTS = 10_000;
const REPORT_RETRY_MS = 1000;

export class ArtifactMirror {
  private run: MirrorRun | undefined;

  constructor(private readonly o: ArtifactMirrorOptions) {}

  /** Starts watching and copying (idempotent). */
  start(): void {
    this.run ??= new MirrorRun(this.o);
  }

  /** Stops: the watch ends, downloads are aborted and their temp files removed (idempotent). */
  async stop(): Promise<void> {
    const run = this.run;
    this.run = undefined;
    await run?.stop();
  }
}

/** One stretch of following: its own state, dropped whole by stop(). */
class MirrorRun {
  private readonly records = new Map<string, MirrorRecord>();
  /** Content this run wrote or hashed, by key: a copy of that size is taken to be it. */
  private readonly verified = new Map<string, { sha256: string; sizeBytes: number }>();
  private readonly queue = new Set<string>();
  private readonly active = new Map<string, { abort: AbortController; done: Promise<void>; tmp?: string }>();
  private readonly failures = new Map<string, number>();
  private readonly notBefore = new Map<string, number>();
  private readonly pending = new Map<string, ArtifactReplica>();
  private readonly stopping = new AbortController();
  /** Resets and changes, applied one at a time in the order etcd gave them. */
  private serial: Promise<void> = Promise.resolve();
  private client: RegistryClient | undefined;
  private reportedTo: string | undefined;
  private reporting = false;
  private reportEveryMs: number;
  private lastReportMs = 0;
  private wake: Timer | undefined;
  private readonly tick: Timer;
  private readonly cancelWatch: () => void;

  constructor(private readonly o: ArtifactMirrorOptions) {
    this.reportEveryMs = o.reportEveryMs ?? 10_000;
    this.cancelWatch = o.cluster.watchKind('artifact', {
      onReset: (records) => this.enqueue(() => this.reset(records)),
      onChange: (op) => this.enqueue(() => this.change(op)),
    });
    this.tick = every(o.tickMs ?? 1000, () => this.onTick());
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.cancelWatch();
    this.tick.cancel();
    this.wake?.cancel();
    for (const a of this.active.values()) a.abort.abort();
    await this.serial;
    await Promise.allSettled([...this.active.values()].map((a) => a.done));
    this.client?.close();
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private enqueue(fn: () => Promise<void>): void {
    this.serial = this.serial
      .then(() => (this.stopped ? undefined : fn()))
      .catch((err: unknown) => this.o.logger.warn('artifact mirror: could not apply a change', { err }));
  }

  /** A (re)list: everything recorded against everything on disk. */
  private async reset(stored: StoredRecord[]): Promise<void> {
    this.records.clear();
    for (const { id, value } of stored) {
      const r = toMirrorRecord(value);
      if (r && artifactKey(r) === id) this.records.set(id, r);
    }
    for (const key of this.queue) if (!this.records.has(key)) this.queue.delete(key);
    const scan = await this.scan();
    let plan = planReconcile(this.records, scan.copies, scan.pipelines);
    for (const key of plan.hash) {
      if (this.stopped) return; // leading now: hashing a large directory must not delay it
      const r = this.records.get(key)!;
      this.verified.set(key, { sha256: await sha256Of(this.fileOf(key)), sizeBytes: r.sizeBytes });
    }
    if (plan.hash.length > 0) plan = planReconcile(this.records, (await this.scan()).copies, scan.pipelines);
    for (const p of plan.removePipelines) await rm(join(this.o.dir, p), { recursive: true, force: true });
    for (const key of plan.remove) await this.removeCopy(key);
    const busy = new Set([...this.active.values()].map((a) => a.tmp));
    for (const t of scan.temps) if (!busy.has(t)) await rm(t, { force: true });
    const fetch = new Set(plan.fetch);
    for (const [key, r] of this.records) if (!fetch.has(key)) this.stored(r);
    for (const key of plan.fetch) this.queue.add(key);
    this.o.logger.info('artifact mirror: reconciled', {
      artifacts: this.records.size,
      toFetch: plan.fetch.length,
      removed: plan.remove.length + plan.removePipelines.length,
    });
    this.pump();
  }

  private async change(op: StoreOp): Promise<void> {
    const record = op.value === null ? undefined : toMirrorRecord(op.value);
    if (record && artifactKey(record) !== op.id) return;
    if (record) this.records.set(op.id, record);
    else this.records.delete(op.id);
    let decision = planChange(op.id, record, await this.copyOf(op.id), this.records);
    if (decision.kind === 'hash') {
      this.verified.set(op.id, { sha256: await sha256Of(this.fileOf(op.id)), sizeBytes: record!.sizeBytes });
      decision = planChange(op.id, record, await this.copyOf(op.id), this.records);
    }
    if (decision.kind === 'keep') this.stored(record!);
    else if (decision.kind === 'fetch') {
      this.queue.add(op.id);
      this.pump();
    } else if (decision.kind === 'remove') {
      this.queue.delete(op.id);
      this.active.get(op.id)?.abort.abort();
      await this.removeCopy(op.id);
      if (decision.pipelineId) await rm(join(this.o.dir, decision.pipelineId), { recursive: true, force: true });
    }
  }

  /** Starts what may start now, and arms a wake-up for the rest. */
  private pump(): void {
    if (this.stopped) return;
    const leader = this.o.leader();
    if (!leader) return; // the tick pumps again once one is known
    const waiting = [...this.queue].filter((k) => !this.active.has(k));
    const slots = (this.o.concurrency ?? 4) - this.active.size;
    const { start, wakeAtMs } = nextFetches(waiting, this.notBefore, slots, Date.now());
    for (const key of start) this.fetch(key, leader);
    this.wake?.cancel();
    this.wake = undefined;
    if (wakeAtMs !== undefined) {
      this.wake = after(wakeAtMs - Date.now(), () => {
        this.wake = undefined;
        this.pump();
      });
    }
  }

  private fetch(key: string, leader: string): void {
    const record = this.records.get(key);
    if (!record) {
      this.queue.delete(key);
      return;
    }
    const abort = new AbortController();
    const entry: { abort: AbortController; done: Promise<void>; tmp?: string } = { abort, done: Promise.resolve() };
    entry.done = this.download(record, leader, abort.signal, (tmp) => (entry.tmp = tmp)).then(
      (sha256) => {
        this.failures.delete(key);
        this.notBefore.delete(key);
        return this.settle(key, sha256);
      },
      (err: unknown) => {
        if (abort.signal.aborted) return;
        const n = (this.failures.get(key) ?? 0) + 1;
        this.failures.set(key, n);
        this.notBefore.set(key, Date.now() + retryDelayMs(n));
        if (n === 1 || n % 10 === 0) {
          this.o.logger.warn('artifact mirror: could not copy an artifact; retrying', {
            artifact: key,
            leader,
            failures: n,
            error: (err as Error).message,
          });
        }
      },
    );
    this.active.set(key, entry);
    void entry.done.finally(() => {
      this.active.delete(key);
      this.pump();
    });
  }

  /** Downloads one artifact to a temp file, verifies it and renames it into place; its sha256. */
  private async download(
    r: MirrorRecord,
    leader: string,
    signal: AbortSignal,
    onTemp: (tmp: string) => void,
  ): Promise<string> {
    const target = artifactFile(this.o.dir, r.pipelineId, r.stepId, r.path);
    await mkdir(dirname(target), { recursive: true });
    const tmp = join(this.o.dir, r.pipelineId, r.stepId, `${ARTIFACT_TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
    onTemp(tmp);
    const fh = await open(tmp, 'wx', 0o600);
    try {
      const hash = createHash('sha256');
      let size = 0;
      const chunks = this.clientFor(leader).downloadArtifact(
        { pipelineId: r.pipelineId, stepId: r.stepId, path: r.path },
        this.o.downloadDeadlineMs ?? 600_000,
        signal,
      );
      for await (const { data } of chunks) {
        size += data.length;
        if (size > r.sizeBytes) throw new Error(`the leader sent more than the recorded ${r.sizeBytes} bytes`);
        hash.update(data);
        await fh.write(data);
      }
      const sha256 = hash.digest('hex');
      if (size !== r.sizeBytes || sha256 !== r.sha256) {
        throw new Error(`received ${size} bytes, sha256 ${sha256}; the record says ${r.sizeBytes} bytes, ${r.sha256}`);
      }
      if (signal.aborted) throw new Error('stopped');
      await fh.sync();
      await fh.close();
      await rename(tmp, target);
      return sha256;
    } catch (err) {
      await fh.close().catch(() => undefined);
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** After a download: the record may have changed or gone meanwhile. */
  private async settle(key: string, sha256: string): Promise<void> {
    const now = this.records.get(key);
    if (!now) {
      await this.removeCopy(key);
      if (![...this.records.keys()].some((k) => k.startsWith(`${key.split('/')[0]}/`))) {
        await rm(join(this.o.dir, key.split('/')[0]!), { recursive: true, force: true });
      }
      return;
    }
    if (now.sha256 !== sha256) return; // replaced while it came: still queued, fetched again
    this.queue.delete(key);
    this.verified.set(key, { sha256, sizeBytes: now.sizeBytes });
    this.stored(now);
  }

  /** Remembers a stored artifact for the next report, and sends one soon. */
  private stored(r: MirrorRecord): void {
    const token = `${artifactKey(r)}@${r.sha256}`;
    this.pending.delete(token);
    this.pending.set(token, { pipelineId: r.pipelineId, stepId: r.stepId, path: r.path, sha256: r.sha256 });
    if (this.pending.size > MAX_PENDING_REPORTS) this.pending.delete(this.pending.keys().next().value!);
    this.report();
  }

  private onTick(): void {
    const leader = this.o.leader();
    const due = Date.now() - this.lastReportMs >= this.reportEveryMs;
    if (leader && (leader !== this.reportedTo || due)) this.report();
    if (leader && this.queue.size > this.active.size && !this.wake) this.pump();
  }

  /** Sends what is pending (or an empty report: a heartbeat), one report at a time. */
  private report(): void {
    const leader = this.o.leader();
    if (this.reporting || this.stopped || !leader) return;
    this.reporting = true;
    const batch = [...this.pending].slice(0, REPLICA_LIMITS.maxPerReport);
    this.clientFor(leader)
      .reportArtifactReplicas({ mirror: this.o.self, artifacts: batch.map(([, a]) => a) })
      .then(
        (ack) => {
          if (this.reportedTo !== leader) this.o.logger.info('artifact mirror: reporting to the leader', { leader });
          this.reportedTo = leader;
          this.lastReportMs = Date.now();
          for (const [token] of batch) this.pending.delete(token);
          // The leader counts this mirror live for ack.liveForMs: report well within it.
          if (ack.liveForMs > 0) this.reportEveryMs = Math.min(this.o.reportEveryMs ?? 10_000, ack.liveForMs / 3);
          this.reporting = false;
          if (this.pending.size > 0) this.report();
        },
        (err: unknown) => {
          this.o.logger.debug('artifact mirror: report failed', { leader, error: (err as Error).message });
          after(REPORT_RETRY_MS, () => {
            this.reporting = false;
            if (this.pending.size > 0) this.report();
          });
        },
      );
  }

  private clientFor(leader: string): RegistryClient {
    if (this.client?.address !== leader) {
      this.client?.close();
      this.client = new RegistryClient(leader, { ...this.o.credentials, deadlineMs: 5000 });
    }
    return this.client;
  }

  private fileOf(key: string): string {
    const [p, s, ...rest] = key.split('/');
    return artifactFile(this.o.dir, p!, s!, rest.join('/'));
  }

  private async copyOf(key: string): Promise<LocalCopy | undefined> {
    const st = await stat(this.fileOf(key)).catch(() => undefined);
    if (!st?.isFile()) return undefined;
    const v = this.verified.get(key);
    const sha256 = v && v.sizeBytes === st.size ? { sha256: v.sha256 } : {};
    return { key, pipelineId: key.split('/')[0]!, sizeBytes: st.size, ...sha256 };
  }

  private async removeCopy(key: string): Promise<void> {
    this.verified.delete(key);
    await rm(this.fileOf(key), { force: true });
  }

  /** What is on disk, with the digests this run knows. */
  private async scan(): Promise<{ copies: LocalCopy[]; pipelines: string[]; temps: string[] }> {
    const { files, pipelines, temps } = await scanArtifactDir(this.o.dir);
    const copies = files.map((f): LocalCopy => {
      const v = this.verified.get(f.key);
      return v && v.sizeBytes === f.sizeBytes ? { ...f, sha256: v.sha256 } : f;
    });
    return { copies, pipelines, temps };
  }
}
