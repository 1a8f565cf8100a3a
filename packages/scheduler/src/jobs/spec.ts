// The job file (`mo run -f job.yaml`): YAML or JSON text -> a validated, normalized JobSpec, or an
// InvalidArgumentError naming the field (`checks[1].port: unknown port "web"`). The schema is
// documented in ./README.md; this file is the one place that enforces it. Normalized means every
// default written out and ports and checks in name order, so specHash sees equal specs as equal
// however the file spelled them, and diffSpecs says what `mo job plan` would change.
import { createHash } from 'node:crypto';
import { LIMITS, NAME_RE, quote, validateLabels } from '@mo/api';
import {
  at,
  bool,
  fail,
  int,
  obj,
  onlyKeys,
  parseSpecDuration,
  parseWorkload,
  readSpecText,
  str,
  strList,
  workloadKeys,
} from '../workloads/spec-fields.js';
import type { CheckKind, CheckSpec, JobRestartPolicy, JobSpec, JobType, PortSpec, UpdateStrategy } from './types.js';

export const JOB_LIMITS = {
  textBytes: 256 * 1024,
  /** Instances of one job (service or batch): as many as one workload array. */
  maxCount: LIMITS.arrayCount,
  /** A docker sandbox publishes at most this many ports; a process gets the same. */
  ports: LIMITS.dockerPorts,
  checks: 16,
  checkPathBytes: 1024,
  thresholds: 100,
  maxCheckIntervalMs: 3600_000,
  maxUpdateMs: 24 * 3600_000,
  maxAttempts: 100,
  maxBackoffMs: LIMITS.maxBackoffMs,
  maxLostAfterMs: LIMITS.maxTimeoutMs,
  maxShutdownDelayMs: 10 * 60_000,
} as const;

/** Becomes $MO_PORT_<NAME> / $MO_ADDR_<NAME> upper-cased: lower case only, so names stay distinct. */
export const PORT_NAME_RE = /^[a-z][a-z0-9_]{0,31}$/;

/** Kubernetes' probe defaults (periodSeconds 10, timeoutSeconds 1, thresholds 1 and 3). */
export const CHECK_DEFAULTS = {
  intervalMs: 10_000,
  timeoutMs: 1000,
  successThreshold: 1,
  failureThreshold: 3,
  restartAfter: 0,
  initialDelayMs: 0,
} as const;

export const UPDATE_DEFAULTS: UpdateStrategy = {
  maxParallel: 1,
  minHealthyTimeMs: 10_000,
  healthyDeadlineMs: 5 * 60_000,
  autoRevert: false,
};

/** Backoff as workloads' restart policy (workloads/restart.ts); a batch instance tries 3 times. */
export const RESTART_DEFAULTS: Record<JobType, JobRestartPolicy> = {
  service: { maxAttempts: 0, initialBackoffMs: 1000, maxBackoffMs: 5 * 60_000 },
  batch: { maxAttempts: 3, initialBackoffMs: 1000, maxBackoffMs: 5 * 60_000 },
};

const JOB_KEYS = [
  'name',
  'type',
  'count',
  ...workloadKeys('snake'),
  'ports',
  'checks',
  'update',
  'restart',
  'lost_after',
  'shutdown_delay',
];
const CHECK_KEYS = [
  'name',
  'type',
  'port',
  'path',
  'expect_status',
  'command',
  'interval',
  'timeout',
  'success_threshold',
  'failure_threshold',
  'restart_after',
  'initial_delay',
];
const PORT_KEYS = ['name', 'to'];
const UPDATE_KEYS = ['max_parallel', 'min_healthy_time', 'healthy_deadline', 'auto_revert'];
const RESTART_KEYS = ['attempts', 'initial_backoff', 'max_backoff'];
/** Every key a job file may use, by where it goes (README's schema is checked against these). */
export const JOB_FILE_KEYS = {
  job: JOB_KEYS,
  port: PORT_KEYS,
  check: CHECK_KEYS,
  update: UPDATE_KEYS,
  restart: RESTART_KEYS,
} as const;
/** Set by the agent for each port: a job's env may not set them too. */
const RESERVED_ENV_RE = /^MO_(PORT|ADDR)_/;

const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Parses and validates a job file; every error names the field (and the list index) it is about. */
export function parseJobSpec(text: string): JobSpec {
  return validateJobSpec(readSpecText(text, JOB_LIMITS.textBytes));
}

export function validateJobSpec(doc: unknown): JobSpec {
  const o = obj('spec', doc);
  onlyKeys('', o, JOB_KEYS);
  if (o.name === undefined) fail('name', 'is required');
  const name = str('name', o.name);
  if (!NAME_RE.test(name)) fail('name', `${quote(name)} must match ${NAME_RE.source}`);
  const type = o.type === undefined ? 'service' : str('type', o.type);
  if (type !== 'service' && type !== 'batch') fail('type', `must be service or batch, got ${quote(type)}`);
  const count = o.count === undefined ? 1 : int('count', o.count, 1, JOB_LIMITS.maxCount);
  const task = parseWorkload('', o, 'snake');
  checkTask(task);
  const ports = o.ports === undefined ? [] : parsePorts(o.ports, task.driver, task.network);
  const checks = o.checks === undefined ? [] : parseChecks(o.checks, ports);
  for (const k of Object.keys(task.env)) {
    if (RESERVED_ENV_RE.test(k)) fail(`env.${k}`, 'is set by the agent for each port (MO_PORT_*, MO_ADDR_*)');
  }
  return {
    name,
    type,
    count,
    task,
    ports,
    checks,
    update: o.update === undefined ? { ...UPDATE_DEFAULTS } : parseUpdate(o.update),
    restart: o.restart === undefined ? { ...RESTART_DEFAULTS[type] } : parseRestart(o.restart, type),
    lostAfterMs: o.lost_after === undefined ? 0 : parseLostAfter(o.lost_after),
    ...shutdownDelay(o.shutdown_delay),
  };
}

/** `shutdown_delay`, kept only when not 0 (so the hash of a spec without it is what it was). */
function shutdownDelay(v: unknown): Pick<JobSpec, 'shutdownDelayMs'> {
  const ms = v === undefined ? 0 : parseSpecDuration('shutdown_delay', v, JOB_LIMITS.maxShutdownDelayMs);
  return ms > 0 ? { shutdownDelayMs: ms } : {};
}

/** What SubmitWorkload would refuse later (validate.ts), refused here with the file's field names. */
function checkTask(task: JobSpec['task']): void {
  validateLabels(task.labels, 'labels');
  validateLabels(task.constraints, 'constraints');
  let bytes = 0;
  for (const [k, v] of Object.entries(task.env)) {
    if (Buffer.byteLength(k) > LIMITS.envKeyBytes) fail(`env.${k}`, `name is longer than ${LIMITS.envKeyBytes} bytes`);
    bytes += Buffer.byteLength(k) + Buffer.byteLength(v) + 2;
    if (bytes > LIMITS.envBytes) fail(`env.${k}`, `takes env past ${LIMITS.envBytes} bytes in all`);
  }
}

function parsePorts(v: unknown, driver: string, network: string): PortSpec[] {
  if (!Array.isArray(v)) fail('ports', 'must be a list of {name, to}');
  if (v.length > JOB_LIMITS.ports) fail('ports', `has ${v.length} ports, at most ${JOB_LIMITS.ports}`);
  // `--network none` publishes nothing: say so here rather than when the agent starts it.
  if (v.length > 0 && driver === 'docker' && network !== 'bridge') {
    fail('network', 'must be bridge for a docker job with ports (none publishes nothing)');
  }
  const ports = v.map((p, i): PortSpec => {
    const path = `ports[${i}]`;
    const o = obj(path, p);
    onlyKeys(path, o, PORT_KEYS);
    if (o.name === undefined) fail(`${path}.name`, 'is required');
    const name = str(`${path}.name`, o.name, 64);
    if (!PORT_NAME_RE.test(name)) fail(`${path}.name`, `${quote(name)} must match ${PORT_NAME_RE.source}`);
    let to = 0;
    if (driver === 'docker') {
      if (o.to === undefined) fail(`${path}.to`, 'is required with driver docker (the container port)');
      to = int(`${path}.to`, o.to, 1, 65535);
    } else if (o.to !== undefined && o.to !== 0) {
      fail(`${path}.to`, `is only for driver docker (a process reads $MO_PORT_${name.toUpperCase()})`);
    }
    return { name, to };
  });
  ports.forEach((p, i) => {
    const first = ports.findIndex((q) => q.name === p.name);
    if (first !== i) fail(`ports[${i}].name`, `duplicate port ${quote(p.name)} (also ports[${first}])`);
    const sameTo = ports.findIndex((q) => q.to !== 0 && q.to === p.to);
    if (p.to !== 0 && sameTo !== i) fail(`ports[${i}].to`, `container port ${p.to} is also ports[${sameTo}]`);
  });
  return ports.sort(byName);
}

function parseChecks(v: unknown, ports: PortSpec[]): CheckSpec[] {
  if (!Array.isArray(v)) fail('checks', 'must be a list');
  if (v.length > JOB_LIMITS.checks) fail('checks', `has ${v.length} checks, at most ${JOB_LIMITS.checks}`);
  const checks = v.map((c, i) => parseCheck(`checks[${i}]`, c, ports));
  checks.forEach((c, i) => {
    const first = checks.findIndex((d) => d.name === c.name);
    if (first !== i) {
      fail(`checks[${i}].name`, `duplicate check ${quote(c.name)} (also checks[${first}]; give each a name)`);
    }
  });
  return checks.sort(byName);
}

function parseCheck(path: string, v: unknown, ports: PortSpec[]): CheckSpec {
  const o = obj(path, v);
  onlyKeys(path, o, CHECK_KEYS);
  if (o.type === undefined) fail(`${path}.type`, 'is required (http, tcp or exec)');
  const kind = str(`${path}.type`, o.type) as CheckKind;
  if (kind !== 'http' && kind !== 'tcp' && kind !== 'exec') {
    fail(`${path}.type`, `must be http, tcp or exec, got ${quote(kind)}`);
  }
  const only = (key: string, kinds: CheckKind[]) => {
    if (o[key] !== undefined && !kinds.includes(kind)) fail(at(path, key), `is only for ${kinds.join(' and ')} checks`);
  };
  only('port', ['http', 'tcp']);
  only('path', ['http']);
  only('expect_status', ['http']);
  only('command', ['exec']);

  let port = '';
  if (kind !== 'exec') {
    if (o.port === undefined) fail(`${path}.port`, `is required for ${kind} checks (a port's name)`);
    port = str(`${path}.port`, o.port, 64);
    if (!ports.some((p) => p.name === port)) {
      fail(`${path}.port`, `unknown port ${quote(port)} (declared: ${ports.map((p) => p.name).join(', ') || 'none'})`);
    }
  }
  let path_ = '';
  if (kind === 'http') {
    path_ = o.path === undefined ? '/' : str(`${path}.path`, o.path, JOB_LIMITS.checkPathBytes);
    if (!/^\/[\x21-\x7e]*$/.test(path_))
      fail(`${path}.path`, 'must start with / and hold no spaces or control characters');
  }
  const expectStatus = o.expect_status === undefined ? 0 : int(`${path}.expect_status`, o.expect_status, 100, 599);
  let command: string[] = [];
  if (kind === 'exec') {
    if (o.command !== undefined) command = strList(`${path}.command`, o.command, LIMITS.argvCount);
    if (command.length === 0 || command[0] === '') fail(`${path}.command`, 'is required for an exec check (argv)');
  }

  const dur = (key: string, def: number, max: number) =>
    o[key] === undefined ? def : parseSpecDuration(at(path, key), o[key], max);
  const count = (key: string, def: number, min: number) =>
    o[key] === undefined ? def : int(at(path, key), o[key], min, JOB_LIMITS.thresholds);
  const D = CHECK_DEFAULTS;
  const intervalMs = dur('interval', D.intervalMs, JOB_LIMITS.maxCheckIntervalMs);
  if (intervalMs < 100) fail(`${path}.interval`, 'must be at least 100ms');
  // The default never exceeds the interval: setting only a short interval must not be an error.
  const timeoutMs = dur('timeout', Math.min(D.timeoutMs, intervalMs), JOB_LIMITS.maxCheckIntervalMs);
  if (timeoutMs < 1) fail(`${path}.timeout`, 'must be at least 1ms');
  // One check at a time per instance: a timeout past the interval would make them pile up.
  if (timeoutMs > intervalMs) fail(`${path}.timeout`, `must not be longer than interval (${intervalMs} ms)`);

  const name = o.name === undefined ? (port ? `${kind}-${port}` : kind) : str(`${path}.name`, o.name, 64);
  if (!NAME_RE.test(name)) fail(`${path}.name`, `${quote(name)} must match ${NAME_RE.source}`);
  return {
    name,
    kind,
    port,
    path: path_,
    expectStatus,
    command,
    intervalMs,
    timeoutMs,
    successThreshold: count('success_threshold', D.successThreshold, 1),
    failureThreshold: count('failure_threshold', D.failureThreshold, 1),
    restartAfter: count('restart_after', D.restartAfter, 0),
    initialDelayMs: dur('initial_delay', D.initialDelayMs, JOB_LIMITS.maxCheckIntervalMs),
  };
}

function parseUpdate(v: unknown): UpdateStrategy {
  const o = obj('update', v);
  onlyKeys('update', o, UPDATE_KEYS);
  const D = UPDATE_DEFAULTS;
  const dur = (key: string, def: number) =>
    o[key] === undefined ? def : parseSpecDuration(`update.${key}`, o[key], JOB_LIMITS.maxUpdateMs);
  const minHealthyTimeMs = dur('min_healthy_time', D.minHealthyTimeMs);
  const healthyDeadlineMs = dur('healthy_deadline', D.healthyDeadlineMs);
  // Named by the key the file set (when it set only one, that one is the one to change).
  if (minHealthyTimeMs >= healthyDeadlineMs) {
    const key = o.healthy_deadline === undefined ? 'min_healthy_time' : 'healthy_deadline';
    fail(
      `update.${key}`,
      `min_healthy_time (${minHealthyTimeMs} ms) must be shorter than healthy_deadline (${healthyDeadlineMs} ms)`,
    );
  }
  return {
    maxParallel:
      o.max_parallel === undefined ? D.maxParallel : int('update.max_parallel', o.max_parallel, 1, JOB_LIMITS.maxCount),
    minHealthyTimeMs,
    healthyDeadlineMs,
    autoRevert: o.auto_revert === undefined ? D.autoRevert : bool('update.auto_revert', o.auto_revert),
  };
}

function parseRestart(v: unknown, type: JobType): JobRestartPolicy {
  const o = obj('restart', v);
  onlyKeys('restart', o, RESTART_KEYS);
  const D = RESTART_DEFAULTS[type];
  let maxAttempts = D.maxAttempts;
  if (o.attempts !== undefined) {
    // A service is kept running: a limit there would be silently ignored, so it is refused.
    if (type === 'service') fail('restart.attempts', 'is for batch jobs (a service restarts without limit)');
    maxAttempts = int('restart.attempts', o.attempts, 1, JOB_LIMITS.maxAttempts);
  }
  const dur = (key: string, def: number) =>
    o[key] === undefined ? def : parseSpecDuration(`restart.${key}`, o[key], JOB_LIMITS.maxBackoffMs);
  const initialBackoffMs = dur('initial_backoff', D.initialBackoffMs);
  const maxBackoffMs = dur('max_backoff', Math.max(initialBackoffMs, D.maxBackoffMs));
  if (maxBackoffMs < initialBackoffMs) fail('restart.max_backoff', 'must not be shorter than initial_backoff');
  return { maxAttempts, initialBackoffMs, maxBackoffMs };
}

/** JobSpec keeps 0 for "the cluster's default", so an explicit 0 (workloads' "at once") is refused. */
function parseLostAfter(v: unknown): number {
  const ms = parseSpecDuration('lost_after', v, JOB_LIMITS.maxLostAfterMs);
  if (ms === 0) fail('lost_after', 'must be longer than 0 (leave it out for the cluster default)');
  return ms;
}

/** The canonical hash of a normalized spec: sha256 of its JSON with every mapping's keys sorted. */
export function specHash(spec: JobSpec): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(spec)))
    .digest('hex');
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined) out[k] = canonical(x);
  }
  return out;
}

/** One changed field: `from` is null when it was added, `to` null when it was removed. */
export interface JobChange {
  /** In JobSpec's terms (units in the names): `count`, `task.env.DEBUG`, `checks[ready].intervalMs`. */
  path: string;
  from: unknown;
  to: unknown;
}

export interface JobSpecDiff {
  /** none: nothing changed; scale: only `count` (no new rollout); update: a new version to roll out. */
  kind: 'none' | 'scale' | 'update';
  changes: JobChange[];
}

const TOP_ORDER: readonly (keyof JobSpec)[] = [
  'name',
  'type',
  'count',
  'task',
  'ports',
  'checks',
  'update',
  'restart',
  'lostAfterMs',
  'shutdownDelayMs',
];
/** Lists whose items have unique names: compared item by item, so one changed port is one change. */
const NAMED_LISTS = new Set(['ports', 'checks']);

/** What `mo job plan` shows: the fields that differ, in JobSpec's order, then key order within. */
export function diffSpecs(old: JobSpec, next: JobSpec): JobSpecDiff {
  const changes: JobChange[] = [];
  for (const k of TOP_ORDER) diffValue(k, old[k], next[k], changes);
  const kind = changes.length === 0 ? 'none' : changes.every((c) => c.path === 'count') ? 'scale' : 'update';
  return { kind, changes };
}

function diffValue(path: string, a: unknown, b: unknown, out: JobChange[]): void {
  if (JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))) return;
  if (isMapping(a) && isMapping(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) diffValue(child(path, k), valueAt(a, k), valueAt(b, k), out);
  } else if (NAMED_LISTS.has(path) && Array.isArray(a) && Array.isArray(b)) {
    const named = (l: unknown[]) => new Map(l.map((x) => [(x as { name: string }).name, x]));
    const [ma, mb] = [named(a), named(b)];
    const names = [...new Set([...ma.keys(), ...mb.keys()])].sort();
    for (const n of names) diffValue(`${path}[${n}]`, ma.get(n) ?? null, mb.get(n) ?? null, out);
  } else {
    out.push({ path, from: a, to: b });
  }
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function valueAt(o: Record<string, unknown>, k: string): unknown {
  return Object.hasOwn(o, k) ? o[k] : null;
}

/** `a.b`, or `a["mo.team"]` for a key that would read as a path. */
function child(path: string, k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`;
}
