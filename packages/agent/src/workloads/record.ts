// The agent's own record of one workload: its normalised spec, state, driver handle and history.
// This is what is persisted (state/) and what the gRPC layer turns into WorkloadStatus.
import type { AgentWorkloadStateName, NormalizedWorkloadSpec } from '@mo/api';
import type { ExitResult, TaskHandle } from '../drivers/driver.js';
import type { DockerSettings } from '../drivers/docker/settings.js';
import type { CheckState, InstanceHealth } from '../checks/state.js';
import type { NamedPortRecord } from '../ports/named.js';
import type { RunAs } from '../users/index.js';

export { TERMINAL_STATES } from '@mo/api';
export type WorkloadStateName = AgentWorkloadStateName;

/**
 * The spec as this agent runs it: @mo/api's normalised spec (shared with the scheduler) with its
 * id, the sandbox of a docker workload as this node completed it (its defaults filled in, checked
 * against its limits), and whom it runs as.
 */
export interface NormalizedSpec extends NormalizedWorkloadSpec<DockerSettings> {
  id: string;
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
  /**
   * Its named ports (spec.ports) with the host ports allocated when it started; held until it
   * ends, and reserved again by a restarted agent.
   */
  ports?: NamedPortRecord[];
  /** How its health checks stand (spec.checks), kept so a restarted agent goes on from them. */
  health?: HealthRecord;
  /**
   * A check's failure streak reached its restart_after and the agent stopped it: the exit that
   * follows is `failed`, with this reason (`check "web" failed 3 times in a row: HTTP 503`).
   */
  checkFailed?: string;
  /** The latest transitions, oldest first, capped (see MAX_EVENTS). */
  events: WorkloadEventRecord[];
}

export interface HealthRecord {
  /** Its checks together (checks/state.ts overall). */
  status: Exclude<InstanceHealth, 'none'>;
  /** Since when `status` has held. */
  changedAtMs: number;
  /** Each check's state, by name. */
  checks: Record<string, CheckState>;
}

export const MAX_EVENTS = 32;
