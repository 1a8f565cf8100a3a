// The artifacts hook: when a pipeline step's artifacts move (the moving itself, through the
// scheduler, is ../artifacts.ts). At acceptance its artifact spec is validated and its workspace
// fixed; before it starts, its inputs are fetched into that workspace while it is still the agent's
// (the task dir hook hands it over after); once it exits 0, its declared artifacts are uploaded,
// and only then is it succeeded.
import { FailedPreconditionError, InvalidArgumentError, type WorkloadSpec__Output } from '@mo/api';
import { mkdirSync } from 'node:fs';
import { StartFailedError } from '../../drivers/driver.js';
import { validateArtifactSpec, type ArtifactTransfer } from '../artifacts.js';
import type { NormalizedSpec, WorkloadRecord } from '../record.js';
import type { WorkloadHook } from './hook.js';
import { SANDBOX_WORK_DIR, type TaskDirs } from './task-dir.js';

/** The exit code of a step whose inputs could not be fetched (as of a program that could not be run). */
const FETCH_FAILED_EXIT_CODE = 127;

export class ArtifactsHook implements WorkloadHook {
  readonly name = 'artifacts';

  /** transfer: absent on a standalone agent (no scheduler), which refuses steps with artifacts. */
  constructor(
    private readonly dirs: TaskDirs,
    private readonly transfer: ArtifactTransfer | undefined,
  ) {}

  /** Validates a step's artifact spec; its workspace is <taskDir>/work (<taskDir>/mo/work for docker). */
  accept(spec: NormalizedSpec, input: Pick<WorkloadSpec__Output, 'artifacts' | 'workingDir'>): void {
    if (!input.artifacts) return;
    if (!this.transfer) {
      throw new FailedPreconditionError('spec.artifacts: this agent has no scheduler to move artifacts through');
    }
    spec.artifacts = validateArtifactSpec(input.artifacts);
    if (spec.docker) {
      if (spec.workingDir && spec.workingDir !== SANDBOX_WORK_DIR) {
        throw new InvalidArgumentError('spec.working_dir', `must be empty or ${SANDBOX_WORK_DIR} with artifacts`);
      }
      spec.workingDir = SANDBOX_WORK_DIR;
    } else if (input.workingDir && spec.artifacts.inputs.length > 0 && spec.runAs && spec.runAs.uid !== 0) {
      // The agent writes inputs as root: into a dir the workload's user can change under it (a
      // symlink swapped in), that could write anywhere. Its own dir is the agent's until the task dir
      // hook hands it over.
      throw new FailedPreconditionError(
        `spec.working_dir: a step with inputs that runs as ${spec.runAs.name} works in its own dir (leave it empty)`,
      );
    }
  }

  /** Fetches a step's inputs into its workspace; a failure is the step's start error. */
  async prestart(record: WorkloadRecord): Promise<void> {
    const a = record.spec.artifacts;
    if (!a) return;
    const dir = this.dirs.workDir(record.spec);
    // The agent's own (0700) until the task dir hook gives it, with the inputs, to the workload's user.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (a.inputs.length === 0) return;
    try {
      await this.transfer!.fetchInputs(a, dir);
    } catch (err) {
      const message = (err as Error).message;
      throw new StartFailedError(message, {
        startError: message,
        exitCode: FETCH_FAILED_EXIT_CODE,
        finishedAtMs: Date.now(),
      });
    }
  }

  /** Exit 0: uploads the declared artifacts (if any), reading only files of the workload's user. */
  succeeding(record: WorkloadRecord): Promise<string> | undefined {
    const a = record.spec.artifacts;
    if (!a || a.upload.length === 0 || !this.transfer) return undefined;
    return this.transfer.upload(a, this.dirs.workDir(record.spec), this.dirs.fileOwner(record.spec)).then(
      (bytes) => `uploaded ${a.upload.length} artifact(s), ${bytes} bytes`,
      (err: unknown) => {
        throw new Error(`the artifact upload failed: ${(err as Error).message}`, { cause: err });
      },
    );
  }
}
