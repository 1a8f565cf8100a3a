// What a node tells the scheduler about itself besides its facts: its stable id (kept in the data
// dir), the address the scheduler should dial, its labels and its capacity. Parsing and validation
// live here so the command line and startAgent give the same errors.
import { newId, parseAddress } from '@mo/api';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const NODE_ID_FILE = 'node-id';
const ULID_RE = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * The node's id: read from `<dataDir>/node-id`, or generated (a ULID) and written there on the
 * first start. A damaged file is an error, not a silent new identity: the scheduler would see a new
 * node and the old one's workloads as strangers.
 */
export function loadOrCreateNodeId(dataDir: string): string {
  const path = join(dataDir, NODE_ID_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const id = newId();
    // Atomic: a crash mid-write must not leave an empty id behind.
    writeFileSync(`${path}.tmp`, id + '\n');
    renameSync(`${path}.tmp`, path);
    return id;
  }
  const id = text.trim();
  if (!ULID_RE.test(id)) throw new Error(`${path}: expected a node id (ULID), got ${JSON.stringify(id.slice(0, 40))}`);
  return id;
}

/** Kubernetes-style label keys: an alphanumeric, then up to 62 of `-_./` and alphanumerics. */
export const NODE_LABEL_KEY_RE = /^[a-zA-Z0-9][-a-zA-Z0-9_./]{0,62}$/;
const MAX_LABELS = 64;
const MAX_LABEL_VALUE_BYTES = 256;

/** Throws an Error prefixed with `what` (the flag or option) naming the bad label. */
export function validateNodeLabels(labels: Record<string, string>, what: string): Record<string, string> {
  const entries = Object.entries(labels);
  if (entries.length > MAX_LABELS) throw new Error(`${what}: ${entries.length} labels, at most ${MAX_LABELS}`);
  for (const [key, value] of entries) {
    if (!NODE_LABEL_KEY_RE.test(key)) {
      throw new Error(`${what}: label key ${JSON.stringify(key)} must match ${NODE_LABEL_KEY_RE.source}`);
    }
    if (typeof value !== 'string' || Buffer.byteLength(value) > MAX_LABEL_VALUE_BYTES) {
      throw new Error(`${what}: value of label ${JSON.stringify(key)} must be a string of at most 256 bytes`);
    }
  }
  return { ...labels };
}

/** Parses `k=v` items (from repeated --label, or MO_NODE_LABELS split on commas). */
export function parseNodeLabels(items: readonly string[], what: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`${what}: expected key=value, got ${JSON.stringify(item)}`);
    const key = item.slice(0, eq);
    if (key in labels) throw new Error(`${what}: label ${JSON.stringify(key)} given twice`);
    labels[key] = item.slice(eq + 1);
  }
  return validateNodeLabels(labels, what);
}

const UNSPECIFIED_HOSTS = new Set(['0.0.0.0', '::', '[::]', '']);

/**
 * The address the scheduler should dial: the bound gRPC address, except that a wildcard listen
 * host (0.0.0.0, ::) is not dialable and becomes 127.0.0.1: right for a single-host cluster;
 * anything else needs --advertise with the address other hosts reach this node on.
 */
export function defaultAdvertiseAddress(boundAddress: string): string {
  const { host, port } = parseAddress(boundAddress);
  return UNSPECIFIED_HOSTS.has(host) ? `127.0.0.1:${port}` : boundAddress;
}
