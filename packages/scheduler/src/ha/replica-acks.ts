// The leader's side of artifact replication (several schedulers on etcd): which followers' artifact
// mirrors are live, what each has reported storing, and the waits of uploads for them. An upload is
// answered only once every mirror live when it was committed has reported that very artifact (its
// sha256), or a bounded wait passed: then the answer goes anyway and the mirrors that lag are named.
// A single scheduler hears from no mirror, so nothing waits.
//
// Everything is bounded: mirrors (a report from one more is RESOURCE_EXHAUSTED), what is remembered
// per mirror (the oldest reports are forgotten), a report's size and a mirror's name (INVALID_ARGUMENT
// naming the field). Mirrors name themselves: every scheduler holds the same role certificate, so
// the name is the mirror's advertised address, as it says.
import { ID_RE, InvalidArgumentError, ResourceExhaustedError, validateArtifactPath } from '@mo/api';
import { after } from '@mo/api/timers';
import { STEP_ID_RE } from '../pipelines/spec.js';

/** One artifact a mirror stored: what it is and which content. */
export interface ReplicaRef {
  pipelineId: string;
  stepId: string;
  path: string;
  sha256: string;
}

export interface ReplicaAcksOptions {
  /** A mirror not heard from for this long is no longer waited for (default 30 s). */
  liveForMs?: number;
  /** Mirrors known at once (default 32). */
  maxMirrors?: number;
  /** Reported artifacts remembered per mirror, newest kept (default 10,000). */
  rememberPerMirror?: number;
  now?: () => number;
}

export const REPLICA_LIMITS = {
  /** Most artifacts in one report. */
  maxPerReport: 1000,
  /** Longest mirror name (an address). */
  maxMirrorBytes: 256,
} as const;

/** A report's artifact as remembered: key and content. */
export function replicaToken(r: ReplicaRef): string {
  return `${r.pipelineId}/${r.stepId}/${r.path}@${r.sha256}`;
}

interface Mirror {
  lastMs: number;
  /** Tokens reported, oldest first (a Map keeps insertion order). */
  have: Map<string, true>;
}

interface Waiter {
  token: string;
  missing: Set<string>;
  done: () => void;
}

export class ReplicaAcks {
  private readonly mirrors = new Map<string, Mirror>();
  private readonly waiters = new Set<Waiter>();
  private readonly liveForMs: number;
  private readonly maxMirrors: number;
  private readonly remember: number;
  private readonly now: () => number;

  constructor(options: ReplicaAcksOptions = {}) {
    this.liveForMs = options.liveForMs ?? 30_000;
    this.maxMirrors = options.maxMirrors ?? 32;
    this.remember = options.rememberPerMirror ?? 10_000;
    this.now = options.now ?? Date.now;
    for (const [k, v] of Object.entries({ liveForMs: this.liveForMs, maxMirrors: this.maxMirrors })) {
      if (!(Number.isSafeInteger(v) && v > 0)) throw new TypeError(`ReplicaAcks: ${k} ${v} must be a positive integer`);
    }
  }

  /** How long a mirror counts as live after a report (told to mirrors in the ack). */
  get liveFor(): number {
    return this.liveForMs;
  }

  /** The mirrors heard from within liveForMs, by name. */
  live(): string[] {
    const since = this.now() - this.liveForMs;
    return [...this.mirrors].filter(([, m]) => m.lastMs >= since).map(([name]) => name);
  }

  /** A mirror's report: it is live now and has stored `artifacts`. Throws on a bad or extra mirror. */
  report(mirror: string, artifacts: readonly ReplicaRef[]): void {
    if (mirror === '' || Buffer.byteLength(mirror) > REPLICA_LIMITS.maxMirrorBytes) {
      throw new InvalidArgumentError(
        'mirror',
        `must name the reporting scheduler in 1 to ${REPLICA_LIMITS.maxMirrorBytes} bytes`,
      );
    }
    if (artifacts.length > REPLICA_LIMITS.maxPerReport) {
      throw new InvalidArgumentError(
        'artifacts',
        `at most ${REPLICA_LIMITS.maxPerReport} per report, got ${artifacts.length}`,
      );
    }
    artifacts.forEach(checkRef);
    const now = this.now();
    let m = this.mirrors.get(mirror);
    if (!m) {
      for (const [name, old] of this.mirrors) if (old.lastMs < now - this.liveForMs) this.mirrors.delete(name);
      if (this.mirrors.size >= this.maxMirrors) {
        throw new ResourceExhaustedError(`more than ${this.maxMirrors} artifact mirrors report to this leader`);
      }
      m = { lastMs: now, have: new Map() };
      this.mirrors.set(mirror, m);
    }
    m.lastMs = now;
    for (const a of artifacts) {
      const token = replicaToken(a);
      m.have.delete(token);
      m.have.set(token, true);
      if (m.have.size > this.remember) m.have.delete(m.have.keys().next().value!);
      for (const w of this.waiters) {
        if (w.token !== token || !w.missing.delete(mirror)) continue;
        if (w.missing.size === 0) w.done();
      }
    }
  }

  /**
   * Waits until every mirror live now has reported `artifact`, at most `timeoutMs` or until
   * `signal` aborts; resolves with the mirrors that had not (empty: replicated everywhere).
   */
  waitFor(artifact: ReplicaRef, timeoutMs: number, signal?: AbortSignal): Promise<string[]> {
    const token = replicaToken(artifact);
    const missing = new Set(this.live().filter((name) => !this.mirrors.get(name)!.have.has(token)));
    if (missing.size === 0 || signal?.aborted) return Promise.resolve([...missing]);
    return new Promise((resolve) => {
      const finish = () => {
        timer.cancel();
        signal?.removeEventListener('abort', finish);
        this.waiters.delete(waiter);
        resolve([...missing]);
      };
      const waiter: Waiter = { token, missing, done: finish };
      const timer = after(timeoutMs, finish);
      signal?.addEventListener('abort', finish, { once: true });
      this.waiters.add(waiter);
    });
  }

  /** Uploads waiting now (a gauge's worth; bounded by the upload streams). */
  get waiting(): number {
    return this.waiters.size;
  }
}

const SHA256_RE = /^[0-9a-f]{64}$/;

/** Throws INVALID_ARGUMENT naming the field of a reported artifact that is not well-formed. */
function checkRef(r: ReplicaRef, i: number): void {
  const at = `artifacts[${i}]`;
  if (!ID_RE.test(r.pipelineId)) throw new InvalidArgumentError(`${at}.pipeline_id`, 'is not a pipeline id');
  if (!STEP_ID_RE.test(r.stepId)) throw new InvalidArgumentError(`${at}.step_id`, 'is not a step id');
  validateArtifactPath(`${at}.path`, r.path);
  if (!SHA256_RE.test(r.sha256)) throw new InvalidArgumentError(`${at}.sha256`, 'must be 64 lowercase hex digits');
}
