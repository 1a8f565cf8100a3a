// The workload lifecycle on the agent as hooks, one per concern (Nomad's
// client/allocrunner/interfaces/task_lifecycle.go): the WorkloadRunner (../runner.ts) calls each
// phase of every hook, in the order of workloadHooks() (index.ts), around the driver. A hook
// implements only the phases it needs; each phase is listed here with the hooks that use it, so a
// new concern finds its place without reading the runner.
import type { WorkloadSpec__Output } from '@mo/api';
import type { ExitResult, TaskConfig } from '../../drivers/driver.js';
import type { NormalizedSpec, WorkloadRecord } from '../record.js';

export interface WorkloadHook {
  /** The concern, as tests and the README name it. */
  readonly name: string;

  /**
   * A start was validated and is about to be accepted; nothing is saved yet. May refuse it
   * (throws a MoError naming the field) or complete the normalised spec. (artifacts)
   */
  accept?(spec: NormalizedSpec, input: WorkloadSpec__Output): void;

  /**
   * Its first record is on disk; before the driver starts it. May take long (fetching inputs: a
   * start with inputs answers `starting` at once and reports the rest on the heartbeat stream).
   * A StartFailedError (drivers/driver.ts) ends the workload failed with that exit, as a driver's
   * refusal would; any other error fails the start. (artifacts, sandbox mount, task dir)
   */
  prestart?(record: WorkloadRecord): Promise<void> | void;

  /**
   * Fills in what the driver is given, just before driver.start: synchronous and free of
   * side effects; config starts as the spec's own values. (environment, sandbox mount)
   */
  configure?(record: WorkloadRecord, config: TaskConfig): void;

  /** It runs: started now, or re-attached after an agent restart. (timeout) */
  poststart?(record: WorkloadRecord): void;

  /**
   * The driver reported how it exited (also when the exit happened while the agent was down);
   * its state is decided right after. Not called when it was lost without an exit. (outputs, timeout)
   */
  exited?(record: WorkloadRecord, exit: ExitResult): void;

  /**
   * It exited 0; work that must be done before it counts as succeeded. Undefined: nothing to do
   * (it is succeeded at once); a promise: a note for its reason once done, and a rejection makes it
   * failed (its message ends the reason: "exited with code 0, but <message>"). (artifacts: the upload)
   */
  succeeding?(record: WorkloadRecord): Promise<string> | undefined;

  /** The agent is shutting down; workloads keep running (a restarted agent re-attaches). (timeout) */
  close?(): void;
}
