// The documented limits of every field a caller sets in a workload spec, a scheduling spec and a
// submit (README "Limits" is checked against this table by limits.test.ts). Validation (here in
// @mo/api, the scheduler's workloads/validate.ts, the agent's) and the wire guard (wire-guard.ts)
// read their numbers from here only. Sizes are UTF-8 bytes unless a name says otherwise.
import { MAX_MESSAGE_BYTES } from './grpc-options.js';

/** Largest encoded WorkloadSpec (1 MiB): so a list of specs can always be paged by bytes. */
export const MAX_SPEC_BYTES = 1024 * 1024;

export const LIMITS = {
  /** spec.argv: entries, and their total bytes (each counted with its NUL, as execve does). */
  argvCount: 4096,
  argvBytes: 128 * 1024,
  /** spec.env: variables, one name, and the total of names and values (with `=` and NUL). */
  envCount: 1024,
  envKeyBytes: 256,
  envBytes: 128 * 1024,
  /** spec.labels and scheduling.constraints: entries, key (characters: ASCII only), value. */
  labelCount: 64,
  labelKeyBytes: 63,
  labelValueBytes: 256,
  /** spec.working_dir, docker mount source/target (PATH_MAX). */
  pathBytes: 4096,
  /** spec.name, scheduling.node, ids: see NAME_RE / ID_RE (at most 63 / 64 characters). */
  nameChars: 63,
  idChars: 64,
  /** spec.driver. */
  driverChars: 16,
  /** spec.user as a name (uid[:gid] is bounded by its values). */
  userChars: 32,
  /** spec.grace_period_ms. */
  maxGracePeriodMs: 60 * 60 * 1000,
  /** spec.timeout_ms and spec.lost_after_ms: 30 days. */
  maxTimeoutMs: 30 * 24 * 60 * 60 * 1000,
  /** spec.pids_limit and docker.pids_limit: the kernel's highest pid_max. */
  maxPidsLimit: 1 << 22,
  /** spec.resources. */
  maxCpuMillis: 1_000_000,
  maxMemoryBytes: Number.MAX_SAFE_INTEGER,
  /** spec.docker. */
  dockerImageBytes: 255,
  dockerPorts: 32,
  dockerMounts: 32,
  dockerCaps: 64,
  dockerCapChars: 40,
  /** spec.artifacts. */
  artifactUploads: 64,
  artifactInputs: 1024,
  artifactPathBytes: 1024,
  /** SubmitWorkloadRequest.idempotency_key (characters). */
  idempotencyKeyChars: 128,
  /** SubmitWorkloadRequest.count: workloads in one array. */
  arrayCount: 10_000,
  /** scheduling.restart. */
  maxRestartAttempts: 1_000_000,
  maxBackoffMs: 24 * 60 * 60 * 1000,
  /** StartWorkloadsRequest.specs (and the whole request within MAX_MESSAGE_BYTES). */
  batchSpecs: 1000,
} as const;

/** How long a submit's idempotency key is remembered, whatever becomes of its workload. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** One row of the README's Limits table: the field as the proto names it, and its limit in words. */
export interface LimitRow {
  field: string;
  limit: string;
}

const KiB = 1024;
const fmtBytes = (n: number): string => (n % (1024 * KiB) === 0 ? `${n / (1024 * KiB)} MiB` : `${n / KiB} KiB`);
const fmtDays = (ms: number): string =>
  ms % 86_400_000 === 0 ? `${ms / 86_400_000} d` : ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${ms} ms`;

/** The Limits table, built from the numbers above (README.md holds the same rows). */
export function limitRows(): LimitRow[] {
  const L = LIMITS;
  return [
    { field: 'spec (encoded WorkloadSpec)', limit: fmtBytes(MAX_SPEC_BYTES) },
    { field: 'any request', limit: `${fmtBytes(MAX_MESSAGE_BYTES)} (gRPC message limit)` },
    { field: 'spec.id', limit: `${L.idChars} chars: [0-9A-Za-z][0-9A-Za-z_-]*` },
    { field: 'spec.name', limit: `${L.nameChars} chars: [a-z0-9][a-z0-9._-]*` },
    { field: 'spec.argv', limit: `1-${L.argvCount} entries, ${fmtBytes(L.argvBytes)} in all, no NUL` },
    {
      field: 'spec.env',
      limit: `${L.envCount} entries, ${fmtBytes(L.envBytes)} in all; name ≤ ${L.envKeyBytes} bytes: [A-Za-z_][A-Za-z0-9_]*; no NUL`,
    },
    { field: 'spec.working_dir', limit: `${fmtBytes(L.pathBytes)}, absolute` },
    { field: 'spec.resources.cpu_millis', limit: `0-${L.maxCpuMillis}` },
    { field: 'spec.resources.memory_bytes', limit: `0-2^53-1` },
    {
      field: 'spec.labels, scheduling.constraints',
      limit: `${L.labelCount} entries; key ≤ ${L.labelKeyBytes} chars; value ≤ ${L.labelValueBytes} bytes`,
    },
    { field: 'spec.grace_period_ms', limit: `0-${fmtDays(L.maxGracePeriodMs)}` },
    { field: 'spec.timeout_ms, spec.lost_after_ms', limit: `0-${fmtDays(L.maxTimeoutMs)}` },
    { field: 'spec.pids_limit, spec.docker.pids_limit', limit: `0-2^22` },
    { field: 'spec.driver', limit: `process or docker` },
    {
      field: 'spec.user',
      limit: `a name of ≤ ${L.userChars} chars: [A-Za-z_][A-Za-z0-9._-]*[$]?, or uid[:gid] (0-4294967294)`,
    },
    { field: 'spec.docker.image', limit: `${L.dockerImageBytes} bytes` },
    { field: 'spec.docker.ports', limit: `${L.dockerPorts} entries, 1-65535, each once` },
    { field: 'spec.docker.mounts', limit: `${L.dockerMounts} entries, paths ≤ ${fmtBytes(L.pathBytes)}` },
    { field: 'spec.docker.cap_add', limit: `${L.dockerCaps} entries of ≤ ${L.dockerCapChars} chars` },
    {
      field: 'spec.artifacts',
      limit: `${L.artifactUploads} uploads, ${L.artifactInputs} inputs, paths ≤ ${fmtBytes(L.artifactPathBytes)}`,
    },
    { field: 'scheduling.node', limit: `${L.nameChars} chars: [A-Za-z0-9][A-Za-z0-9._-]*` },
    { field: 'scheduling.restart.max_attempts', limit: `0-${L.maxRestartAttempts}` },
    { field: 'scheduling.restart.*_backoff_ms, stable_after_ms', limit: `0-${fmtDays(L.maxBackoffMs)}` },
    {
      field: 'idempotency_key',
      limit: `${L.idempotencyKeyChars} chars, no NUL; remembered ${fmtDays(IDEMPOTENCY_WINDOW_MS)}`,
    },
    { field: 'count', limit: `0-${L.arrayCount} (0: one workload, no array)` },
    { field: 'StartWorkloads specs', limit: `${L.batchSpecs} per call (and the ${fmtBytes(MAX_MESSAGE_BYTES)} limit)` },
  ];
}

/** The rows as the markdown table README.md carries. */
export function limitsMarkdown(): string {
  const lines = ['| field | limit |', '|---|---|'];
  for (const r of limitRows()) lines.push(`| \`${r.field}\` | ${r.limit} |`);
  return lines.join('\n');
}
