// Validation of StartWorkload input. Every rejection is an InvalidArgumentError whose message
// starts with the proto field path (`spec.argv[0]: ...`), and every size is bounded, so nothing a
// client sends can crash the agent or exhaust it.
import { InvalidArgumentError, type WorkloadSpec__Output } from '@mo/api';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { NormalizedSpec } from './record.js';

export const LIMITS = {
  argvCount: 4096,
  argvBytes: 128 * 1024,
  envCount: 1024,
  envBytes: 128 * 1024,
  labelCount: 64,
  labelKeyBytes: 63,
  labelValueBytes: 256,
  pathBytes: 4096,
  maxGracePeriodMs: 60 * 60 * 1000,
} as const;

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const ID_RE = /^[0-9A-Za-z][0-9A-Za-z_-]{0,63}$/;
const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const ENV_KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_KEY_RE = /^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$/;

export interface ValidateContext {
  /** Fresh id when the client did not give one. */
  newId: () => string;
  /** The default working dir of a workload with this id. */
  defaultWorkingDir: (id: string) => string;
  defaultGracePeriodMs: number;
  drivers: readonly string[];
}

export function validateStartSpec(spec: WorkloadSpec__Output | null | undefined, ctx: ValidateContext): NormalizedSpec {
  if (!spec) throw new InvalidArgumentError('spec', 'is required');

  const id = spec.id || ctx.newId();
  if (!ID_RE.test(id)) throw new InvalidArgumentError('spec.id', `must match ${ID_RE.source}, got ${quote(id)}`);
  if (spec.name && !NAME_RE.test(spec.name)) {
    throw new InvalidArgumentError('spec.name', `must match ${NAME_RE.source}, got ${quote(spec.name)}`);
  }
  const driver = spec.driver || 'process';
  if (!ctx.drivers.includes(driver)) {
    throw new InvalidArgumentError(
      'spec.driver',
      `driver ${quote(driver)} is not available on this node (have: ${ctx.drivers.join(', ')})`,
    );
  }

  const env = validateEnv(spec.env ?? {});
  validateArgvShape(spec.argv ?? []);

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

  const cpuMillis = spec.resources?.cpuMillis ?? 0;
  const memoryBytes = spec.resources?.memoryBytes ?? 0;
  if (!Number.isSafeInteger(cpuMillis) || cpuMillis < 0) {
    throw new InvalidArgumentError('spec.resources.cpu_millis', `must be a non-negative integer, got ${cpuMillis}`);
  }
  if (!Number.isSafeInteger(memoryBytes) || memoryBytes < 0) {
    throw new InvalidArgumentError('spec.resources.memory_bytes', `must be a non-negative integer, got ${memoryBytes}`);
  }

  const gracePeriodMs = validateGrace('spec.grace_period_ms', spec.gracePeriodMs) || ctx.defaultGracePeriodMs;

  return {
    id,
    name: spec.name ?? '',
    argv: [...spec.argv],
    env,
    workingDir,
    cpuMillis,
    memoryBytes,
    labels: validateLabels(spec.labels ?? {}),
    gracePeriodMs,
    driver,
  };
}

/** Grace periods: 0 means "default", negative and absurdly long ones are rejected. */
export function validateGrace(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(field, `must be a non-negative number of milliseconds, got ${value}`);
  }
  if (value > LIMITS.maxGracePeriodMs) {
    throw new InvalidArgumentError(field, `must be at most ${LIMITS.maxGracePeriodMs} ms (1 h), got ${value}`);
  }
  return value;
}

export function validateWorkloadId(field: string, id: string): string {
  if (!id) throw new InvalidArgumentError(field, 'is required');
  if (!ID_RE.test(id)) throw new InvalidArgumentError(field, `must match ${ID_RE.source}, got ${quote(id)}`);
  return id;
}

function validateArgvShape(argv: string[]): void {
  if (argv.length === 0) throw new InvalidArgumentError('spec.argv', 'must not be empty (argv[0] is the program)');
  if (argv.length > LIMITS.argvCount) {
    throw new InvalidArgumentError('spec.argv', `has ${argv.length} entries, at most ${LIMITS.argvCount} are allowed`);
  }
  let bytes = 0;
  argv.forEach((arg, i) => {
    if (arg.includes('\0')) throw new InvalidArgumentError(`spec.argv[${i}]`, 'must not contain NUL bytes');
    bytes += Buffer.byteLength(arg) + 1;
  });
  if (bytes > LIMITS.argvBytes) {
    throw new InvalidArgumentError('spec.argv', `is ${bytes} bytes, at most ${LIMITS.argvBytes} are allowed`);
  }
  if (!argv[0]) throw new InvalidArgumentError('spec.argv[0]', 'must name a program');
}

function validateEnv(env: Record<string, string>): Record<string, string> {
  const entries = Object.entries(env);
  if (entries.length > LIMITS.envCount) {
    throw new InvalidArgumentError(
      'spec.env',
      `has ${entries.length} variables, at most ${LIMITS.envCount} are allowed`,
    );
  }
  let bytes = 0;
  for (const [key, value] of entries) {
    if (!ENV_KEY_RE.test(key))
      throw new InvalidArgumentError(`spec.env[${quote(key)}]`, 'is not a valid variable name');
    if (value.includes('\0')) throw new InvalidArgumentError(`spec.env[${quote(key)}]`, 'must not contain NUL bytes');
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value) + 2;
  }
  if (bytes > LIMITS.envBytes) {
    throw new InvalidArgumentError('spec.env', `is ${bytes} bytes, at most ${LIMITS.envBytes} are allowed`);
  }
  return { ...env };
}

function validateLabels(labels: Record<string, string>): Record<string, string> {
  const entries = Object.entries(labels);
  if (entries.length > LIMITS.labelCount) {
    throw new InvalidArgumentError(
      'spec.labels',
      `has ${entries.length} labels, at most ${LIMITS.labelCount} are allowed`,
    );
  }
  for (const [key, value] of entries) {
    if (key.length > LIMITS.labelKeyBytes || !LABEL_KEY_RE.test(key)) {
      throw new InvalidArgumentError(
        `spec.labels[${quote(key)}]`,
        `key must match ${LABEL_KEY_RE.source} (≤ ${LIMITS.labelKeyBytes} chars)`,
      );
    }
    if (Buffer.byteLength(value) > LIMITS.labelValueBytes) {
      throw new InvalidArgumentError(
        `spec.labels[${quote(key)}]`,
        `value is longer than ${LIMITS.labelValueBytes} bytes`,
      );
    }
  }
  return { ...labels };
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

function quote(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);
}
