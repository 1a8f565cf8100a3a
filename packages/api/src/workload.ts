// The one normalised workload: its spec as the scheduler and the agents keep it once validated,
// its state names, and the one way back to the wire (WorkloadSpec, WorkloadState). The scheduler
// stores it in its records and sends it to agents; an agent keeps it (with its own sandbox
// settings and the resolved user) and reports it back. Validation stays with each daemon: what
// it may check differs (the agent knows its host), the result is this shape.
import type { CheckSpec } from './checks.js';
import type { CheckSpec as WireCheckSpec } from './generated/mo/v1/CheckSpec.js';
import type { WorkloadSpec, WorkloadSpec__Output } from './generated/mo/v1/WorkloadSpec.js';
import type { WorkloadState } from './generated/mo/v1/WorkloadState.js';
import { validatePortsAndChecks } from './ports-checks.js';
import { validateUser } from './user-spec.js';
import {
  validateArgvShape,
  validateEnv,
  validateGrace,
  validateLabels,
  validateName,
  validatePidsLimit,
  validateResources,
  validateTimeout,
  type ArtifactSettings,
} from './validation.js';

/** Every state a workload can be in: `pending` and `unknown` are the scheduler's alone. */
export type WorkloadStateName =
  'pending' | 'starting' | 'running' | 'succeeded' | 'failed' | 'stopped' | 'lost' | 'unknown';

/** The states an agent's workload can be in (it has no queue and always knows its own). */
export type AgentWorkloadStateName = Exclude<WorkloadStateName, 'pending' | 'unknown'>;

/**
 * How an agent's status words a workload it could not start (the reason begins with it); the
 * scheduler reads it to word that failure as the start call's error does.
 */
export const START_REFUSED_PREFIX = 'could not start: ';

export const TERMINAL_STATES: ReadonlySet<WorkloadStateName> = new Set(['succeeded', 'failed', 'stopped', 'lost']);

const STATE_WIRE: Record<WorkloadStateName, WorkloadState> = {
  pending: 'WORKLOAD_STATE_PENDING',
  starting: 'WORKLOAD_STATE_STARTING',
  running: 'WORKLOAD_STATE_RUNNING',
  succeeded: 'WORKLOAD_STATE_SUCCEEDED',
  failed: 'WORKLOAD_STATE_FAILED',
  stopped: 'WORKLOAD_STATE_STOPPED',
  lost: 'WORKLOAD_STATE_LOST',
  unknown: 'WORKLOAD_STATE_UNKNOWN',
};

export function stateToWire(state: WorkloadStateName): WorkloadState {
  return STATE_WIRE[state];
}

const STATE_NAMES = new Map(Object.entries(STATE_WIRE).map(([name, e]) => [String(e), name as WorkloadStateName]));

/** The state name of a wire enum value (its name as the codec gives it); undefined for UNSPECIFIED. */
export function stateFromWire(state: WorkloadState | string): WorkloadStateName | undefined {
  return STATE_NAMES.get(String(state));
}

/** A docker workload's sandbox as submitted: its shape checked, the node's defaults not filled in. */
export interface DockerSpecFields {
  image: string;
  network: string;
  writableRoot: boolean;
  ports: number[];
  mounts: Array<{ source: string; target: string; readOnly: boolean }>;
  pidsLimit: number;
  /** Absent on records written before these relaxations existed. */
  capAdd?: string[];
  allowNewPrivileges?: boolean;
}

/**
 * A validated WorkloadSpec. `Docker` is the sandbox as its keeper holds it: as submitted on the
 * scheduler, the node's checked and completed settings on an agent.
 */
export interface NormalizedWorkloadSpec<Docker = DockerSpecFields> {
  name: string;
  argv: string[];
  env: Record<string, string>;
  workingDir: string;
  cpuMillis: number;
  memoryBytes: number;
  labels: Record<string, string>;
  gracePeriodMs: number;
  /** Run limit enforced by the agent (0 = none); absent in records from before it existed. */
  timeoutMs?: number;
  /**
   * How long it may be out of the scheduler's sight before it is given up (the agent stops it
   * itself when cut off that long). The scheduler resolves it at submit; on an agent, absent means
   * never (standalone starts). Absent in records from before it existed.
   */
  lostAfterMs?: number;
  /** Most processes of a process workload (its cgroup's pids.max); absent = none. */
  pidsLimit?: number;
  driver: string;
  docker?: Docker;
  /** A pipeline step's artifacts to upload and inputs to fetch (set by the pipeline engine). */
  artifacts?: ArtifactSettings;
  /** Who it runs as on its node (a name or uid[:gid]) as asked; absent: the node's default user. */
  user?: string;
  /** Named host ports the agent allocates (a job's `ports`); absent or empty: none. */
  ports?: NamedPortSpec[];
  /** Health checks the agent runs (a job's `checks`); absent or empty: none. */
  checks?: CheckSpec[];
}

/** A named host port: `to` is the container port (docker), 0 for a process. */
export interface NamedPortSpec {
  name: string;
  to: number;
}

/** Host ports a spec needs on its node: its named ports and what its sandbox publishes. */
export function hostPortsOf(s: { ports?: readonly unknown[]; docker?: { ports: readonly number[] } }): number {
  return (s.ports?.length ?? 0) + (s.docker?.ports.length ?? 0);
}

/** A check as the wire carries it (kind as text). */
export function checkToWire(c: CheckSpec): WireCheckSpec {
  return { ...c, command: [...c.command] };
}

/** The fields of a normalised spec whose checks need neither a host nor a cluster. */
export type SpecFields = Pick<
  NormalizedWorkloadSpec,
  | 'name'
  | 'argv'
  | 'env'
  | 'cpuMillis'
  | 'memoryBytes'
  | 'labels'
  | 'gracePeriodMs'
  | 'timeoutMs'
  | 'lostAfterMs'
  | 'pidsLimit'
  | 'user'
  | 'ports'
  | 'checks'
>;

/**
 * Checks and normalises what the scheduler and an agent check alike (each error names its field);
 * `driver` is the caller's, already checked. What only one side can check (ids, the working dir,
 * the sandbox, what its host has) and the defaults each resolves stay with it: an absent
 * lost_after is left absent here, and a grace of 0 stays 0.
 */
export function validateSpecFields(spec: WorkloadSpec__Output, driver: string): SpecFields {
  validateArgvShape(spec.argv ?? []);
  const env = validateEnv(spec.env ?? {});
  const name = validateName('spec.name', spec.name ?? '');
  const { cpuMillis, memoryBytes } = validateResources('spec.resources', spec.resources);
  const labels = validateLabels(spec.labels ?? {});
  const gracePeriodMs = validateGrace('spec.grace_period_ms', spec.gracePeriodMs ?? 0);
  const timeoutMs = validateTimeout('spec.timeout_ms', spec.timeoutMs ?? 0);
  const lost = spec.lostAfterMs;
  const lostAfterMs = lost === undefined || lost === null ? undefined : validateTimeout('spec.lost_after_ms', lost);
  const pidsLimit = validatePidsLimit(spec.pidsLimit, driver);
  const user = validateUser('spec.user', spec.user);
  const { ports, checks } = validatePortsAndChecks(spec, driver);
  return {
    name,
    argv: [...spec.argv],
    env,
    cpuMillis,
    memoryBytes,
    labels,
    gracePeriodMs,
    timeoutMs,
    ...(lostAfterMs !== undefined && { lostAfterMs }),
    // Records keep these only when set.
    ...(pidsLimit > 0 && { pidsLimit }),
    ...(user && { user }),
    ...(ports && { ports }),
    ...(checks && { checks }),
  };
}

export interface SpecToWireOptions {
  /** The allocation (or agent workload) id the message carries. */
  id: string;
  /** Labels to send instead of the spec's (the scheduler adds its workload id for the agent). */
  labels?: Record<string, string>;
  /**
   * Id, name, driver, resources and labels only, without argv, env or sandbox: for messages that
   * echo a spec to the side that has it (an agent's heartbeat changes and start results). A full
   * spec is up to 1 MiB; echoed for each workload of a batch it made messages of tens of MiB.
   */
  brief?: boolean;
}

/**
 * The WorkloadSpec message of a normalised spec. Brief, any sandbox shape will do (only its port
 * count is read): an agent echoes specs on every heartbeat change without converting its sandbox.
 */
export function specToWire(
  s: NormalizedWorkloadSpec<{ ports: readonly number[] }>,
  opts: SpecToWireOptions & { brief: true },
): WorkloadSpec;
export function specToWire(s: NormalizedWorkloadSpec, opts: SpecToWireOptions): WorkloadSpec;
export function specToWire(
  s: NormalizedWorkloadSpec<DockerSpecFields | { ports: readonly number[] }>,
  opts: SpecToWireOptions,
): WorkloadSpec {
  // Host ports follow from what a sandbox publishes (placement books them on the node).
  const resources = { cpuMillis: s.cpuMillis, memoryBytes: s.memoryBytes, hostPorts: hostPortsOf(s) };
  const labels = opts.labels ?? s.labels;
  if (opts.brief) return { id: opts.id, name: s.name, resources, labels, driver: s.driver };
  return {
    id: opts.id,
    name: s.name,
    argv: s.argv,
    env: s.env,
    workingDir: s.workingDir,
    resources,
    labels,
    gracePeriodMs: s.gracePeriodMs,
    timeoutMs: s.timeoutMs ?? 0,
    // Presence matters: unset means the cluster's default on submit, never on an agent.
    ...(s.lostAfterMs !== undefined && { lostAfterMs: s.lostAfterMs }),
    pidsLimit: s.pidsLimit ?? 0,
    driver: s.driver,
    // The full overload takes only the submitted sandbox shape.
    ...(s.docker !== undefined && { docker: s.docker as DockerSpecFields }),
    ...(s.artifacts && { artifacts: s.artifacts }),
    user: s.user ?? '',
    ports: s.ports ?? [],
    checks: (s.checks ?? []).map(checkToWire),
  };
}
