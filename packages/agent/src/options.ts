// The agent's options: what each is, the defaults, and their checks (each error names the
// option). main.ts reads them from flags and the environment; startAgent takes them.
import {
  addressList,
  checkSecurity,
  DEFAULT_AUDIT_SETTINGS,
  isLogLevel,
  parseAddress,
  type AuditSettings,
  type Logger,
  type LogLevel,
  type SecurityOptions,
} from '@mo/api';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { validateCgroupRoot } from './cgroups/index.js';
import type { Driver } from './drivers/driver.js';
import { DEFAULT_DOCKER_LIMITS, resolveMountRoots, type DockerLimits } from './drivers/docker/settings.js';
import { DEFAULT_DOCKER_SOCKET } from './host/docker.js';
import type { HostFacts } from './host/facts.js';
import { validateNodeLabels } from './reporter/node-config.js';
import { checkLogBudget, type LogBudgetSetting } from './state/log-budget.js';
import { parseAllowedUsers, type UserFiles } from './users/index.js';

export interface AgentOptions extends SecurityOptions {
  /** gRPC NodeAgent listen address (default 127.0.0.1:7610). */
  grpcListen: string;
  /** HTTP /metrics and /healthz listen address (default 127.0.0.1:7611). */
  httpListen: string;
  /** Where workload records and logs live (default /var/lib/mo/agent). */
  dataDir: string;
  nodeName: string;
  logLevel: LogLevel;
  /** Size cap of each workload log file (one rotated copy is kept). */
  logMaxBytes: number;
  /**
   * What all workloads' logs may take (--max-log-disk): bytes, or a share of the data dir's
   * filesystem; past it the longest-ended workloads' logs are removed. Default: 10% of the
   * filesystem, at most 4 GiB (see state/log-budget.ts).
   */
  maxLogDisk?: LogBudgetSetting;
  defaultGracePeriodMs: number;
  maxRetainedEnded: number;
  /** Caps on open streams by kind (--max-streams; the agent serves 'logs'); default DEFAULT_STREAM_CAPS. */
  maxStreams?: Record<string, number>;
  /** A log reader that takes nothing for this long is cut off with RESOURCE_EXHAUSTED (default 30 s). */
  streamStallTimeoutMs?: number;
  /** How often host metrics are sampled from /proc. */
  sampleIntervalMs: number;
  dockerSocket: string;
  /** The docker driver: host port range, defaults, and which relaxations workloads may ask for. */
  docker: DockerLimits;
  /**
   * host:port of each scheduler (`--scheduler a,b,c`): the agent registers with the one that
   * leads and follows it when another takes over. Unset = a standalone agent that registers nowhere.
   */
  schedulerAddresses?: string[];
  /** The older name: one host:port, or a comma-separated list (read into schedulerAddresses). */
  schedulerAddress?: string;
  /**
   * host:port the scheduler should dial this agent on. Default: the bound gRPC address, with a
   * wildcard host (0.0.0.0, ::) replaced by 127.0.0.1 (right on one host; set it on a real cluster).
   */
  advertiseAddress?: string;
  /** Node labels for placement constraints (keys like Kubernetes label keys). */
  labels: Record<string, string>;
  /** CPU placement may reserve here, in millicores (default: cores × 1000). */
  capacityCpuMillis?: number;
  /** Memory placement may reserve here, in bytes (default: MemTotal). */
  capacityMemoryBytes?: number;
  shimPath?: string;
  /**
   * Who a workload without spec.user runs as (--default-user): a name or uid[:gid]. Default:
   * nobody when the agent runs as root, else the agent's own user (it can run no other).
   */
  defaultUser?: string;
  /**
   * Whom else a spec may ask for (--allowed-users): names, uids, `*` (any user but root). Root
   * only when listed by name or uid. Default: nobody else.
   */
  allowedUsers?: string[];
  /** The node's user database (default /etc/passwd and /etc/group): tests bring their own. */
  userFiles?: UserFiles;
  /**
   * The agent's cgroup under each cgroup mount, one per process workload below it (default
   * `/mo/<node-id>`); "off" runs process workloads without cgroups. Must be this agent's alone.
   */
  cgroupRoot?: string;
  /**
   * The drivers this agent runs workloads with (default: one ProcessDriver). A benchmark passes a
   * MockDriver to run many simulated agents in one process.
   */
  drivers?: Driver[];
  /**
   * Host facts to report instead of collecting them (simulated agents in benchmarks share one
   * collection; the node name is still this agent's).
   */
  hostFacts?: HostFacts;
  /**
   * Keep workload records in memory only (benchmarks: simulated agents with a MockDriver, many per
   * process). The agent then forgets its workloads when it stops. Never for real agents.
   */
  memoryState?: boolean;
  /** The audit log (--audit-log and friends): on by default, in <dataDir>/audit.jsonl (off with memoryState). */
  audit: AuditSettings;
  logger?: Logger;
}

export const DEFAULT_AGENT_OPTIONS: Omit<AgentOptions, 'nodeName'> = {
  grpcListen: '127.0.0.1:7610',
  httpListen: '127.0.0.1:7611',
  dataDir: '/var/lib/mo/agent',
  logLevel: 'info',
  logMaxBytes: 10 * 1024 * 1024,
  defaultGracePeriodMs: 10_000,
  maxRetainedEnded: 1000,
  sampleIntervalMs: 1000,
  dockerSocket: DEFAULT_DOCKER_SOCKET,
  // No mounts unless the operator names roots (--docker-mount-root); read-only unless allowed.
  docker: DEFAULT_DOCKER_LIMITS,
  labels: {},
  audit: DEFAULT_AUDIT_SETTINGS,
};

/** The one place defaults are filled and options validated (each error names the option). */
export function resolveAgentOptions(partial: Partial<AgentOptions> = {}): AgentOptions {
  const o: AgentOptions = { ...DEFAULT_AGENT_OPTIONS, nodeName: hostname(), ...stripUndefined(partial) };
  parseAddress(o.grpcListen);
  parseAddress(o.httpListen);
  if (!isLogLevel(o.logLevel)) throw new Error(`log level: expected debug|info|warn|error, got "${o.logLevel}"`);
  const positive: Array<keyof AgentOptions> = [
    'logMaxBytes',
    'defaultGracePeriodMs',
    'maxRetainedEnded',
    'sampleIntervalMs',
  ];
  for (const k of positive) {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
      throw new Error(`${k}: expected a positive integer, got ${String(v)}`);
    }
  }
  for (const k of ['capacityCpuMillis', 'capacityMemoryBytes', 'streamStallTimeoutMs'] as const) {
    const v = o[k];
    if (v !== undefined && (!Number.isSafeInteger(v) || v <= 0)) {
      throw new Error(`${k}: expected a positive integer, got ${String(v)}`);
    }
  }
  if (o.maxLogDisk !== undefined) {
    try {
      checkLogBudget(o.maxLogDisk);
    } catch (err) {
      throw new Error(`maxLogDisk: ${(err as Error).message}`, { cause: err });
    }
  }
  if (o.schedulerAddresses === undefined && o.schedulerAddress !== undefined) {
    o.schedulerAddresses = addressList(o.schedulerAddress, 'schedulerAddress');
  }
  if (o.schedulerAddresses !== undefined) {
    o.schedulerAddresses = addressList(o.schedulerAddresses, 'schedulerAddresses');
    for (const a of o.schedulerAddresses) parseAddress(a);
  }
  delete o.schedulerAddress;
  if (o.advertiseAddress !== undefined) parseAddress(o.advertiseAddress);
  if (o.cgroupRoot !== undefined && o.cgroupRoot !== 'off') validateCgroupRoot(o.cgroupRoot, 'cgroupRoot');
  parseAllowedUsers(o.allowedUsers ?? [], '--allowed-users');
  o.labels = validateNodeLabels(o.labels, 'labels');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(o.nodeName)) throw new Error(`node name: invalid "${o.nodeName}"`);
  checkSecurity(o, 'mo-agent');
  o.dataDir = resolve(o.dataDir);
  o.docker = { ...o.docker, mountRoots: resolveMountRoots(o.docker.mountRoots) };
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
