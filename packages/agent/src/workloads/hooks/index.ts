// The hooks a workload goes through on the agent, in the one order the WorkloadRunner calls every
// phase in (README.md draws it). The order matters for prestart: the agent writes into the task dir
// (inputs, the sandbox dir) while it is still its own, and the task dir hook hands it to the
// workload's user last, right before the driver starts it.
import type { Logger } from '@mo/api';
import type { WorkloadRecords } from '../../state/workload-store.js';
import type { ArtifactTransfer } from '../artifacts.js';
import type { WorkloadRecord } from '../record.js';
import { ArtifactsHook } from './artifacts.js';
import { EnvironmentHook } from './environment.js';
import type { WorkloadHook } from './hook.js';
import { OutputsHook } from './outputs.js';
import { PortsHook } from './ports.js';
import { SandboxMountHook } from './sandbox-mount.js';
import { TaskDirHook, TaskDirs } from './task-dir.js';
import { TimeoutHook } from './timeout.js';

export type { WorkloadHook } from './hook.js';

export interface WorkloadHooksOptions {
  store: Pick<WorkloadRecords, 'dirOf' | 'handOver'>;
  /** The uid the agent runs as (its user policy's): 0 runs workloads as their own users. */
  agentUid: number;
  nodeName: string;
  /** Moves pipeline artifacts through the scheduler (absent on a standalone agent). */
  artifacts?: ArtifactTransfer;
  logger: Logger;
  /** The host in $MO_ADDR_<NAME>: the agent's advertised address's (default 127.0.0.1). */
  addressHost?: string;
  /** Stops a workload whose run limit passed (see TimeoutHookOptions.stop). */
  stopTimedOut(record: WorkloadRecord): Promise<void>;
}

export function workloadHooks(o: WorkloadHooksOptions): WorkloadHook[] {
  const dirs = new TaskDirs({ dirOf: (id) => o.store.dirOf(id), agentUid: o.agentUid });
  return [
    // accept: validates the artifact spec; prestart: fetches inputs; succeeding: uploads.
    new ArtifactsHook(dirs, o.artifacts),
    // prestart: makes a docker workload's /mo dir; configure: binds it.
    new SandboxMountHook(dirs),
    // prestart: hands work/ and output (or the /mo dir) to the workload's user. Last before start.
    new TaskDirHook(dirs, o.store),
    // configure: the environment.
    new EnvironmentHook(dirs, o.nodeName),
    // configure: $MO_PORT_*, $MO_ADDR_* over the env (the agent's win); the ports to publish.
    new PortsHook(o.addressHost ?? '127.0.0.1'),
    // exited: reads $MO_OUTPUT.
    new OutputsHook(dirs),
    // poststart: arms the run limit; exited: clears it; close: cancels every timer.
    new TimeoutHook({ logger: o.logger, stop: (record) => o.stopTimedOut(record) }),
  ];
}
