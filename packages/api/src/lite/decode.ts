// Decoding for mo's codec (codec.ts): wire bytes to proto-loader's objects, by the protobuf spec's
// rules (merge, skip unknown and mismatched fields, packed or not); malformed bytes throw a
// WireFormatError (wire.ts).
import { messageType, type Field, type MessageType } from './schema.js';
import { Reader } from './wire.js';

/** protobufjs's LongBits.toNumber: (lo, hi) as one number, two's complement when signed. */
function longToNumber(lo: number, hi: number, signed: boolean): number {
  if (signed && hi >>> 31) {
    let l = (~lo + 1) >>> 0;
    let h = ~hi >>> 0;
    if (!l) h = (h + 1) >>> 0;
    l = l >>> 0;
    return -(l + h * 4294967296);
  }
  return lo + hi * 4294967296;
}

function defaultOf(f: Field): unknown {
  if (f.mapKey) return {};
  if (f.repeated) return [];
  if (f.message) return null;
  if (f.enumType) return f.enumType.first;
  switch (f.type) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'bytes':
      return Buffer.alloc(0);
    default:
      return 0;
  }
}

function readScalar(r: Reader, type: string): unknown {
  switch (type) {
    case 'string': {
      const start = r.delimited();
      return utf8(r.buf, start, r.pos);
    }
    case 'int64': {
      const lo = r.long();
      return longToNumber(lo, r.hi, true);
    }
    case 'int32':
      return r.varint32() | 0;
    case 'bool':
      return r.varint32() !== 0;
    case 'double':
      return r.buf.readDoubleLE(r.need(8));
    case 'bytes': {
      const start = r.delimited();
      return start === r.pos ? Buffer.alloc(0) : Buffer.from(r.buf.subarray(start, r.pos));
    }
    case 'uint32':
      return r.varint32() >>> 0;
    case 'uint64': {
      const lo = r.long();
      return longToNumber(lo, r.hi, false);
    }
    case 'sint32': {
      const v = r.varint32();
      return ((v >>> 1) ^ -(v & 1)) | 0;
    }
    case 'sint64': {
      // zig-zag over 64 bits, as protobufjs's LongBits.zzDecode
      let lo = r.long();
      let hi = r.hi;
      const mask = -(lo & 1);
      lo = (((lo >>> 1) | (hi << 31)) ^ mask) >>> 0;
      hi = ((hi >>> 1) ^ mask) >>> 0;
      return longToNumber(lo, hi, true);
    }
    case 'float':
      return r.buf.readFloatLE(r.need(4));
    case 'fixed32':
      return r.fixed32();
    case 'sfixed32':
      return r.fixed32() | 0;
    case 'fixed64':
    case 'sfixed64': {
      const lo = r.fixed32();
      const hi = r.fixed32();
      return longToNumber(lo, hi, type === 'sfixed64');
    }
    default:
      throw new Error(`codec: unknown scalar ${type}`);
  }
}

/** Short ASCII strings (ids, names, enum-like values: most of mo's) without a call into C++.
 * Invalid UTF-8 becomes U+FFFD, as in protobufjs (stock protobuf would refuse it). */
function utf8(buf: Buffer, start: number, end: number): string {
  if (end - start > 24) return buf.toString('utf8', start, end);
  let s = '';
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c >= 0x80) return buf.toString('utf8', start, end);
    s += String.fromCharCode(c);
  }
  return s;
}

/** A field's value; a message read while `into` holds an earlier occurrence is merged into it. */
function readValue(r: Reader, f: Field, into?: unknown): unknown {
  if (f.message) {
    const start = r.delimited();
    const end = r.pos;
    const outer = r.end;
    r.pos = start;
    r.end = end;
    const v = decodeFrom(f.message, r, into as Record<string, unknown> | null | undefined);
    r.end = outer;
    return v;
  }
  if (f.enumType) {
    const n = r.varint32() | 0;
    return f.enumType.byId.get(n) ?? n;
  }
  return readScalar(r, f.type);
}

/** One map entry (a message of key = 1, value = 2) into `map`. */
function readMapEntry(r: Reader, f: Field, map: Record<string, unknown>): void {
  const start = r.delimited();
  const outer = r.end;
  r.end = r.pos;
  r.pos = start;
  const keyField = f.mapKey!;
  const valueField = f.mapValue!;
  let key: unknown = defaultOf(keyField);
  let value: unknown = defaultOf(valueField);
  while (r.pos < r.end) {
    const at = r.pos;
    const t = r.tag();
    const id = t >>> 3;
    if (id === 0) r.fail('field number 0', at);
    if (id === 1 && (t & 7) === keyField.wire) key = readValue(r, keyField);
    else if (id === 2 && (t & 7) === valueField.wire) value = readValue(r, valueField, value);
    else r.skip(t & 7, id);
  }
  r.end = outer;
  const k = String(key);
  // An own property even for "__proto__", which plain assignment would take as the prototype.
  if (k === '__proto__') Object.defineProperty(map, k, { value, enumerable: true, writable: true, configurable: true });
  else map[k] = value;
}

/** Decodes one message from r.pos up to r.end (the reader ends there), into `into` if given. */
function decodeFrom(type: MessageType, r: Reader, into?: Record<string, unknown> | null): Record<string, unknown> {
  r.enter();
  let out = into;
  if (!out) {
    out = type.create();
  }
  const end = r.end;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    const wire = tag & 7;
    const id = tag >>> 3;
    if (id === 0) r.fail('field number 0', at);
    const f = id < 4096 ? type.byNumber[id] : type.byId.get(id);
    if (f === undefined) {
      r.skip(wire, id);
    } else if (wire !== f.wire) {
      if (wire === 2 && f.packable) {
        const list = out[f.name] as unknown[];
        const start = r.delimited();
        r.end = r.pos;
        r.pos = start;
        while (r.pos < r.end) list.push(readValue(r, f));
        r.end = end;
      } else {
        r.skip(wire, id); // the wrong wire type: skipped as protoc's parsers and Go's do
      }
    } else if (f.mapKey) {
      readMapEntry(r, f, out[f.name] as Record<string, unknown>);
    } else if (f.repeated) {
      (out[f.name] as unknown[]).push(readValue(r, f));
    } else if (f.oneof) {
      const same = out[f.oneof] === f.name;
      for (const s of f.siblings) delete out[s];
      out[f.name] = readValue(r, f, same ? out[f.name] : undefined);
      out[f.oneof] = f.name;
    } else {
      out[f.name] = readValue(r, f, out[f.name]);
    }
  }
  r.depth--;
  return out;
}

/**
 * Decodes a `typeName` message (mo.v1's short names, or full ones) from its wire bytes.
 * @throws WireFormatError when the bytes are not a protobuf encoding.
 */
export function decodeMessage<T>(typeName: string, buf: Buffer): T {
  return decodeFrom(messageType(typeName), new Reader(buf)) as T;
}
