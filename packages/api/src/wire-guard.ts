// Bounds checked on a request's wire bytes before it is decoded. Decoding is synchronous on the
// event loop (grpc-js deserializes as the bytes arrive) and its cost follows the number of map and
// list entries, not the size: a 4 MiB StartWorkload holding 278,000 tiny env entries took ~160 ms
// to decode and as long again to validate, so 16 of them at once stalled an agent for 10 s and
// more (see limits.test.ts and `pnpm bench bounds`). This walk allocates nothing, stops at the
// first entry past a limit, and names the field, so such a request costs microseconds to refuse;
// it also caps an encoded WorkloadSpec at MAX_SPEC_BYTES. Malformed bytes are left to the codec.
//
// Field numbers are proto/mo/v1's (wire-guard.test.ts checks them against the .proto files).
import { InvalidArgumentError } from './errors.js';
import { LIMITS, MAX_SPEC_BYTES } from './limits.js';

/** One bounded field of a message: repeated occurrences counted, submessages walked. */
interface FieldBound {
  name: string;
  /** Most occurrences (list or map entries; a packed list's elements count one each). */
  maxCount?: number;
  /** Most bytes of one occurrence (a length-delimited field's payload). */
  maxBytes?: number;
  /** For a repeated submessage: its path is `name[i]`, not `name`. */
  list?: boolean;
  packed?: boolean;
  message?: MessageBounds;
}
type MessageBounds = Record<number, FieldBound>;

const DOCKER: MessageBounds = {
  4: { name: 'ports', maxCount: LIMITS.dockerPorts, packed: true },
  5: { name: 'mounts', maxCount: LIMITS.dockerMounts },
  7: { name: 'cap_add', maxCount: LIMITS.dockerCaps },
};
const ARTIFACTS: MessageBounds = {
  3: { name: 'upload', maxCount: LIMITS.artifactUploads },
  4: { name: 'inputs', maxCount: LIMITS.artifactInputs },
};
const WORKLOAD_SPEC: MessageBounds = {
  3: { name: 'argv', maxCount: LIMITS.argvCount },
  4: { name: 'env', maxCount: LIMITS.envCount },
  7: { name: 'labels', maxCount: LIMITS.labelCount },
  10: { name: 'docker', message: DOCKER },
  11: { name: 'artifacts', message: ARTIFACTS },
};
const SPEC: FieldBound = { name: 'spec', maxBytes: MAX_SPEC_BYTES, message: WORKLOAD_SPEC };
const SCHEDULING: MessageBounds = { 1: { name: 'constraints', maxCount: LIMITS.labelCount } };

/** Request types (mo.v1 names) whose bytes are checked, and their bounded fields. */
const REQUESTS: Record<string, MessageBounds> = {
  StartWorkloadRequest: { 1: SPEC },
  StartWorkloadsRequest: { 1: { ...SPEC, name: 'specs', list: true, maxCount: LIMITS.batchSpecs } },
  SubmitWorkloadRequest: { 1: SPEC, 2: { name: 'scheduling', message: SCHEDULING } },
};

/** Throws InvalidArgumentError naming the first field of `bytes` (a `typeName` message) past its limit. */
export function guardRequest(typeName: string, bytes: Uint8Array): void {
  const bounds = REQUESTS[typeName];
  if (bounds) walk(bytes, 0, bytes.length, bounds, '', new Map());
}

/**
 * Walks one message; returns false when the bytes are malformed (the decoder will say how).
 * `counts` is by field path for the whole request: a message sent in several pieces is merged by
 * protobuf, so its entries count together.
 */
function walk(
  buf: Uint8Array,
  start: number,
  end: number,
  bounds: MessageBounds,
  path: string,
  counts: Map<string, number>,
): boolean {
  let pos = start;
  while (pos < end) {
    const tag = readVarint(buf, pos, end);
    if (!tag) return false;
    pos = tag.next;
    const id = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    const bound = bounds[id];
    if (wire === 2) {
      const len = readVarint(buf, pos, end);
      if (!len || len.next + len.value > end) return false;
      const from = len.next;
      pos = from + len.value;
      if (!bound) continue;
      const at = path ? `${path}.${bound.name}` : bound.name;
      const n = (counts.get(at) ?? 0) + (bound.packed ? countVarints(buf, from, pos) : 1);
      counts.set(at, n);
      if (bound.maxCount !== undefined && n > bound.maxCount) {
        throw new InvalidArgumentError(at, `has more than ${bound.maxCount} entries (the limit)`);
      }
      const here = bound.list ? `${at}[${n - 1}]` : at;
      if (bound.maxBytes !== undefined && len.value > bound.maxBytes) {
        throw new InvalidArgumentError(here, `is ${len.value} bytes encoded, at most ${bound.maxBytes} are allowed`);
      }
      if (bound.message && !walk(buf, from, pos, bound.message, here, counts)) return false;
      continue;
    }
    const skipped = skip(buf, pos, end, wire);
    if (skipped < 0) return false;
    pos = skipped;
    if (bound?.packed) {
      // An unpacked element of a packed-capable list.
      const at = path ? `${path}.${bound.name}` : bound.name;
      const n = (counts.get(at) ?? 0) + 1;
      counts.set(at, n);
      if (n > (bound.maxCount ?? Infinity)) {
        throw new InvalidArgumentError(at, `has more than ${bound.maxCount} entries (the limit)`);
      }
    }
  }
  return true;
}

function readVarint(buf: Uint8Array, pos: number, end: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10 && pos < end; i++) {
    const b = buf[pos++]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return { value, next: pos };
    scale *= 128;
  }
  return undefined;
}

function countVarints(buf: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (buf[i]! < 0x80) n++;
  return n;
}

/** Skips one non-length-delimited value (groups included, nested to a bounded depth); -1: malformed. */
function skip(buf: Uint8Array, pos: number, end: number, wire: number, depth = 0): number {
  switch (wire) {
    case 0: {
      const v = readVarint(buf, pos, end);
      return v ? v.next : -1;
    }
    case 1:
      return pos + 8 <= end ? pos + 8 : -1;
    case 5:
      return pos + 4 <= end ? pos + 4 : -1;
    case 3: {
      if (depth > 32) return -1;
      while (pos < end) {
        const tag = readVarint(buf, pos, end);
        if (!tag) return -1;
        pos = tag.next;
        const w = tag.value % 8;
        if (w === 4) return pos;
        if (w === 2) {
          const len = readVarint(buf, pos, end);
          if (!len || len.next + len.value > end) return -1;
          pos = len.next + len.value;
        } else {
          pos = skip(buf, pos, end, w, depth + 1);
          if (pos < 0) return -1;
        }
      }
      return -1;
    }
    default:
      return -1;
  }
}
