// Validation of StartWorkload input. Every rejection is an InvalidArgumentError whose message
// starts with the proto field path (`spec.argv[0]: ...`), and every size is bounded, so nothing a
// client sends can crash the agent or exhaust it.
import {
  ID_RE,
  InvalidArgumentError,
  LIMITS,
  quote,
  validateGrace,
  validateSpecFields,
  validateWorkloadId,
  type WorkloadSpec__Output,
} from '@mo/api';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { DEFAULT_DOCKER_LIMITS, validateDockerSpec, type DockerLimits } from '../drivers/docker/settings.js';
import type { NormalizedSpec } from './record.js';
import type { RunAs } from '../users/index.js';

// Shared shape checks, re-exported for the agent's callers.
export { LIMITS, validateGrace, validateWorkloadId };

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ValidateContext {
  /** Fresh id when the client did not give one. */
  newId: () => string;
  /** The default working dir of a workload with this id. */
  defaultWorkingDir: (id: string) => string;
  defaultGracePeriodMs: number;
  drivers: readonly string[];
  /** The docker driver's configuration (defaults and the bounds of relaxations). */
  docker?: DockerLimits;
  /**
   * Who a workload with this spec.user ('' = none) runs as here; throws FailedPreconditionError
   * (`spec.user: ...`) for a user that does not exist or is not allowed (users/policy.ts).
   */
  runAs: (user: string) => RunAs;
}

export function validateStartSpec(spec: WorkloadSpec__Output | null | undefined, ctx: ValidateContext): NormalizedSpec {
  if (!spec) throw new InvalidArgumentError('spec', 'is required');

  const id = spec.id || ctx.newId();
  if (!ID_RE.test(id)) throw new InvalidArgumentError('spec.id', `must match ${ID_RE.source}, got ${quote(id)}`);
  const driver = spec.driver || 'process';
  if (!ctx.drivers.includes(driver)) {
    throw new InvalidArgumentError(
      'spec.driver',
      `driver ${quote(driver)} is not available on this node (have: ${ctx.drivers.join(', ')})`,
    );
  }
  const fields = validateSpecFields(spec, driver);
  const env = fields.env;
  // Absent lost_after: never stopped for being cut off from the scheduler (see reporter/self-fence.ts).
  const common = { id, ...fields, gracePeriodMs: fields.gracePeriodMs || ctx.defaultGracePeriodMs, driver };
  // Last, after every INVALID_ARGUMENT check: whether it may run here at all, and as whom.
  const who = () => ({ runAs: ctx.runAs(fields.user ?? '') });

  // A docker workload runs in its image: argv[0] and working_dir are paths in the container.
  if (driver === 'docker') {
    const workingDir = spec.workingDir ?? '';
    if (
      workingDir &&
      (Buffer.byteLength(workingDir) > LIMITS.pathBytes || !isAbsolute(workingDir) || workingDir.includes('\0'))
    ) {
      throw new InvalidArgumentError(
        'spec.working_dir',
        `must be an absolute path in the container, got ${quote(workingDir)}`,
      );
    }
    const docker = validateDockerSpec(spec.docker, ctx.docker ?? DEFAULT_DOCKER_LIMITS);
    return { ...common, workingDir, docker, ...who() };
  }
  if (spec.docker)
    throw new InvalidArgumentError('spec.docker', `is only for driver "docker" (driver is ${quote(driver)})`);

  let workingDir: string;
  if (spec.workingDir) {
    if (Buffer.byteLength(spec.workingDir) > LIMITS.pathBytes || spec.workingDir.includes('\0')) {
      throw new InvalidArgumentError('spec.working_dir', 'is not a valid path');
    }
    if (!isAbsolute(spec.workingDir)) {
      throw new InvalidArgumentError('spec.working_dir', `must be an absolute path, got ${quote(spec.workingDir)}`);
    }
    if (!isDirectory(spec.workingDir)) {
      throw new InvalidArgumentError(
        'spec.working_dir',
        `${quote(spec.workingDir)} does not exist or is not a directory`,
      );
    }
    workingDir = spec.workingDir;
  } else {
    workingDir = ctx.defaultWorkingDir(id);
  }
  resolveExecutable(spec.argv[0]!, env.PATH ?? DEFAULT_PATH, spec.workingDir || undefined);
  return { ...common, workingDir, ...who() };
}

/**
 * Finds the program the way execvp will: a name with a slash is a path (relative to the working
 * dir), otherwise it is searched in PATH. Checked up front so "no such binary" is a clear
 * INVALID_ARGUMENT instead of a workload that fails a moment later.
 */
export function resolveExecutable(program: string, pathVar: string, workingDir?: string): string {
  const candidates = program.includes('/')
    ? [resolve(workingDir ?? '/', program)]
    : pathVar
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, program));
  for (const candidate of candidates) {
    if (isExecutableFile(candidate)) return candidate;
  }
  const where = program.includes('/') ? 'does not exist or is not executable' : `not found in PATH (${pathVar})`;
  throw new InvalidArgumentError('spec.argv[0]', `${quote(program)} ${where}`);
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
