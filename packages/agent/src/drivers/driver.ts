// The one interface every workload driver implements (process, docker, mock). The agent's
// WorkloadRunner only talks to drivers through it; test/driver-conformance.ts holds the shared tests.
// A driver's own settings (docker's sandbox) are opaque here: the driver validates its part of the
// spec (validateSpec) and alone reads what it made (TaskConfig.driverConfig).
import type { WorkloadSpec__Output } from '@mo/api';

/** What a driver needs to start one workload. Already validated and normalised. */
export interface TaskConfig {
  id: string;
  argv: string[];
  /** The complete environment of the workload (no implicit inheritance from the agent). */
  env: Record<string, string>;
  workingDir: string;
  /** Directory owned by this workload: logs (stdout.log, stderr.log) and driver files live here. */
  taskDir: string;
  /** Size cap per log file; one rotated copy (`.1`) is kept. */
  logMaxBytes: number;
  /** Declared resources (0 = undeclared): limits in the workload's container or cgroup. */
  cpuMillis?: number;
  memoryBytes?: number;
  /** Most processes (and threads) the workload may hold; 0 = none (the process driver's cgroup). */
  pidsLimit?: number;
  /** The workload's labels (the docker driver copies the scheduler's `mo.workload` onto its container). */
  labels?: Record<string, string>;
  /**
   * The driver's own settings, as its validateSpec made them (the docker driver's sandbox); absent
   * for a driver that takes none. Opaque here: only that driver reads them.
   */
  driverConfig?: unknown;
  /**
   * Who it runs as (resolved: users/policy.ts). The process driver switches to it when the agent
   * is root (else the workload runs as the agent, which the policy made sure is this user); a
   * docker container runs as uid:gid with the groups added.
   */
  user?: { name: string; uid: number; gid: number; groups: readonly number[] };
  /**
   * Named ports (spec.ports) with the host ports the agent allocated for them: a process is told
   * them in its env; the docker driver publishes each host port to its container port (`to`).
   */
  ports?: ReadonlyArray<{ name: string; to: number; hostPort: number; hostIp: string }>;
}

/** A container port published on a host port (docker driver). */
export interface PortMappingRecord {
  containerPort: number;
  hostPort: number;
  hostIp: string;
}

/** Persisted by the agent so a restarted agent can find the workload again. Opaque per driver. */
export interface TaskHandle {
  driver: string;
  /** Main process id (process driver) — shown to users; 0 when not applicable. */
  pid: number;
  /** Driver-specific identity, e.g. pid start time + boot id, or a container id. */
  data: Record<string, string | number>;
  /** Host ports the workload holds while it runs (docker driver). */
  ports?: PortMappingRecord[];
}

/** How a workload ended. */
export interface ExitResult {
  exitCode?: number;
  /** Signal name when killed by a signal ("SIGKILL"). */
  signal?: string;
  /** Set when the program could not be started at all (exec failed). */
  startError?: string;
  /** The kernel's OOM killer ended it (memory limit reached): reported as failed, reason oom_killed. */
  oomKilled?: boolean;
  /** Bytes its log files hold at the end, when the driver counted them (mo-shim does). */
  logBytes?: number;
  finishedAtMs: number;
}

/** What recovery found for a persisted handle. */
export type WaitResult =
  | { status: 'exited'; exit: ExitResult }
  /** Neither running nor a recorded exit: the workload is gone without trace (e.g. host reboot). */
  | { status: 'lost'; reason: string };

/**
 * What recovery found; `running` carries the handle (found anew if the agent died mid-start, or
 * when the driver records its starts, with the time the workload started).
 */
export type RecoverResult = { status: 'running'; handle: TaskHandle; startedAtMs?: number } | WaitResult;

export interface TaskUsage {
  /** Of the workload's whole tree (its cgroup, or what the driver can find), 100 = one core. */
  cpuPercent: number;
  rssBytes: number;
  /** Processes in the tree when measured (unknown if absent). */
  processes?: number;
}

/** What a driver made of its part of a StartWorkload spec (Driver.validateSpec). */
export interface DriverSpec {
  /** Its settings, validated and with its defaults filled: saved with the workload, then driverConfig. */
  config: unknown;
  /**
   * Set when the workload runs in a root of its own (an image): its working dir there, checked by
   * the driver ('' = the image's own). argv[0] is found there too, so the agent checks neither on
   * the host. Absent: both are host paths, which the agent checks.
   */
  workingDir?: string;
}

export interface Driver {
  readonly name: string;
  /**
   * The WorkloadSpec field with this driver's own settings ('docker'): validateSpec reads it, and a
   * workload of another driver that sets it is refused. Absent: the driver takes no settings.
   */
  readonly specField?: keyof WorkloadSpec__Output;
  /**
   * Validates and normalises this driver's part of a StartWorkload spec, once the common fields are
   * valid; throws InvalidArgumentError naming the field (`spec.docker.image: ...`). Optional.
   */
  validateSpec?(spec: WorkloadSpec__Output): DriverSpec;
  /**
   * The driver leaves its own durable record of each start in the task dir, from which
   * recover(undefined, dir) rebuilds the whole handle. The agent then need not persist the
   * `running` state: the start path saves one write (and its thread-pool round trips).
   */
  readonly recordsStart?: boolean;
  /** Starts the workload; resolves once it is running (or rejects with StartFailedError). */
  start(config: TaskConfig): Promise<TaskHandle>;
  /** Resolves when the workload has ended, with its real exit status. Works for recovered handles. */
  wait(handle: TaskHandle, taskDir: string): Promise<WaitResult>;
  /** Graceful stop: SIGTERM (or equivalent) to everything the workload started, then SIGKILL after graceMs. */
  stop(handle: TaskHandle, graceMs: number): Promise<void>;
  /** After an agent restart: is the workload behind this handle still there? Never signals anything. */
  recover(handle: TaskHandle | undefined, taskDir: string): Promise<RecoverResult>;
  /** Current CPU and memory of running workloads, keyed by workload id; missing ids are not running. */
  usage(handles: Map<string, TaskHandle>): Promise<Map<string, TaskUsage>>;
  /**
   * After recovery: removes what this driver started on this node for workloads the agent no
   * longer knows (e.g. containers labelled as this node's); returns what it removed. Optional.
   */
  removeOrphans?(known: ReadonlySet<string>): Promise<string[]>;
  /**
   * The argv that runs `argv` inside the workload (an exec health check): the docker driver's
   * `docker exec <container> ...`. Absent: it runs on the host, as the workload's user.
   */
  execArgv?(handle: TaskHandle, argv: readonly string[]): string[];
  /** Releases timers and resources; running workloads are left alone. */
  close(): Promise<void>;
}

/** Thrown by Driver.start when the workload could not be started; the workload is `failed`. */
export class StartFailedError extends Error {
  readonly exit: ExitResult;
  constructor(message: string, exit: ExitResult) {
    super(message);
    this.name = 'StartFailedError';
    this.exit = exit;
  }
}
