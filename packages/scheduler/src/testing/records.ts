// Builders for tests: a whole WorkloadRecord from the few fields a rule looks at, and the status an
// agent reports for an allocation. Shared by the pure decisions' tests and the harness.
import type { WorkloadSpec__Output, WorkloadStatus__Output } from '@mo/api';
import {
  LABEL_WORKLOAD_ID,
  type RestartPolicyRecord,
  type WorkloadRecord,
  type WorkloadStateName,
} from '../workloads/record.js';

/** The proto name an agent reports for each of our states. */
export const AGENT_STATE: Record<WorkloadStateName, WorkloadStatus__Output['state']> = {
  pending: 'WORKLOAD_STATE_PENDING',
  starting: 'WORKLOAD_STATE_STARTING',
  running: 'WORKLOAD_STATE_RUNNING',
  unknown: 'WORKLOAD_STATE_UNKNOWN',
  succeeded: 'WORKLOAD_STATE_SUCCEEDED',
  failed: 'WORKLOAD_STATE_FAILED',
  stopped: 'WORKLOAD_STATE_STOPPED',
  lost: 'WORKLOAD_STATE_LOST',
};

export type RecordOverrides = Partial<WorkloadRecord> & { restart?: Partial<RestartPolicyRecord> };

/** A workload record: by default W1, running as allocation A1 on node N1 (n1), restart on-failure. */
export function workloadRecord(over: RecordOverrides = {}): WorkloadRecord {
  const { restart, ...rest } = over;
  return {
    id: 'W1',
    spec: {
      name: '',
      argv: ['true'],
      env: {},
      workingDir: '',
      cpuMillis: 100,
      memoryBytes: 64 << 20,
      labels: {},
      gracePeriodMs: 5000,
      lostAfterMs: 30_000,
      driver: 'process',
    },
    scheduling: {
      constraints: {},
      node: '',
      priority: 'normal',
      restart: { mode: 'on-failure', maxAttempts: 0, initialBackoffMs: 1000, maxBackoffMs: 300_000, ...restart },
      batch: false,
    },
    idempotencyKey: '',
    state: 'running',
    reason: 'running on n1 (pid 100)',
    allocationId: 'A1',
    nodeId: 'N1',
    nodeName: 'n1',
    attempt: 1,
    restarts: 0,
    pid: 100,
    runningSinceMs: 1000,
    createdAtMs: 0,
    updatedAtMs: 1000,
    notBeforeMs: 0,
    stopRequested: false,
    events: [{ state: 'pending', reason: 'submitted', atMs: 0 }],
    ...rest,
  };
}

export interface StatusOverrides {
  workloadId?: string;
  reason?: string;
  pid?: number;
  startedAtMs?: number;
  exitCode?: number;
  finishedAtMs?: number;
  outputs?: Record<string, string>;
  runAs?: string;
  ports?: Array<{ containerPort: number; hostPort: number; hostIp: string }>;
}

/** What an agent reports for `allocationId` in `state` (labelled with its workload id when given). */
export function agentStatus(
  allocationId: string,
  state: WorkloadStateName,
  o: StatusOverrides = {},
): WorkloadStatus__Output {
  const ended = state === 'succeeded' || state === 'failed' || state === 'stopped';
  return {
    spec: {
      id: allocationId,
      labels: o.workloadId ? { [LABEL_WORKLOAD_ID]: o.workloadId } : {},
    } as unknown as WorkloadSpec__Output,
    state: AGENT_STATE[state],
    reason: o.reason ?? '',
    pid: o.pid ?? (state === 'running' ? 100 : 0),
    createdAtMs: 0,
    startedAtMs: o.startedAtMs ?? 0,
    exit: ended
      ? {
          exited: state !== 'stopped',
          exitCode: o.exitCode ?? (state === 'failed' ? 1 : 0),
          signal: state === 'stopped' ? 'SIGTERM' : '',
          finishedAtMs: o.finishedAtMs ?? 0,
        }
      : null,
    usage: null,
    ports: (o.ports ?? []).map((p) => ({ name: '', ...p })),
    outputs: o.outputs ?? {},
    outputsIgnored: 0,
    runAs: o.runAs ?? '',
    health: 'HEALTH_UNSPECIFIED',
    checks: [],
    healthChangedAtMs: 0,
  };
}
