// Validation of SubmitWorkload input: the shared shape checks from @mo/api plus what only the
// scheduler knows (drivers it can place, scheduling fields). Host checks (does the binary exist)
// happen on the node that runs it; a failure there is reported as the workload's start failure.
import {
  InvalidArgumentError,
  LIMITS,
  quote,
  validateArtifactSpec,
  validateDockerPorts,
  validateLabels,
  validateSpecFields,
  type DockerSpec__Output,
  type DockerSpecFields,
  type NormalizedWorkloadSpec,
  type SchedulingSpec__Output,
  type SubmitWorkloadRequest__Output,
} from '@mo/api';
import { isAbsolute } from 'node:path';
import type { Strategy } from '../placement/types.js';
import type { PriorityName, RestartModeName, SchedulingRecord } from './record.js';
import { RESTART_DEFAULTS } from './restart.js';

export const KNOWN_DRIVERS: readonly string[] = ['process', 'docker'];

const MAX_RESTART_ATTEMPTS = LIMITS.maxRestartAttempts;
const MAX_BACKOFF_MS = LIMITS.maxBackoffMs;
const MAX_IDEMPOTENCY_KEY = LIMITS.idempotencyKeyChars;
const CAP_RE = new RegExp(`^[A-Za-z_]{2,${LIMITS.dockerCapChars}}$`);
export const NODE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export interface ValidSubmission {
  spec: NormalizedWorkloadSpec;
  scheduling: SchedulingRecord;
  idempotencyKey: string;
}

/** `defaultLostAfterMs`: the cluster's lost_after, for a spec that does not set its own. */
export function validateSubmission(req: SubmitWorkloadRequest__Output, defaultLostAfterMs: number): ValidSubmission {
  const spec = req.spec;
  if (!spec) throw new InvalidArgumentError('spec', 'is required');
  if (spec.id) throw new InvalidArgumentError('spec.id', 'must be empty: the scheduler assigns workload ids');
  if (spec.workingDir) {
    if (Buffer.byteLength(spec.workingDir) > LIMITS.pathBytes || spec.workingDir.includes('\0')) {
      throw new InvalidArgumentError('spec.working_dir', 'is not a valid path');
    }
    if (!isAbsolute(spec.workingDir)) {
      throw new InvalidArgumentError('spec.working_dir', `must be an absolute path, got ${quote(spec.workingDir)}`);
    }
  }
  const driver = spec.driver || 'process';
  if (!KNOWN_DRIVERS.includes(driver)) {
    throw new InvalidArgumentError(
      'spec.driver',
      `unknown driver ${quote(driver)} (known: ${KNOWN_DRIVERS.join(', ')})`,
    );
  }
  if (spec.docker && driver !== 'docker') {
    throw new InvalidArgumentError('spec.docker', `is only for driver "docker" (driver is ${quote(driver)})`);
  }
  const docker = driver === 'docker' ? validateDockerShape(spec.docker) : undefined;
  const artifacts = spec.artifacts ? validateArtifactSpec(spec.artifacts) : undefined;
  const fields = validateSpecFields(spec, driver);
  const key = req.idempotencyKey ?? '';
  if (key.length > MAX_IDEMPOTENCY_KEY || key.includes('\0')) {
    throw new InvalidArgumentError(
      'idempotency_key',
      `must be at most ${MAX_IDEMPOTENCY_KEY} characters without NUL, got ${key.length}`,
    );
  }
  return {
    spec: {
      ...fields,
      workingDir: spec.workingDir ?? '',
      // Presence matters (0 = at once): an absent field takes the cluster's default.
      lostAfterMs: fields.lostAfterMs ?? defaultLostAfterMs,
      driver,
      ...(docker && { docker }),
      ...(artifacts && { artifacts }),
    },
    scheduling: validateScheduling(req.scheduling),
    idempotencyKey: key,
  };
}

/**
 * The sandbox's shape. The node that runs it checks the rest (is the image there, are mount
 * sources under a root it allows, is the pids limit within its maximum).
 */
function validateDockerShape(d: DockerSpec__Output | null): DockerSpecFields {
  const image = d?.image ?? '';
  if (Buffer.byteLength(image) > LIMITS.dockerImageBytes || image.includes('\0')) {
    throw new InvalidArgumentError(
      'spec.docker.image',
      `must be at most ${LIMITS.dockerImageBytes} bytes without NUL, got ${quote(image)}`,
    );
  }
  const network = d?.network ?? '';
  if (network && network !== 'none' && network !== 'bridge') {
    throw new InvalidArgumentError('spec.docker.network', `must be none or bridge, got ${quote(network)}`);
  }
  const ports = validateDockerPorts(d?.ports ?? [], network);
  const mounts = (d?.mounts ?? []).map((m, i) => {
    for (const [name, path] of [
      ['source', m.source],
      ['target', m.target],
    ] as const) {
      if (!isAbsolute(path) || Buffer.byteLength(path) > LIMITS.pathBytes || path.includes('\0')) {
        throw new InvalidArgumentError(
          `spec.docker.mounts[${i}].${name}`,
          `must be an absolute path, got ${quote(path)}`,
        );
      }
    }
    return { source: m.source, target: m.target, readOnly: m.readOnly };
  });
  if (mounts.length > LIMITS.dockerMounts) {
    throw new InvalidArgumentError(
      'spec.docker.mounts',
      `has ${mounts.length} entries, at most ${LIMITS.dockerMounts}`,
    );
  }
  const pidsLimit = bounded('spec.docker.pids_limit', d?.pidsLimit ?? 0, LIMITS.maxPidsLimit);
  const capAdd = [...(d?.capAdd ?? [])];
  if (capAdd.length > LIMITS.dockerCaps) {
    throw new InvalidArgumentError('spec.docker.cap_add', `has ${capAdd.length} entries, at most ${LIMITS.dockerCaps}`);
  }
  capAdd.forEach((c, i) => {
    if (!CAP_RE.test(c)) {
      throw new InvalidArgumentError(`spec.docker.cap_add[${i}]`, `is not a capability name, got ${quote(c)}`);
    }
  });
  return {
    image,
    network,
    writableRoot: d?.writableRoot ?? false,
    ports,
    mounts,
    pidsLimit,
    capAdd,
    allowNewPrivileges: d?.allowNewPrivileges ?? false,
  };
}

function validateScheduling(s: SchedulingSpec__Output | null): SchedulingRecord {
  const constraints = validateLabels(s?.constraints ?? {}, 'scheduling.constraints');
  const node = s?.node ?? '';
  if (node && !NODE_NAME_RE.test(node)) {
    throw new InvalidArgumentError(
      'scheduling.node',
      `must be a node name (${NODE_NAME_RE.source}), got ${quote(node)}`,
    );
  }
  const priority = PRIORITIES[s?.priority ?? 'PRIORITY_UNSPECIFIED'];
  if (!priority)
    throw new InvalidArgumentError('scheduling.priority', `unknown priority ${quote(String(s?.priority))}`);
  const strategyKey = String(s?.strategy ?? 'PLACEMENT_STRATEGY_UNSPECIFIED');
  const strategy = STRATEGIES[strategyKey];
  if (!(strategyKey in STRATEGIES)) {
    throw new InvalidArgumentError('scheduling.strategy', `unknown strategy ${quote(String(s?.strategy))}`);
  }
  const r = s?.restart;
  const mode = RESTART_MODES[r?.mode ?? 'RESTART_MODE_UNSPECIFIED'];
  if (!mode) throw new InvalidArgumentError('scheduling.restart.mode', `unknown mode ${quote(String(r?.mode))}`);
  const maxAttempts = bounded('scheduling.restart.max_attempts', r?.maxAttempts ?? 0, MAX_RESTART_ATTEMPTS);
  const initialBackoffMs = bounded('scheduling.restart.initial_backoff_ms', r?.initialBackoffMs ?? 0, MAX_BACKOFF_MS);
  const maxBackoffMs = bounded('scheduling.restart.max_backoff_ms', r?.maxBackoffMs ?? 0, MAX_BACKOFF_MS);
  const stableAfterMs = bounded('scheduling.restart.stable_after_ms', r?.stableAfterMs ?? 0, MAX_BACKOFF_MS);
  const restart = {
    mode,
    maxAttempts: maxAttempts || RESTART_DEFAULTS.maxAttempts,
    initialBackoffMs: initialBackoffMs || RESTART_DEFAULTS.initialBackoffMs,
    maxBackoffMs: maxBackoffMs || Math.max(RESTART_DEFAULTS.maxBackoffMs, initialBackoffMs),
    stableAfterMs: stableAfterMs || RESTART_DEFAULTS.stableAfterMs,
  };
  if (restart.maxBackoffMs < restart.initialBackoffMs) {
    throw new InvalidArgumentError('scheduling.restart.max_backoff_ms', 'must not be below initial_backoff_ms');
  }
  return {
    constraints,
    node,
    priority,
    restart,
    ...(strategy ? { strategy } : {}),
    batch: s?.batch ?? false,
  };
}

function bounded(field: string, value: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(field, `must be a non-negative integer, got ${value}`);
  }
  if (value > max) throw new InvalidArgumentError(field, `must be at most ${max}, got ${value}`);
  return value;
}

const PRIORITIES: Record<string, PriorityName | undefined> = {
  PRIORITY_UNSPECIFIED: 'normal',
  PRIORITY_LOW: 'low',
  PRIORITY_NORMAL: 'normal',
  PRIORITY_HIGH: 'high',
};
const RESTART_MODES: Record<string, RestartModeName | undefined> = {
  RESTART_MODE_UNSPECIFIED: 'never',
  RESTART_MODE_NEVER: 'never',
  RESTART_MODE_ON_FAILURE: 'on-failure',
  RESTART_MODE_ALWAYS: 'always',
};
const STRATEGIES: Record<string, Strategy | undefined> = {
  PLACEMENT_STRATEGY_UNSPECIFIED: undefined,
  PLACEMENT_STRATEGY_BINPACK: 'binpack',
  PLACEMENT_STRATEGY_SPREAD: 'spread',
};
