// What a docker workload may ask for, and what it gets: the agent's limits (its configuration),
// the validation of a WorkloadSpec's `docker` field (and working dir) against them, and the
// normalised settings the driver turns into a container. Safe by default; every relaxation is
// explicit and bounded here.
import {
  InvalidArgumentError,
  LIMITS,
  quote,
  validateDockerPorts,
  type DockerSpec__Output,
  type WorkloadSpec__Output,
} from '@mo/api';
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, normalize, sep } from 'node:path';
import type { DriverSpec } from '../driver.js';
import { mountRootRisk, pathEntries, swapRisk, trustedUids } from './mount-path.js';

export type DockerNetwork = 'none' | 'bridge';
export const DOCKER_NETWORKS: readonly DockerNetwork[] = ['none', 'bridge'];

/** The agent's configuration of the docker driver: defaults and the bounds of every relaxation. */
export interface DockerLimits {
  /** Image of a docker workload that names none. */
  defaultImage: string;
  /** The agent's one host-port pool (--port-range), inclusive: named ports and published ports. */
  portRange: { first: number; last: number };
  /** Host address published ports listen on. */
  portHostIp: string;
  /** Memory limit when the workload declares none (swap is always off). */
  defaultMemoryBytes: number;
  /** CPU quota when the workload declares none, in millicores. */
  defaultCpuMillis: number;
  defaultPidsLimit: number;
  maxPidsLimit: number;
  /** Size of the writable tmpfs at /tmp (counts against the memory limit). */
  tmpfsBytes: number;
  /** Networks a workload may ask for ("none" is always allowed). */
  allowNetworks: readonly DockerNetwork[];
  allowWritableRoot: boolean;
  /**
   * Host directories under which mount sources must lie; empty (the default) = no mounts. The path
   * to a source must also be one only root or the agent's user can change (mount-path.ts).
   */
  mountRoots: readonly string[];
  /** Whether a mount may be writable (off by default: a container's root could plant files). */
  allowWritableMounts: boolean;
  /** Capabilities a workload may ask back (all are dropped); empty = none. Names without CAP_. */
  allowCaps: readonly string[];
  /** Whether a workload may turn off no-new-privileges. */
  allowNewPrivileges: boolean;
  /** How long pulling an absent image may take before the start is refused. */
  pullTimeoutMs: number;
}

export const DEFAULT_DOCKER_LIMITS: DockerLimits = {
  defaultImage: 'mo-sandbox:latest',
  portRange: { first: 3001, last: 4000 },
  portHostIp: '0.0.0.0',
  defaultMemoryBytes: 512 * 1024 * 1024,
  defaultCpuMillis: 1000,
  defaultPidsLimit: 256,
  maxPidsLimit: 4096,
  tmpfsBytes: 64 * 1024 * 1024,
  allowNetworks: DOCKER_NETWORKS,
  allowWritableRoot: true,
  mountRoots: [],
  allowWritableMounts: false,
  allowCaps: [],
  allowNewPrivileges: true,
  pullTimeoutMs: 60_000,
};

/** Relaxations an operator can refuse with `--docker-deny`. */
export const DOCKER_RELAXATIONS = ['network', 'writable-root', 'mounts', 'writable-mounts', 'new-privileges'] as const;
export type DockerRelaxation = (typeof DOCKER_RELAXATIONS)[number];

export interface DockerMountSettings {
  source: string;
  target: string;
  readOnly: boolean;
}

/** A validated sandbox: everything the driver needs besides argv, env and resources. */
export interface DockerSettings {
  image: string;
  network: DockerNetwork;
  readOnlyRoot: boolean;
  /** Container TCP ports to publish. */
  ports: number[];
  mounts: DockerMountSettings[];
  pidsLimit: number;
  /** Capabilities given back after dropping all (names without CAP_). */
  capAdd: string[];
  /** no-new-privileges is set unless this is true. */
  allowNewPrivileges: boolean;
}

const MAX_MOUNTS = LIMITS.dockerMounts;
const IMAGE_RE = /^[a-zA-Z0-9][a-zA-Z0-9._:/@-]{0,254}$/;

/**
 * A docker workload's part of its spec (DockerDriver.validateSpec): it runs in its image, so
 * argv[0] and working_dir are paths in the container; then its sandbox (validateDockerSpec).
 */
export function validateDockerWorkload(spec: WorkloadSpec__Output, limits: DockerLimits): DriverSpec {
  const workingDir = spec.workingDir ?? '';
  if (
    workingDir &&
    (Buffer.byteLength(workingDir) > LIMITS.pathBytes || !isAbsolute(workingDir) || workingDir.includes('\0'))
  ) {
    throw new InvalidArgumentError(
      'spec.working_dir',
      `must be an absolute path in the container, got ${quote(workingDir)}`,
    );
  }
  return { workingDir, config: validateDockerSpec(spec.docker, limits) };
}

/**
 * Narrows a workload's opaque driver settings (TaskConfig.driverConfig, a record's `docker`) to
 * the sandbox validateDockerSpec made; undefined when there are none. Anything else is a bug.
 */
export function dockerSettingsOf(config: unknown): DockerSettings | undefined {
  if (config === undefined) return undefined;
  const d = config as Partial<DockerSettings> | null;
  if (typeof d?.image !== 'string' || !Array.isArray(d.mounts) || !Array.isArray(d.ports)) {
    throw new TypeError('the driver settings of a docker workload are not a docker sandbox');
  }
  return d as DockerSettings;
}

/** Validates `spec.docker` (every error names its field) and fills the agent's defaults. */
export function validateDockerSpec(d: DockerSpec__Output | null | undefined, limits: DockerLimits): DockerSettings {
  const image = d?.image || limits.defaultImage;
  if (!IMAGE_RE.test(image)) {
    throw new InvalidArgumentError('spec.docker.image', `is not an image reference, got ${quote(image)}`);
  }
  const network = (d?.network || 'none') as DockerNetwork;
  if (!DOCKER_NETWORKS.includes(network)) {
    throw new InvalidArgumentError('spec.docker.network', `must be none or bridge, got ${quote(d?.network ?? '')}`);
  }
  if (network !== 'none' && !limits.allowNetworks.includes(network)) {
    throw new InvalidArgumentError('spec.docker.network', `${network} is not allowed by this agent's configuration`);
  }
  if (d?.writableRoot && !limits.allowWritableRoot) {
    throw new InvalidArgumentError('spec.docker.writable_root', "is not allowed by this agent's configuration");
  }

  const ports = validateDockerPorts(d?.ports ?? [], network);

  const rawMounts = d?.mounts ?? [];
  if (rawMounts.length > MAX_MOUNTS) {
    throw new InvalidArgumentError('spec.docker.mounts', `has ${rawMounts.length} entries, at most ${MAX_MOUNTS}`);
  }
  const mounts = rawMounts.map((m, i) => validateMount(m, `spec.docker.mounts[${i}]`, limits));

  const pidsRaw = d?.pidsLimit ?? 0;
  if (!Number.isSafeInteger(pidsRaw) || pidsRaw < 0) {
    throw new InvalidArgumentError('spec.docker.pids_limit', `must be a non-negative integer, got ${pidsRaw}`);
  }
  if (pidsRaw > limits.maxPidsLimit) {
    throw new InvalidArgumentError(
      'spec.docker.pids_limit',
      `must be at most ${limits.maxPidsLimit} (this agent's maximum), got ${pidsRaw}`,
    );
  }
  if ((d?.capAdd ?? []).length > LIMITS.dockerCaps) {
    throw new InvalidArgumentError(
      'spec.docker.cap_add',
      `has ${d!.capAdd.length} entries, at most ${LIMITS.dockerCaps}`,
    );
  }
  const capAdd = (d?.capAdd ?? []).map((raw, i) => {
    const cap = raw.toUpperCase().replace(/^CAP_/, '');
    const field = `spec.docker.cap_add[${i}]`;
    if (!/^[A-Z][A-Z_]{1,30}$/.test(cap))
      throw new InvalidArgumentError(field, `is not a capability name, got ${quote(raw)}`);
    if (!limits.allowCaps.includes(cap)) {
      const allowed = limits.allowCaps.length > 0 ? limits.allowCaps.join(', ') : 'none';
      throw new InvalidArgumentError(
        field,
        `${cap} is not allowed by this agent's configuration (allowed: ${allowed})`,
      );
    }
    return cap;
  });
  if (d?.allowNewPrivileges && !limits.allowNewPrivileges) {
    throw new InvalidArgumentError('spec.docker.allow_new_privileges', "is not allowed by this agent's configuration");
  }
  return {
    image,
    network,
    readOnlyRoot: !d?.writableRoot,
    ports,
    mounts,
    pidsLimit: pidsRaw || limits.defaultPidsLimit,
    capAdd: [...new Set(capAdd)],
    allowNewPrivileges: d?.allowNewPrivileges ?? false,
  };
}

function validateMount(
  m: { source: string; target: string; readOnly: boolean },
  field: string,
  limits: DockerLimits,
): DockerMountSettings {
  for (const [name, path] of [
    ['source', m.source],
    ['target', m.target],
  ] as const) {
    if (!path || Buffer.byteLength(path) > LIMITS.pathBytes || path.includes('\0') || path.includes(',')) {
      throw new InvalidArgumentError(`${field}.${name}`, `is not a valid path, got ${quote(path ?? '')}`);
    }
    if (!isAbsolute(path)) throw new InvalidArgumentError(`${field}.${name}`, `must be absolute, got ${quote(path)}`);
  }
  const target = normalize(m.target);
  if (target === '/' || target.split(sep).includes('..')) {
    throw new InvalidArgumentError(`${field}.target`, `must be a directory below /, got ${quote(m.target)}`);
  }
  if (limits.mountRoots.length === 0) {
    throw new InvalidArgumentError(
      field,
      "mounts are not allowed by this agent's configuration (it names no --docker-mount-root)",
    );
  }
  if (!m.readOnly && !limits.allowWritableMounts) {
    throw new InvalidArgumentError(
      `${field}.read_only`,
      "writable mounts are not allowed by this agent's configuration (mount it read-only: SRC:DST:ro)",
    );
  }
  let source: string;
  try {
    // The real path: a symlink must not lead out of the allowed roots.
    source = realpathSync(m.source);
    statSync(source);
  } catch {
    throw new InvalidArgumentError(`${field}.source`, `${quote(m.source)} does not exist on this node`);
  }
  const under = limits.mountRoots.some(
    (root) => source === root || source.startsWith(root.endsWith(sep) ? root : root + sep),
  );
  if (!under) {
    throw new InvalidArgumentError(
      `${field}.source`,
      `${quote(m.source)} is not under a directory this agent allows (${limits.mountRoots.join(', ')})`,
    );
  }
  // Docker resolves the path again when it mounts: it must be one that nobody else can swap.
  let risk: string | undefined;
  try {
    risk = swapRisk(pathEntries(source), trustedUids());
  } catch {
    throw new InvalidArgumentError(`${field}.source`, `${quote(m.source)} does not exist on this node`);
  }
  if (risk) {
    throw new InvalidArgumentError(
      `${field}.source`,
      `${quote(m.source)} could be swapped before Docker mounts it: ${risk}; ` +
        "the directories on a mount source's path must be root's or the agent's user's, writable by no one else",
    );
  }
  return { source, target, readOnly: m.readOnly };
}

/**
 * Resolves mount roots once, at start-up, so that the check above compares real paths. A root that
 * exists must be on a path only root or the agent's user can change (else every mount under it would
 * be refused): the error names the flag.
 */
export function resolveMountRoots(roots: readonly string[]): string[] {
  return roots.map((r) => {
    let real: string;
    try {
      real = realpathSync(r);
    } catch {
      return normalize(r); // not there yet: mounts under it are refused until it is
    }
    const risk = mountRootRisk(real);
    if (risk) throw new Error(`--docker-mount-root ${quote(r)}: mounts under it could be swapped: ${risk}`);
    return real;
  });
}
