// What a node may tell the scheduler about itself: identity, address, facts, labels, capacity,
// metrics. Everything is bounded and numbers are finite and not negative, because it is stored,
// shown to every client (ListNodes, `mo status`) and read by placement: one bad Register must not
// break those for everyone. Pure; each rejection is an InvalidArgumentError naming the proto field
// (`facts.cpu_model`, `metrics.load1`), and any echoed value is truncated.
import {
  InvalidArgumentError,
  MAX_INVENTORY_ENTRIES,
  REGISTRY_PAGE,
  parseAddress,
  truncateForError,
  validateLabels,
  validateResources,
  type NodeFacts__Output,
  type NodeMetrics__Output,
  type RegisterRequest__Output,
} from '@mo/api';
import type { ResourceAmounts } from '../placement/types.js';
import { NODE_NAME_RE } from '../workloads/validate.js';

export const NODE_ID_RE = /^[0-9A-Za-z][0-9A-Za-z_-]{0,63}$/;

/** Longest value (characters) of each string fact. */
export const FACT_STRING_LIMITS = {
  nodeName: 253,
  hostname: 253,
  cpuModel: 256,
  os: 256,
  kernel: 256,
  arch: 64,
  dockerVersion: 64,
  bootId: 64,
  agentVersion: 64,
  cgroupMode: 16,
} as const satisfies Partial<Record<keyof NodeFacts__Output, number>>;

/** List facts (drivers, enforced_limits): entries and characters per entry. */
export const FACT_LIST_LIMITS = { entries: 16, chars: 32 } as const;
/** host:port, with a DNS name of at most 253 characters. */
const MAX_ADDRESS_CHARS = 261;
const MAX_CPU_CORES = 65_536;

// C0 controls and DEL: a fact is one printable line (it is shown in terminals).
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

/** A caller's value in an error: JSON-quoted, cut to 64 characters (these fields are short). */
const show = (s: string) => JSON.stringify(truncateForError(s, 64));

/** A registration, checked: what the registry stores. */
export interface ValidRegistration {
  nodeId: string;
  nodeName: string;
  address: string;
  facts: NodeFacts__Output | null;
  labels: Record<string, string>;
  capacity: ResourceAmounts;
  metrics: NodeMetrics__Output | null;
}

/** Checks a Register request (everything but the inventory's entries, which the manager folds in). */
export function validateRegistration(req: RegisterRequest__Output): ValidRegistration {
  if (!NODE_ID_RE.test(req.nodeId)) {
    throw new InvalidArgumentError('node_id', `must match ${NODE_ID_RE.source}, got ${show(req.nodeId)}`);
  }
  if (!NODE_NAME_RE.test(req.nodeName)) {
    throw new InvalidArgumentError('node_name', `must match ${NODE_NAME_RE.source}, got ${show(req.nodeName)}`);
  }
  validateAddress('address', req.address);
  validateInventoryPage('inventory', req.inventory.length);
  return {
    nodeId: req.nodeId,
    nodeName: req.nodeName,
    address: req.address,
    facts: req.facts ? validateNodeFacts(req.facts) : null,
    labels: validateLabels(req.labels ?? {}, 'labels'),
    capacity: {
      ...validateResources('capacity', req.capacity),
      hostPorts: hostPortCapacity(req.capacity?.hostPorts),
    },
    metrics: req.metrics ? validateNodeMetrics(req.metrics) : null,
  };
}

export function validateAddress(field: string, address: string): string {
  if (address.length > MAX_ADDRESS_CHARS) {
    throw new InvalidArgumentError(field, `is ${address.length} characters, at most ${MAX_ADDRESS_CHARS}`);
  }
  try {
    parseAddress(address);
  } catch {
    throw new InvalidArgumentError(field, `must be host:port, got ${show(address)}`);
  }
  return address;
}

/** One page of inventory entries (or heartbeat changes): at most REGISTRY_PAGE.maxEntries. */
export function validateInventoryPage(field: string, entries: number): void {
  if (entries > REGISTRY_PAGE.maxEntries) {
    throw new InvalidArgumentError(
      field,
      `has ${entries} entries, at most ${REGISTRY_PAGE.maxEntries} per message (send the rest in further pages)`,
    );
  }
}

/** The running total of a paged inventory. */
export function validateInventoryTotal(field: string, total: number): void {
  if (total > MAX_INVENTORY_ENTRIES) {
    throw new InvalidArgumentError(field, `has ${total} entries in all, at most ${MAX_INVENTORY_ENTRIES}`);
  }
}

export function validateNodeFacts(f: NodeFacts__Output, field = 'facts'): NodeFacts__Output {
  for (const [key, max] of Object.entries(FACT_STRING_LIMITS) as Array<[keyof typeof FACT_STRING_LIMITS, number]>) {
    checkString(`${field}.${snake(key)}`, f[key] ?? '', max);
  }
  for (const key of ['drivers', 'enforcedLimits'] as const) {
    const list = f[key] ?? [];
    const name = `${field}.${snake(key)}`;
    if (list.length > FACT_LIST_LIMITS.entries) {
      throw new InvalidArgumentError(name, `has ${list.length} entries, at most ${FACT_LIST_LIMITS.entries}`);
    }
    list.forEach((s, i) => checkString(`${name}[${i}]`, s, FACT_LIST_LIMITS.chars));
  }
  checkInteger(`${field}.cpu_cores`, f.cpuCores, MAX_CPU_CORES);
  checkInteger(`${field}.memory_total_bytes`, f.memoryTotalBytes, Number.MAX_SAFE_INTEGER);
  return f;
}

export function validateNodeMetrics(m: NodeMetrics__Output, field = 'metrics'): NodeMetrics__Output {
  checkNumber(`${field}.cpu_utilization`, m.cpuUtilization, 1);
  checkInteger(`${field}.memory_total_bytes`, m.memoryTotalBytes, Number.MAX_SAFE_INTEGER);
  checkInteger(`${field}.memory_available_bytes`, m.memoryAvailableBytes, Number.MAX_SAFE_INTEGER);
  for (const key of ['load1', 'load5', 'load15'] as const) checkNumber(`${field}.${key}`, m[key], Number.MAX_VALUE);
  checkInteger(`${field}.sampled_at_ms`, m.sampledAtMs, Number.MAX_SAFE_INTEGER);
  return m;
}

/**
 * Facts as stored by an older scheduler, made to fit today's limits: strings cut, lists shortened,
 * bad numbers zeroed. Used on load, so one oversized row cannot keep breaking ListNodes (the node
 * sends fresh facts when it registers again).
 */
export function clampStoredFacts(f: NodeFacts__Output | null | undefined): NodeFacts__Output | null {
  if (!f || typeof f !== 'object') return null;
  const out = { ...f };
  for (const [key, max] of Object.entries(FACT_STRING_LIMITS) as Array<[keyof typeof FACT_STRING_LIMITS, number]>) {
    out[key] = clampString(f[key], max);
  }
  for (const key of ['drivers', 'enforcedLimits'] as const) {
    const list = Array.isArray(f[key]) ? f[key] : [];
    out[key] = list.slice(0, FACT_LIST_LIMITS.entries).map((s) => clampString(s, FACT_LIST_LIMITS.chars));
  }
  out.cpuCores = saneInteger(f.cpuCores, MAX_CPU_CORES);
  out.memoryTotalBytes = saneInteger(f.memoryTotalBytes, Number.MAX_SAFE_INTEGER);
  return out;
}

/** A node's host-port capacity: the size of its docker port range, at most every TCP port. */
function hostPortCapacity(n: number | undefined): number {
  const v = n ?? 0;
  if (!Number.isInteger(v) || v < 0 || v > 65535) {
    throw new InvalidArgumentError('capacity.host_ports', `must be an integer within 0..65535, got ${v}`);
  }
  return v;
}

function checkString(field: string, s: string, max: number): void {
  if (s.length > max) throw new InvalidArgumentError(field, `is ${s.length} characters, at most ${max}`);
  if (CONTROL_RE.test(s)) throw new InvalidArgumentError(field, `must not contain control characters, got ${show(s)}`);
}

function checkNumber(field: string, v: number, max: number): void {
  if (!Number.isFinite(v) || v < 0 || v > max) {
    const range = max === Number.MAX_VALUE ? 'a finite number ≥ 0' : `a number within 0..${max}`;
    throw new InvalidArgumentError(field, `must be ${range}, got ${String(v)}`);
  }
}

function checkInteger(field: string, v: number, max: number): void {
  if (!Number.isSafeInteger(v) || v < 0 || v > max) {
    throw new InvalidArgumentError(field, `must be an integer within 0..${max}, got ${String(v)}`);
  }
}

function clampString(s: unknown, max: number): string {
  return typeof s === 'string' ? s.slice(0, max).replace(new RegExp(CONTROL_RE.source, 'g'), ' ') : '';
}

function saneInteger(v: unknown, max: number): number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= max ? v : 0;
}

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
