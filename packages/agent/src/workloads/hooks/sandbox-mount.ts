// The sandbox mount hook: a docker workload gets its own dir (<taskDir>/mo) bound at /mo, writable
// whatever its root: $MO_OUTPUT and the artifact workspace live there, so the agent reads them on
// the host when it ends. It is the container user's (the task dir hook hands it over), mode 0700.
// A workload that mounts something of its own at /mo (or below) keeps it and gets none.
import { mkdirSync } from 'node:fs';
import { dockerSettingsOf } from '../../drivers/docker/settings.js';
import type { TaskConfig } from '../../drivers/driver.js';
import type { NormalizedSpec, WorkloadRecord } from '../record.js';
import type { WorkloadHook } from './hook.js';
import { SANDBOX_MO_DIR, type TaskDirs } from './task-dir.js';

export class SandboxMountHook implements WorkloadHook {
  readonly name = 'sandbox mount';

  constructor(private readonly dirs: TaskDirs) {}

  prestart(record: WorkloadRecord): void {
    if (!this.mounts(record.spec)) return;
    mkdirSync(this.dirs.sandboxDir(record.spec.id), { recursive: true, mode: 0o700 });
  }

  configure(record: WorkloadRecord, config: TaskConfig): void {
    const d = dockerSettingsOf(record.spec.docker);
    if (!d || !this.mounts(record.spec)) return;
    const source = this.dirs.sandboxDir(record.spec.id);
    config.driverConfig = { ...d, mounts: [...d.mounts, { source, target: SANDBOX_MO_DIR, readOnly: false }] };
  }

  private mounts(spec: NormalizedSpec): boolean {
    const d = dockerSettingsOf(spec.docker);
    return !!d && !d.mounts.some((m) => m.target === SANDBOX_MO_DIR || m.target.startsWith(`${SANDBOX_MO_DIR}/`));
  }
}
