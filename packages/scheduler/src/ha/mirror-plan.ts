// What a follower's artifact mirror (artifact-mirror.ts) should do, decided from the artifact
// records etcd holds and the copies on its disk, with no I/O: fetch what is missing or differs,
// hash what has the right size but an unknown digest (then plan again), remove what no record
// names, and how long to wait before fetching again after a failure. The mirror only applies it.

/** An artifact record as the mirror needs it (pipelines/artifacts.ts ArtifactRecord). */
export interface MirrorRecord {
  pipelineId: string;
  stepId: string;
  path: string;
  sha256: string;
  sizeBytes: number;
}

/** A file found under <data dir>/artifacts/<pipeline>/<step>/files/. */
export interface LocalCopy {
  key: string;
  pipelineId: string;
  sizeBytes: number;
  /** Known once hashed (or written by the mirror itself). */
  sha256?: string;
}

export interface ReconcilePlan {
  /** Keys to download: no copy, or one of another size or digest. */
  fetch: string[];
  /** Keys whose copy has the record's size but no known digest: hash, then plan again. */
  hash: string[];
  /** Keys of copies no record names (their pipeline still has records). */
  remove: string[];
  /** Pipelines on disk with no record at all: their whole directory goes. */
  removePipelines: string[];
}

/** `<pipeline>/<step>/<path>`: the record's id in the store (kind 'artifact'). */
export function artifactKey(r: Pick<MirrorRecord, 'pipelineId' | 'stepId' | 'path'>): string {
  return `${r.pipelineId}/${r.stepId}/${r.path}`;
}

/** Reads a stored value as a record; undefined for anything else (a mirror never trusts shapes). */
export function toMirrorRecord(value: unknown): MirrorRecord | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  const strings = ['pipelineId', 'stepId', 'path', 'sha256'].every((k) => typeof v[k] === 'string' && v[k] !== '');
  if (!strings || !Number.isSafeInteger(v.sizeBytes) || (v.sizeBytes as number) < 0) return undefined;
  return {
    pipelineId: v.pipelineId as string,
    stepId: v.stepId as string,
    path: v.path as string,
    sha256: v.sha256 as string,
    sizeBytes: v.sizeBytes as number,
  };
}

/** Whether a local copy is the record's content, as far as is known: yes, no, or hash it. */
export function copyMatches(record: MirrorRecord, copy: LocalCopy | undefined): 'yes' | 'no' | 'hash' {
  if (!copy || copy.sizeBytes !== record.sizeBytes) return 'no';
  if (copy.sha256 === undefined) return 'hash';
  return copy.sha256 === record.sha256 ? 'yes' : 'no';
}

/**
 * After a (re)list: every record against every local copy. `localPipelines` are the pipeline
 * directories on disk (one may hold no file yet, only a temp file).
 */
export function planReconcile(
  records: ReadonlyMap<string, MirrorRecord>,
  local: readonly LocalCopy[],
  localPipelines: readonly string[],
): ReconcilePlan {
  const byKey = new Map(local.map((c) => [c.key, c]));
  const plan: ReconcilePlan = { fetch: [], hash: [], remove: [], removePipelines: [] };
  for (const [key, record] of records) {
    const m = copyMatches(record, byKey.get(key));
    if (m === 'no') plan.fetch.push(key);
    else if (m === 'hash') plan.hash.push(key);
  }
  const recorded = new Set([...records.values()].map((r) => r.pipelineId));
  for (const p of localPipelines) if (!recorded.has(p)) plan.removePipelines.push(p);
  for (const c of local) if (!records.has(c.key) && recorded.has(c.pipelineId)) plan.remove.push(c.key);
  return plan;
}

/**
 * One change from the watch: a put fetches unless the copy already matches (or is to be hashed);
 * a delete removes the copy, and the pipeline's directory once no record of it is left.
 */
export function planChange(
  key: string,
  record: MirrorRecord | undefined,
  copy: LocalCopy | undefined,
  records: ReadonlyMap<string, MirrorRecord>,
): { kind: 'fetch' | 'hash' | 'keep' } | { kind: 'remove'; pipelineId?: string } {
  if (record) {
    const m = copyMatches(record, copy);
    return { kind: m === 'yes' ? 'keep' : m === 'no' ? 'fetch' : 'hash' };
  }
  const pipelineId = key.slice(0, key.indexOf('/'));
  const left = [...records.values()].some((r) => r.pipelineId === pipelineId);
  return left || !pipelineId ? { kind: 'remove' } : { kind: 'remove', pipelineId };
}

export const MIRROR_RETRY = { firstMs: 250, maxMs: 10_000 } as const;

/** Before fetching again after `failures` failures in a row: doubling, capped, jittered to [½, 1]. */
export function retryDelayMs(failures: number, random: number = Math.random()): number {
  const base = Math.min(MIRROR_RETRY.maxMs, MIRROR_RETRY.firstMs * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.5 + Math.min(1, Math.max(0, random)) / 2));
}

/**
 * Among keys waiting to be fetched (in the order they came), those that may start now: at most
 * `slots`, none before its retry time.
 */
export function nextFetches(
  queue: Iterable<string>,
  notBefore: ReadonlyMap<string, number>,
  slots: number,
  nowMs: number,
): { start: string[]; wakeAtMs?: number } {
  const start: string[] = [];
  let wakeAtMs: number | undefined;
  for (const key of queue) {
    if (start.length >= slots) break;
    const at = notBefore.get(key) ?? 0;
    if (at <= nowMs) start.push(key);
    else wakeAtMs = wakeAtMs === undefined ? at : Math.min(wakeAtMs, at);
  }
  return wakeAtMs === undefined ? { start } : { start, wakeAtMs };
}
