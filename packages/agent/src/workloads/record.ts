// The agent's own record of one workload: its normalised spec, state, driver handle and history.
// This is what is persisted (state/) and what the gRPC layer turns into WorkloadStatus.
import type { ExitResult, TaskHandle } from '../drivers/driver.js';
import type { DockerSettings } from '../drivers/docker/settings.js';
import type { ArtifactSettings } from './artifacts.js';
import type { RunAs } from '../users/index.js';

export type WorkloadStateName = 'starting' | 'running' | 'succeeded' | 'failed' | 'stopped' | 'lost';

export const TERMINAL_STATES: ReadonlySet<WorkloadStateName> = new Set(['succeeded', 'failed', 'stopped', 'lost']);

export interface NormalizedSpec {
  id: string;
  name: string;
  argv: string[];
  env: Record<string, string>;
  workingDir: string;
  cpuMillis: number;
  memoryBytes: number;
  labels: Record<string, string>;
  gracePeriodMs: number;
  driver: string;
  /** Run limit in ms from the start (0 = none); absent in records from before it existed. */
  timeoutMs?: number;
  /**
   * Stopped by this agent once cut off from the scheduler this long (the scheduler gives it up
   * then); absent: never (standalone starts).
   */
  lostAfterMs?: number;
  /** Most processes of a process workload (its cgroup's pids.max); absent = none. */
  pidsLimit?: number;
  /** The sandbox of a docker workload (validated, the agent's defaults filled in). */
  docker?: DockerSettings;
  /** A pipeline step's artifacts to upload and inputs to fetch. */
  artifacts?: ArtifactSettings;
  /** spec.user as asked ('' or absent: the agent's default user). */
  user?: string;
  /**
   * Who it runs as: spec.user (or the default user) resolved when it was accepted. Absent in
   * records from before agents switched users (those ran as the agent).
   */
  runAs?: RunAs;
}

export interface WorkloadEventRecord {
  state: WorkloadStateName;
  reason: string;
  atMs: number;
}

export interface WorkloadRecord {
  spec: NormalizedSpec;
  state: WorkloadStateName;
  reason: string;
  createdAtMs: number;
  startedAtMs: number;
  handle?: TaskHandle;
  exit?: ExitResult;
  /** What it wrote to $MO_OUTPUT, read when it ended; and the lines that were ignored. */
  outputs?: Record<string, string>;
  outputsIgnored?: number;
  /** A stop was requested: the exit that follows is `stopped`, whatever its code. */
  stopRequested?: boolean;
  /** Its run limit passed and the agent stopped it: the exit that follows is `failed`. */
  timedOut?: boolean;
  /** When its logs were removed to keep the agent's logs under --max-log-disk (it had ended). */
  logsRemovedAtMs?: number;
  /**
   * Cut off from the scheduler past its lost_after, the agent stopped it (self-fencing): the exit
   * that follows is `lost`, with this reason, so the scheduler replaces it per its policy.
   */
  fenced?: string;
  /** The latest transitions, oldest first, capped (see MAX_EVENTS). */
  events: WorkloadEventRecord[];
}

export const MAX_EVENTS = 32;
