// The outputs hook: when a workload exits, the `key=value` lines it wrote to $MO_OUTPUT are read
// (bounded, its user's file only: see ../outputs.ts) into its record, which reports them with the
// terminal state (a pipeline passes them to later steps). A program that never ran wrote none.
import type { ExitResult } from '../../drivers/driver.js';
import { readOutputs } from '../outputs.js';
import type { WorkloadRecord } from '../record.js';
import type { WorkloadHook } from './hook.js';
import type { TaskDirs } from './task-dir.js';

export class OutputsHook implements WorkloadHook {
  readonly name = 'outputs';

  constructor(private readonly dirs: TaskDirs) {}

  exited(record: WorkloadRecord, exit: ExitResult): void {
    if (exit.startError) return;
    const { outputs, ignored } = readOutputs(this.dirs.outputFile(record.spec), this.dirs.fileOwner(record.spec));
    record.outputs = outputs;
    record.outputsIgnored = ignored;
  }
}
