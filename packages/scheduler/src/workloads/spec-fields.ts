// The pieces every spec file (pipelines/spec.ts, jobs/spec.ts) parses the same way: the YAML read,
// errors that name the field path, strings, lists and maps, durations, cpu, memory, and the workload
// template (what a pipeline step or a job instance runs). One place, so the files cannot drift.
import {
  InvalidArgumentError,
  LIMITS,
  cpuMillis,
  durationMs,
  newStringMap,
  quote,
  sizeBytes,
  validateUser,
} from '@mo/api';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { KNOWN_DRIVERS } from './validate.js';

/** What a pipeline step, a compensation or a job instance runs: the WorkloadSpec + SchedulingSpec fields. */
export interface WorkloadTemplate {
  driver: string;
  /** argv; argv[0] is the executable. */
  command: string[];
  /** docker image (driver docker). */
  image: string;
  /** docker: 'none' (default, loopback only) or 'bridge'. */
  network: string;
  /** docker: a writable root filesystem (default read-only). */
  writableRoot: boolean;
  env: Record<string, string>;
  cpuMillis: number;
  memoryBytes: number;
  labels: Record<string, string>;
  constraints: Record<string, string>;
  /** Pinned node name, '' = any. */
  node: string;
  /** 0 = no timeout. */
  timeoutMs: number;
  /** Who it runs as on its node (a name or uid[:gid]); '' = the node's default user. */
  user: string;
}

/** A workload's own timeout in a spec file: 7 days. */
export const TEMPLATE_MAX_TIMEOUT_MS = 7 * 24 * 3600 * 1000;

export type Obj = Record<string, unknown>;

export function fail(path: string, message: string): never {
  throw new InvalidArgumentError(path, message);
}

/** `path.key`, or `key` at the top of the file. */
export function at(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function obj(path: string, v: unknown): Obj {
  if (!isObj(v)) fail(path, `must be a mapping, got ${typeName(v)}`);
  return v;
}

export function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v;
}

export function onlyKeys(path: string, o: Obj, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) fail(at(path, k), `unknown field (allowed: ${allowed.join(', ')})`);
  }
}

export function str(path: string, v: unknown, maxBytes = LIMITS.envBytes): string {
  if (typeof v !== 'string') fail(path, `must be a string, got ${typeName(v)}`);
  if (Buffer.byteLength(v) > maxBytes) fail(path, `is longer than ${maxBytes} bytes`);
  if (v.includes('\0')) fail(path, 'must not contain NUL');
  return v;
}

export function strList(path: string, v: unknown, max: number): string[] {
  if (!Array.isArray(v)) fail(path, `must be a list, got ${typeName(v)}`);
  if (v.length > max) fail(path, `has ${v.length} items, at most ${max} allowed`);
  return v.map((x, i) => str(`${path}[${i}]`, typeof x === 'number' ? String(x) : x));
}

export function strMap(path: string, v: unknown, keyRe?: RegExp): Record<string, string> {
  const o = obj(path, v);
  const out = newStringMap(); // `__proto__` is a key like any other
  const entries = Object.entries(o);
  if (entries.length > LIMITS.envCount) fail(path, `has more than ${LIMITS.envCount} entries`);
  for (const [k, val] of entries) {
    if (keyRe && !keyRe.test(k)) fail(`${path}.${k}`, `is not a valid key`);
    out[k] = str(`${path}.${k}`, typeof val === 'number' || typeof val === 'boolean' ? String(val) : val);
  }
  return out;
}

/** A whole number in [min, max]. */
export function int(path: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(path, `must be a whole number, got ${JSON.stringify(v)}`);
  if (v < min || v > max) fail(path, `must be between ${min} and ${max}, got ${v}`);
  return v;
}

export function bool(path: string, v: unknown): boolean {
  if (typeof v !== 'boolean') fail(path, 'must be true or false');
  return v;
}

/** "30s", "500ms", "1m30s", "1h" or a number of milliseconds. */
export function parseSpecDuration(path: string, v: unknown, maxMs: number): number {
  const ms = typeof v === 'number' ? v : typeof v === 'string' ? durationMs(v) : undefined;
  if (ms === undefined) fail(path, `expected a duration like 30s, 500ms, 2m or 1h, got ${JSON.stringify(v)}`);
  if (!Number.isFinite(ms) || ms < 0 || !Number.isInteger(ms)) fail(path, `must be a whole, non-negative duration`);
  if (ms > maxMs) fail(path, `must be at most ${maxMs} ms`);
  return ms;
}

/** "500m" (millicores), 0.5 or "2" (cores). */
export function parseCpu(path: string, v: unknown): number {
  const raw = typeof v === 'number' ? v * 1000 : typeof v === 'string' ? cpuMillis(v) : undefined;
  if (raw === undefined) fail(path, `expected cores (0.5, 2) or millicores (500m), got ${JSON.stringify(v)}`);
  const m = Math.round(raw);
  if (!Number.isSafeInteger(m) || m < 0 || m > 1_000_000) fail(path, 'is out of range');
  return m;
}

/** Bytes, or 64Mi, 1G, 512Ki. */
export function parseMemory(path: string, v: unknown): number {
  const b = typeof v === 'number' ? v : typeof v === 'string' ? sizeBytes(v) : undefined;
  if (b === undefined) fail(path, `expected bytes or a size like 64Mi, 1G, got ${JSON.stringify(v)}`);
  if (!Number.isSafeInteger(b) || b < 0 || b > 2 ** 50) fail(path, 'is out of range');
  return b;
}

/** YAML (or JSON, which is YAML) text to a document, bounded; errors name `spec` and the line. */
export function readSpecText(text: string, maxBytes: number): unknown {
  if (Buffer.byteLength(text) > maxBytes) fail('spec', `is larger than ${maxBytes} bytes`);
  try {
    return parseYaml(text, { maxAliasCount: 100, uniqueKeys: true });
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}` : '';
    fail('spec', `is not valid YAML or JSON${where}: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** Pipelines spell their keys camelCase (`writableRoot`), job files snake_case (`writable_root`). */
export type KeyStyle = 'camel' | 'snake';

/** The template's keys as a file in `style` spells them. */
export function workloadKeys(style: KeyStyle): string[] {
  return [
    'driver',
    'command',
    'image',
    'network',
    style === 'camel' ? 'writableRoot' : 'writable_root',
    'env',
    'resources',
    'labels',
    'constraints',
    'node',
    'timeout',
    'user',
  ];
}

/** The workload fields of `o` (which the caller has checked for unknown keys) at `path`. */
export function parseWorkload(path: string, o: Obj, style: KeyStyle = 'camel'): WorkloadTemplate {
  const wrKey = style === 'camel' ? 'writableRoot' : 'writable_root';
  const driver = o.driver === undefined ? 'process' : str(at(path, 'driver'), o.driver);
  if (!KNOWN_DRIVERS.includes(driver)) {
    fail(at(path, 'driver'), `unknown driver ${quote(driver)} (known: ${KNOWN_DRIVERS.join(', ')})`);
  }
  const image = o.image === undefined ? '' : str(at(path, 'image'), o.image);
  if (driver === 'docker' && !image) fail(at(path, 'image'), 'is required with driver docker');
  if (driver !== 'docker' && image) fail(at(path, 'image'), 'is only for driver docker');
  const network = o.network === undefined ? '' : str(at(path, 'network'), o.network);
  if (network && driver !== 'docker') fail(at(path, 'network'), 'is only for driver docker');
  if (network && network !== 'none' && network !== 'bridge') fail(at(path, 'network'), 'must be none or bridge');
  const writableRoot = o[wrKey];
  if (writableRoot !== undefined && (typeof writableRoot !== 'boolean' || driver !== 'docker')) {
    fail(at(path, wrKey), 'must be true or false, for driver docker only');
  }
  let command: string[] = [];
  if (o.command !== undefined) command = strList(at(path, 'command'), o.command, LIMITS.argvCount);
  if (command.length === 0 && driver !== 'docker') {
    fail(at(path, 'command'), 'is required (argv: [program, args...])');
  }
  if (command.length > 0 && command[0] === '') fail(`${at(path, 'command')}[0]`, 'must not be empty');
  let cpuMillis = 0;
  let memoryBytes = 0;
  if (o.resources !== undefined) {
    const r = obj(at(path, 'resources'), o.resources);
    onlyKeys(at(path, 'resources'), r, ['cpu', 'memory']);
    if (r.cpu !== undefined) cpuMillis = parseCpu(at(path, 'resources.cpu'), r.cpu);
    if (r.memory !== undefined) memoryBytes = parseMemory(at(path, 'resources.memory'), r.memory);
  }
  const node = o.node === undefined ? '' : str(at(path, 'node'), o.node);
  const userPath = at(path, 'user');
  return {
    driver,
    command,
    image,
    network,
    writableRoot: writableRoot === true,
    env: o.env === undefined ? {} : strMap(at(path, 'env'), o.env, /^[A-Za-z_][A-Za-z0-9_]*$/),
    cpuMillis,
    memoryBytes,
    labels: o.labels === undefined ? {} : strMap(at(path, 'labels'), o.labels),
    constraints: o.constraints === undefined ? {} : strMap(at(path, 'constraints'), o.constraints),
    node,
    timeoutMs: o.timeout === undefined ? 0 : parseSpecDuration(at(path, 'timeout'), o.timeout, TEMPLATE_MAX_TIMEOUT_MS),
    user:
      o.user === undefined
        ? ''
        : validateUser(userPath, str(userPath, typeof o.user === 'number' ? String(o.user) : o.user)),
  };
}
