// A WorkloadSpec's named ports and health checks as a caller sends them on the wire (the
// scheduler's SubmitWorkload, an agent's StartWorkload): the rules of the job file (the scheduler's
// jobs/spec.ts) checked again here, since a hostile caller need not go through a job file. Every
// error names its field (`spec.checks[0].port: unknown port "web" (declared: http)`).
import type { CheckKind, CheckSpec } from './checks.js';
import { InvalidArgumentError } from './errors.js';
import type { CheckSpec__Output } from './generated/mo/v1/CheckSpec.js';
import type { WorkloadSpec__Output } from './generated/mo/v1/WorkloadSpec.js';
import { LIMITS } from './limits.js';
import { NAME_RE, quote } from './validation.js';
import type { NamedPortSpec } from './workload.js';

export const PORTS_CHECKS_LIMITS = {
  /** spec.ports: as many as a sandbox may publish. */
  ports: LIMITS.dockerPorts,
  checks: 16,
  checkPathBytes: 1024,
  thresholds: 100,
  minIntervalMs: 100,
  maxIntervalMs: 3600_000,
} as const;

/** Becomes $MO_PORT_<NAME> / $MO_ADDR_<NAME> upper-cased: lower case only, so names stay distinct. */
export const PORT_NAME_RE = /^[a-z][a-z0-9_]{0,31}$/;

/** Set by the agent for each named port; on the wire, the agent's values win over spec.env's. */
export const PORT_ENV_RE = /^MO_(PORT|ADDR)_/;

const CHECK_KINDS: readonly CheckKind[] = ['http', 'tcp', 'exec'];
const PATH_RE = /^\/[\x21-\x7e]*$/;

/** What validatePortsAndChecks keeps: each list only when non-empty, so old records stay as they were. */
export interface PortsAndChecks {
  ports?: NamedPortSpec[];
  checks?: CheckSpec[];
}

/** spec.ports and spec.checks of a wire spec for `driver` (already checked). */
export function validatePortsAndChecks(spec: WorkloadSpec__Output, driver: string): PortsAndChecks {
  const ports = validatePorts(spec, driver);
  const checks = validateChecks(spec.checks ?? [], ports);
  return { ...(ports.length > 0 && { ports }), ...(checks.length > 0 && { checks }) };
}

function validatePorts(spec: WorkloadSpec__Output, driver: string): NamedPortSpec[] {
  const raw = spec.ports ?? [];
  const max = PORTS_CHECKS_LIMITS.ports;
  if (raw.length > max) throw new InvalidArgumentError('spec.ports', `has ${raw.length} ports, at most ${max}`);
  if (raw.length === 0) return [];
  const docker = driver === 'docker';
  // `network none` publishes nothing: said here rather than when a port cannot be reached.
  if (docker && spec.docker?.network !== 'bridge') {
    throw new InvalidArgumentError(
      'spec.docker.network',
      `must be bridge for a workload with spec.ports (got ${quote(spec.docker?.network || 'none')})`,
    );
  }
  const published = spec.docker?.ports ?? [];
  const ports = raw.map((p, i): NamedPortSpec => {
    const at = `spec.ports[${i}]`;
    const name = p.name ?? '';
    if (!PORT_NAME_RE.test(name)) {
      throw new InvalidArgumentError(`${at}.name`, `${quote(name)} must match ${PORT_NAME_RE.source}`);
    }
    const to = p.to ?? 0;
    if (docker) {
      if (!Number.isInteger(to) || to < 1 || to > 65535) {
        throw new InvalidArgumentError(`${at}.to`, `must be the container port 1-65535 with driver docker, got ${to}`);
      }
      const also = published.indexOf(to);
      if (also >= 0)
        throw new InvalidArgumentError(`${at}.to`, `container port ${to} is also spec.docker.ports[${also}]`);
    } else if (to !== 0) {
      throw new InvalidArgumentError(
        `${at}.to`,
        `is only for driver docker, got ${to} (a process listens on $MO_PORT_${name.toUpperCase()})`,
      );
    }
    return { name, to };
  });
  ports.forEach((p, i) => {
    const first = ports.findIndex((q) => q.name === p.name);
    if (first !== i) {
      throw new InvalidArgumentError(
        `spec.ports[${i}].name`,
        `duplicate port ${quote(p.name)} (also spec.ports[${first}])`,
      );
    }
    const sameTo = ports.findIndex((q) => q.to !== 0 && q.to === p.to);
    if (p.to !== 0 && sameTo !== i) {
      throw new InvalidArgumentError(`spec.ports[${i}].to`, `container port ${p.to} is also spec.ports[${sameTo}]`);
    }
  });
  return ports;
}

function validateChecks(raw: readonly CheckSpec__Output[], ports: readonly NamedPortSpec[]): CheckSpec[] {
  const max = PORTS_CHECKS_LIMITS.checks;
  if (raw.length > max) throw new InvalidArgumentError('spec.checks', `has ${raw.length} checks, at most ${max}`);
  const checks = raw.map((c, i) => validateCheck(`spec.checks[${i}]`, c, ports));
  checks.forEach((c, i) => {
    const first = checks.findIndex((d) => d.name === c.name);
    if (first !== i) {
      throw new InvalidArgumentError(
        `spec.checks[${i}].name`,
        `duplicate check ${quote(c.name)} (also spec.checks[${first}])`,
      );
    }
  });
  return checks;
}

function validateCheck(at: string, c: CheckSpec__Output, ports: readonly NamedPortSpec[]): CheckSpec {
  const L = PORTS_CHECKS_LIMITS;
  const name = c.name ?? '';
  if (!NAME_RE.test(name)) throw new InvalidArgumentError(`${at}.name`, `${quote(name)} must match ${NAME_RE.source}`);
  const kind = (c.kind ?? '') as CheckKind;
  if (!CHECK_KINDS.includes(kind)) {
    throw new InvalidArgumentError(`${at}.kind`, `must be http, tcp or exec, got ${quote(kind)}`);
  }
  const only = (field: string, set: boolean, kinds: string) => {
    if (set) throw new InvalidArgumentError(`${at}.${field}`, `is only for ${kinds} checks (kind is ${kind})`);
  };
  const port = c.port ?? '';
  const path = c.path ?? '';
  const expectStatus = c.expectStatus ?? 0;
  const command = c.command ?? [];
  if (kind === 'exec') only('port', port !== '', 'http and tcp');
  else {
    if (!port) throw new InvalidArgumentError(`${at}.port`, `is required for ${kind} checks (a name in spec.ports)`);
    if (!ports.some((p) => p.name === port)) {
      const declared = ports.map((p) => p.name).join(', ') || 'none';
      throw new InvalidArgumentError(`${at}.port`, `unknown port ${quote(port)} (declared: ${declared})`);
    }
  }
  if (kind === 'http') {
    if (Buffer.byteLength(path) > L.checkPathBytes) {
      throw new InvalidArgumentError(`${at}.path`, `is longer than ${L.checkPathBytes} bytes`);
    }
    if (!PATH_RE.test(path)) {
      throw new InvalidArgumentError(
        `${at}.path`,
        `must start with / and hold only printable ASCII, got ${quote(path)}`,
      );
    }
    if (!Number.isInteger(expectStatus) || (expectStatus !== 0 && (expectStatus < 100 || expectStatus > 599))) {
      throw new InvalidArgumentError(
        `${at}.expect_status`,
        `must be 0 (any 2xx or 3xx) or 100-599, got ${expectStatus}`,
      );
    }
  } else {
    only('path', path !== '', 'http');
    only('expect_status', expectStatus !== 0, 'http');
  }
  if (kind === 'exec') validateCommand(`${at}.command`, command);
  else only('command', command.length > 0, 'exec');

  const intervalMs = c.intervalMs ?? 0;
  if (!Number.isSafeInteger(intervalMs) || intervalMs < L.minIntervalMs || intervalMs > L.maxIntervalMs) {
    throw new InvalidArgumentError(
      `${at}.interval_ms`,
      `must be ${L.minIntervalMs} to ${L.maxIntervalMs}, got ${intervalMs}`,
    );
  }
  const timeoutMs = c.timeoutMs ?? 0;
  // One probe at a time per check: a timeout past the interval would make them pile up.
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > intervalMs) {
    throw new InvalidArgumentError(`${at}.timeout_ms`, `must be 1 to interval_ms (${intervalMs}), got ${timeoutMs}`);
  }
  const count = (field: string, value: number | undefined, min: number) => {
    const v = value ?? 0;
    if (!Number.isInteger(v) || v < min || v > L.thresholds) {
      throw new InvalidArgumentError(`${at}.${field}`, `must be ${min} to ${L.thresholds}, got ${v}`);
    }
    return v;
  };
  const initialDelayMs = c.initialDelayMs ?? 0;
  if (!Number.isSafeInteger(initialDelayMs) || initialDelayMs < 0 || initialDelayMs > L.maxIntervalMs) {
    throw new InvalidArgumentError(`${at}.initial_delay_ms`, `must be 0 to ${L.maxIntervalMs}, got ${initialDelayMs}`);
  }
  return {
    name,
    kind,
    port: kind === 'exec' ? '' : port,
    path: kind === 'http' ? path : '',
    expectStatus,
    command: [...command],
    intervalMs,
    timeoutMs,
    successThreshold: count('success_threshold', c.successThreshold, 1),
    failureThreshold: count('failure_threshold', c.failureThreshold, 1),
    restartAfter: count('restart_after', c.restartAfter, 0),
    initialDelayMs,
  };
}

/** An exec check's argv: as spec.argv's limits (execve's), and a program to run. */
function validateCommand(field: string, command: readonly string[]): void {
  if (command.length === 0 || !command[0]) {
    throw new InvalidArgumentError(field, 'is required for an exec check (argv; command[0] is the program)');
  }
  if (command.length > LIMITS.argvCount) {
    throw new InvalidArgumentError(field, `has ${command.length} entries, at most ${LIMITS.argvCount}`);
  }
  let bytes = 0;
  command.forEach((arg, i) => {
    if (typeof arg !== 'string' || arg.includes('\0')) {
      throw new InvalidArgumentError(`${field}[${i}]`, 'must not contain NUL bytes');
    }
    bytes += Buffer.byteLength(arg) + 1;
    if (bytes > LIMITS.argvBytes) {
      throw new InvalidArgumentError(`${field}[${i}]`, `takes the command past ${LIMITS.argvBytes} bytes in all`);
    }
  });
}
