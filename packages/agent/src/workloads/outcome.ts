// How a workload's end reads, decided apart from acting on it: a pure function of what the agent
// knows of the workload (a stop it asked for, a fence, a timeout) and what its driver reported.
// What the agent did wins over how the process ended: a workload stopped by request is `stopped`
// whatever its exit code, one the agent fenced is `lost` (so the scheduler replaces it).
import { formatDuration } from '@mo/api';
import type { WaitResult } from '../drivers/driver.js';
import type { WorkloadRecord, WorkloadStateName } from './record.js';

export interface Outcome {
  /** `succeeded`: once its `succeeding` hooks (the artifact upload) are done, else `failed`. */
  state: WorkloadStateName;
  reason: string;
}

export function outcomeOf(
  record: Pick<WorkloadRecord, 'stopRequested' | 'fenced' | 'timedOut' | 'checkFailed'> & {
    spec: { timeoutMs?: number };
  },
  result: WaitResult,
): Outcome {
  if (result.status === 'lost') {
    // Asked to stop and gone, though how it ended is unknown (e.g. it had killed its mo-shim).
    if (record.stopRequested) return { state: 'stopped', reason: `stopped by request (${result.reason})` };
    return { state: 'lost', reason: result.reason };
  }
  const { exit } = result;
  const how = exit.startError ?? (exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.exitCode}`);
  if (record.stopRequested) return { state: 'stopped', reason: `stopped by request (${how})` };
  if (record.fenced) return { state: 'lost', reason: `${record.fenced} (${how})` };
  if (record.timedOut) {
    return { state: 'failed', reason: `timed out after ${formatDuration(record.spec.timeoutMs ?? 0)} (${how})` };
  }
  if (record.checkFailed) return { state: 'failed', reason: `${record.checkFailed} (${how})` };
  if (exit.oomKilled) return { state: 'failed', reason: `oom_killed: out of memory (${how})` };
  if (!exit.startError && !exit.signal && exit.exitCode === 0) return { state: 'succeeded', reason: how };
  return { state: 'failed', reason: how };
}
