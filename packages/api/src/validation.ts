// Shape checks of workload input shared by the agent and the scheduler. Every rejection is an
// InvalidArgumentError whose message starts with the proto field path (`spec.argv[0]: ...`), and
// every size is bounded, so nothing a client sends can crash a daemon or exhaust it. Checks that
// need the host (does the binary exist, is the working dir a directory) stay in the agent.
import { InvalidArgumentError, truncateForError } from './errors.js';
import { LIMITS } from './limits.js';
import type { ArtifactSpec__Output } from './generated/mo/v1/ArtifactSpec.js';

// The numbers live in limits.ts (the README's Limits table is checked against it).
export { LIMITS, MAX_SPEC_BYTES } from './limits.js';

export const ID_RE = /^[0-9A-Za-z][0-9A-Za-z_-]{0,63}$/;
export const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const ENV_KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const LABEL_KEY_RE = /^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$/;

/** Grace periods: 0 means "default", negative and absurdly long ones are rejected. */
export function validateGrace(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(field, `must be a non-negative number of milliseconds, got ${value}`);
  }
  if (value > LIMITS.maxGracePeriodMs) {
    throw new InvalidArgumentError(field, `must be at most ${LIMITS.maxGracePeriodMs} ms (1 h), got ${value}`);
  }
  return value;
}

export function validateWorkloadId(field: string, id: string): string {
  if (!id) throw new InvalidArgumentError(field, 'is required');
  if (!ID_RE.test(id)) throw new InvalidArgumentError(field, `must match ${ID_RE.source}, got ${quote(id)}`);
  return id;
}

/** Longest run of a workload: 30 days. */
export const MAX_TIMEOUT_MS = LIMITS.maxTimeoutMs;

/** A workload's run limit: 0 = none, negative and absurdly long ones are rejected. */
export function validateTimeout(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(field, `must be a non-negative number of milliseconds, got ${value}`);
  }
  if (value > MAX_TIMEOUT_MS)
    throw new InvalidArgumentError(field, `must be at most ${MAX_TIMEOUT_MS} ms (30 days), got ${value}`);
  return value;
}

/** The kernel's highest pid_max: a pids limit above it limits nothing. */
export const MAX_PIDS_LIMIT = LIMITS.maxPidsLimit;

/** spec.pids_limit: 0 = none; process workloads only (a docker sandbox has docker.pids_limit). */
export function validatePidsLimit(value: number | undefined, driver: string): number {
  const v = value ?? 0;
  if (!Number.isSafeInteger(v) || v < 0 || v > MAX_PIDS_LIMIT) {
    throw new InvalidArgumentError('spec.pids_limit', `must be an integer from 0 to ${MAX_PIDS_LIMIT}, got ${v}`);
  }
  if (v > 0 && driver === 'docker') {
    throw new InvalidArgumentError(
      'spec.pids_limit',
      'is for process workloads: a docker sandbox takes spec.docker.pids_limit',
    );
  }
  return v;
}

/** Optional human name; `field` is its proto path. */
export function validateName(field: string, name: string): string {
  if (name && !NAME_RE.test(name))
    throw new InvalidArgumentError(field, `must match ${NAME_RE.source}, got ${quote(name)}`);
  return name;
}

/** Declared resources: non-negative safe integers. `field` is the message path ("spec.resources"). */
export function validateResources(
  field: string,
  r: { cpuMillis?: number; memoryBytes?: number } | null | undefined,
): { cpuMillis: number; memoryBytes: number } {
  const cpuMillis = r?.cpuMillis ?? 0;
  const memoryBytes = r?.memoryBytes ?? 0;
  if (!Number.isSafeInteger(cpuMillis) || cpuMillis < 0 || cpuMillis > LIMITS.maxCpuMillis) {
    throw new InvalidArgumentError(
      `${field}.cpu_millis`,
      `must be an integer from 0 to ${LIMITS.maxCpuMillis}, got ${cpuMillis}`,
    );
  }
  if (!Number.isSafeInteger(memoryBytes) || memoryBytes < 0 || memoryBytes > LIMITS.maxMemoryBytes) {
    throw new InvalidArgumentError(`${field}.memory_bytes`, `must be an integer from 0 to 2^53-1, got ${memoryBytes}`);
  }
  return { cpuMillis, memoryBytes };
}

export function validateArgvShape(argv: string[]): void {
  if (argv.length === 0) throw new InvalidArgumentError('spec.argv', 'must not be empty (argv[0] is the program)');
  if (argv.length > LIMITS.argvCount) {
    throw new InvalidArgumentError('spec.argv', `has ${argv.length} entries, at most ${LIMITS.argvCount} are allowed`);
  }
  let bytes = 0;
  argv.forEach((arg, i) => {
    if (arg.includes('\0')) throw new InvalidArgumentError(`spec.argv[${i}]`, 'must not contain NUL bytes');
    bytes += Buffer.byteLength(arg) + 1;
    if (bytes > LIMITS.argvBytes) {
      throw new InvalidArgumentError(
        `spec.argv[${i}]`,
        `takes argv past ${LIMITS.argvBytes} bytes in all (${bytes} so far, counting a NUL per entry)`,
      );
    }
  });
  if (!argv[0]) throw new InvalidArgumentError('spec.argv[0]', 'must name a program');
}

/**
 * A string map without a prototype: a key such as `__proto__` or `constructor` is an entry like
 * any other, and looking up a missing key finds nothing (not Object.prototype's members).
 */
export function newStringMap(from?: Record<string, string> | Iterable<[string, string]>): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  if (!from) return out;
  const entries = Symbol.iterator in from ? from : Object.entries(from);
  for (const [k, v] of entries) out[k] = v;
  return out;
}

/** spec.env: names, NUL-free values, count and total bytes bounded; a prototype-free copy. */
export function validateEnv(env: Record<string, string>): Record<string, string> {
  const entries = Object.entries(env);
  if (entries.length > LIMITS.envCount) {
    throw new InvalidArgumentError(
      'spec.env',
      `has ${entries.length} variables, at most ${LIMITS.envCount} are allowed`,
    );
  }
  let bytes = 0;
  for (const [key, value] of entries) {
    const at = `spec.env[${quote(key)}]`;
    if (Buffer.byteLength(key) > LIMITS.envKeyBytes) {
      throw new InvalidArgumentError(at, `name is longer than ${LIMITS.envKeyBytes} bytes`);
    }
    if (!ENV_KEY_RE.test(key))
      throw new InvalidArgumentError(at, `is not a valid variable name (${ENV_KEY_RE.source})`);
    if (typeof value !== 'string' || value.includes('\0'))
      throw new InvalidArgumentError(at, 'must not contain NUL bytes');
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value) + 2;
    if (bytes > LIMITS.envBytes) {
      throw new InvalidArgumentError(
        at,
        `takes env past ${LIMITS.envBytes} bytes in all (${bytes} so far, counting "=" and a NUL per variable)`,
      );
    }
  }
  return newStringMap(entries);
}

/** Label (or constraint) maps; `field` defaults to spec.labels. A prototype-free copy. */
export function validateLabels(labels: Record<string, string>, field = 'spec.labels'): Record<string, string> {
  const entries = Object.entries(labels);
  if (entries.length > LIMITS.labelCount) {
    throw new InvalidArgumentError(field, `has ${entries.length} labels, at most ${LIMITS.labelCount} are allowed`);
  }
  for (const [key, value] of entries) {
    if (key.length > LIMITS.labelKeyBytes || !LABEL_KEY_RE.test(key)) {
      throw new InvalidArgumentError(
        `${field}[${quote(key)}]`,
        `key must match ${LABEL_KEY_RE.source} (≤ ${LIMITS.labelKeyBytes} chars)`,
      );
    }
    if (typeof value !== 'string' || Buffer.byteLength(value) > LIMITS.labelValueBytes) {
      throw new InvalidArgumentError(`${field}[${quote(key)}]`, `value is longer than ${LIMITS.labelValueBytes} bytes`);
    }
  }
  return newStringMap(entries);
}

/** A caller's string in an error message: JSON-quoted and cut to 128 characters (truncateForError). */
export function quote(s: string): string {
  return JSON.stringify(truncateForError(s));
}

/** Artifacts: chunk size on the wire (upload and download). */
export const ARTIFACT_CHUNK_BYTES = 1024 * 1024;
const ARTIFACT_PATH_BYTES = LIMITS.artifactPathBytes;

/**
 * An artifact path names a file inside a step's working dir: relative, no `..`, no empty or `.`
 * components, no NUL. (Symlinks that leave the dir are the agent's to refuse, at upload time.)
 */
export function validateArtifactPath(field: string, p: string): string {
  if (typeof p !== 'string' || p === '' || Buffer.byteLength(p) > ARTIFACT_PATH_BYTES || p.includes('\0')) {
    throw new InvalidArgumentError(field, `must be a relative path of 1 to ${ARTIFACT_PATH_BYTES} bytes`);
  }
  if (p.startsWith('/'))
    throw new InvalidArgumentError(field, `must be a relative path inside the working dir, got ${quote(p)}`);
  const parts = p.split('/');
  if (parts.includes('..')) throw new InvalidArgumentError(field, `must not contain "..", got ${quote(p)}`);
  if (parts.some((x) => x === '' || x === '.')) {
    throw new InvalidArgumentError(field, `must not have empty or "." components, got ${quote(p)}`);
  }
  return p;
}

/** A validated artifact reference (an input of a pipeline step). */
export interface ArtifactRefSettings {
  pipelineId: string;
  stepId: string;
  path: string;
  sha256: string;
  sizeBytes: number;
}

/** A validated ArtifactSpec, as the scheduler keeps it and the agent acts on it. */
export interface ArtifactSettings {
  pipelineId: string;
  stepId: string;
  upload: string[];
  inputs: ArtifactRefSettings[];
  maxBytes: number;
}

const SHA256_RE = /^[0-9a-f]{64}$/;

/** A step's artifact spec: ids, paths confined to the working dir (symlinks: the agent), hashes. */
export function validateArtifactSpec(a: ArtifactSpec__Output): ArtifactSettings {
  if (!ID_RE.test(a.pipelineId)) throw new InvalidArgumentError('spec.artifacts.pipeline_id', 'is not an id');
  if (!ID_RE.test(a.stepId)) throw new InvalidArgumentError('spec.artifacts.step_id', 'is not a step id');
  if (a.upload.length > LIMITS.artifactUploads) {
    throw new InvalidArgumentError('spec.artifacts.upload', `has more than ${LIMITS.artifactUploads} entries`);
  }
  if (a.inputs.length > LIMITS.artifactInputs) {
    throw new InvalidArgumentError('spec.artifacts.inputs', `has more than ${LIMITS.artifactInputs} entries`);
  }
  a.upload.forEach((p, i) => validateArtifactPath(`spec.artifacts.upload[${i}]`, p));
  const inputs = a.inputs.map((r, i) => {
    const at = `spec.artifacts.inputs[${i}]`;
    if (!ID_RE.test(r.pipelineId) || !ID_RE.test(r.stepId)) throw new InvalidArgumentError(at, 'names no step');
    validateArtifactPath(`${at}.path`, r.path);
    if (!SHA256_RE.test(r.sha256)) throw new InvalidArgumentError(`${at}.sha256`, 'must be a hex sha256');
    return { pipelineId: r.pipelineId, stepId: r.stepId, path: r.path, sha256: r.sha256, sizeBytes: r.sizeBytes };
  });
  const maxBytes = Number(a.maxBytes);
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new InvalidArgumentError('spec.artifacts.max_bytes', 'must be a non-negative integer');
  }
  return { pipelineId: a.pipelineId, stepId: a.stepId, upload: [...a.upload], inputs, maxBytes };
}

const MAX_DOCKER_PORTS = LIMITS.dockerPorts;

/**
 * A sandbox's published container ports: at most 32, each a TCP port listed once, and only with
 * a network to publish on (`network` as sent: "" is the default, none).
 */
export function validateDockerPorts(ports: readonly number[], network: string): number[] {
  if (ports.length > MAX_DOCKER_PORTS) {
    throw new InvalidArgumentError('spec.docker.ports', `has ${ports.length} entries, at most ${MAX_DOCKER_PORTS}`);
  }
  ports.forEach((p, i) => {
    if (!Number.isInteger(p) || p < 1 || p > 65535) {
      throw new InvalidArgumentError(`spec.docker.ports[${i}]`, `must be a TCP port 1-65535, got ${p}`);
    }
    if (ports.indexOf(p) !== i) throw new InvalidArgumentError(`spec.docker.ports[${i}]`, `${p} is listed twice`);
  });
  if (ports.length > 0 && (network || 'none') === 'none') {
    throw new InvalidArgumentError('spec.docker.ports', 'publishing ports needs network bridge (network is none)');
  }
  return [...ports];
}
