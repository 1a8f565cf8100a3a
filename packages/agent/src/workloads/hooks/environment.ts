// The environment hook: the whole environment a workload gets. A minimal base (the agent's own
// env is never leaked into workloads: it may hold the agent's secrets) with what mo tells every
// workload (MO_*), then its spec's env on top.
import { newStringMap } from '@mo/api';
import type { TaskConfig } from '../../drivers/driver.js';
import type { NormalizedSpec, WorkloadRecord } from '../record.js';
import { DEFAULT_PATH } from '../validate.js';
import type { WorkloadHook } from './hook.js';
import { SANDBOX_MO_DIR, type TaskDirs } from './task-dir.js';

export class EnvironmentHook implements WorkloadHook {
  readonly name = 'environment';

  constructor(
    private readonly dirs: TaskDirs,
    private readonly nodeName: string,
  ) {}

  configure(record: WorkloadRecord, config: TaskConfig): void {
    config.env = this.environmentOf(record.spec);
  }

  /**
   * The base + the spec's env, the spec winning. A prototype-free map, so a variable named
   * `__proto__` reaches the process like any other.
   */
  environmentOf(spec: NormalizedSpec): Record<string, string> {
    const base = spec.docker
      ? {
          // In a container the host's paths mean nothing; /tmp is its writable tmpfs.
          PATH: DEFAULT_PATH,
          HOME: '/tmp',
          MO_WORKLOAD_ID: spec.id,
          MO_WORKLOAD_NAME: spec.name,
          MO_NODE_NAME: this.nodeName,
          MO_OUTPUT: `${SANDBOX_MO_DIR}/output`,
        }
      : {
          PATH: DEFAULT_PATH,
          HOME: spec.workingDir,
          ...(spec.runAs && { USER: spec.runAs.name, LOGNAME: spec.runAs.name }),
          MO_WORKLOAD_ID: spec.id,
          MO_WORKLOAD_NAME: spec.name,
          MO_NODE_NAME: this.nodeName,
          MO_WORKLOAD_DIR: this.dirs.dirOf(spec.id),
          MO_OUTPUT: this.dirs.outputFile(spec),
        };
    return newStringMap([...Object.entries(base), ...Object.entries(spec.env)]);
  }
}
