// Validation of StartWorkload input. Every rejection is an InvalidArgumentError whose message
// starts with the proto field path (`spec.argv[0]: ...`), and every size is bounded, so nothing a
// client sends can crash the agent or exhaust it. The common fields are checked here; a driver's
// own part of the spec (docker's sandbox) by the driver (Driver.validateSpec).
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
import type { Driver, DriverSpec } from '../drivers/driver.js';
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
  /** This agent's drivers by name: each validates its own part of a spec. */
  drivers: ReadonlyMap<string, Pick<Driver, 'specField' | 'validateSpec'>>;
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
  const driverSpec = ctx.drivers.get(driver);
  if (!driverSpec) {
    throw new InvalidArgumentError(
      'spec.driver',
      `driver ${quote(driver)} is not available on this node (have: ${[...ctx.drivers.keys()].join(', ')})`,
    );
  }
  const fields = validateSpecFields(spec, driver);
  const env = fields.env;
  // Absent lost_after: never stopped for being cut off from the scheduler (see reporter/self-fence.ts).
  const common = { id, ...fields, gracePeriodMs: fields.gracePeriodMs || ctx.defaultGracePeriodMs, driver };
  // Last, after every INVALID_ARGUMENT check: whether it may run here at all, and as whom.
  const who = () => ({ runAs: ctx.runAs(fields.user ?? '') });

  for (const [other, { specField }] of ctx.drivers) {
    if (other !== driver && specField && spec[specField]) {
      throw new InvalidArgumentError(
        `spec.${specField}`,
        `is only for driver ${quote(other)} (driver is ${quote(driver)})`,
      );
    }
  }
  const own = driverSpec.validateSpec?.(spec);
  // A workload in a root of its own (an image): its paths were the driver's to check.
  if (own?.workingDir !== undefined) return { ...common, workingDir: own.workingDir, ...settingsOf(own), ...who() };

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
  return { ...common, workingDir, ...settingsOf(own), ...who() };
}

/**
 * A record keeps its driver's settings under `docker`: the field's name since docker was the one
 * driver with any, kept so that an agent restarts on its old state dir. Opaque but for that name.
 */
function settingsOf(own: DriverSpec | undefined): Pick<NormalizedSpec, 'docker'> {
  return own?.config !== undefined ? { docker: own.config as NormalizedSpec['docker'] } : {};
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
