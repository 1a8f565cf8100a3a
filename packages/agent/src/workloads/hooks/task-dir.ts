// The task dir hook: where a workload's own files are (on the host, and inside its sandbox), and,
// just before it starts, giving it the parts it must write to its user. The dir itself is made by
// the store with the first record (state/workload-store.ts, which also says who owns what); the
// agent writes its inputs first (artifacts hook), so this hook runs last before the driver.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chownTree } from '../../users/index.js';
import type { WorkloadRecords } from '../../state/workload-store.js';
import type { NormalizedSpec, WorkloadRecord } from '../record.js';
import type { WorkloadHook } from './hook.js';

/** Where a docker workload's own dir (<taskDir>/mo: $MO_OUTPUT, the artifact workspace) is mounted. */
export const SANDBOX_MO_DIR = '/mo';
export const SANDBOX_WORK_DIR = '/mo/work';

/** The paths of one workload's files, which several hooks share. */
export class TaskDirs {
  constructor(
    private readonly options: {
      /** The workload's task dir (the store's). */
      dirOf(id: string): string;
      /** The uid the agent runs as: 0 switches workloads to their users. */
      agentUid: number;
    },
  ) {}

  dirOf(id: string): string {
    return this.options.dirOf(id);
  }

  /** <taskDir>/mo: bound at /mo in a docker workload. */
  sandboxDir(id: string): string {
    return join(this.options.dirOf(id), 'mo');
  }

  /** The host directory artifacts are relative to. */
  workDir(spec: NormalizedSpec): string {
    return spec.docker ? join(this.sandboxDir(spec.id), 'work') : spec.workingDir;
  }

  /** The host path of $MO_OUTPUT. */
  outputFile(spec: NormalizedSpec): string {
    return spec.docker ? join(this.sandboxDir(spec.id), 'output') : join(this.options.dirOf(spec.id), 'output');
  }

  /**
   * The uid whose files the agent reads back from a workload's dirs (outputs, artifacts): its user.
   * A file of anyone else there (a link to another's file) is not read: the agent reads as root,
   * the workload could not have. Undefined: any owner (the agent runs it as itself, or old records).
   */
  fileOwner(spec: NormalizedSpec): number | undefined {
    return spec.runAs && this.options.agentUid === 0 ? spec.runAs.uid : undefined;
  }

  /** True when workloads run as their own users (the agent is root), so their files must be handed over. */
  get switchesUsers(): boolean {
    return this.options.agentUid === 0;
  }
}

/**
 * Gives the workload what it must write to its user, just before it starts (an agent that is not
 * root runs workloads as itself: they own it already). Process workloads: their `work` dir and
 * `output` file; docker ones: their sandbox dir, bound at /mo.
 */
export class TaskDirHook implements WorkloadHook {
  readonly name = 'task dir';

  constructor(
    private readonly dirs: TaskDirs,
    private readonly store: Pick<WorkloadRecords, 'handOver'>,
  ) {}

  prestart(record: WorkloadRecord): void {
    const { spec } = record;
    const owner = spec.runAs;
    if (!owner || !this.dirs.switchesUsers) return;
    if (!spec.docker) {
      this.store.handOver(spec.id, owner, (spec.artifacts?.inputs.length ?? 0) > 0);
      return;
    }
    const dir = this.dirs.sandboxDir(spec.id);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chownTree(dir, owner.uid, owner.gid);
  }
}
