// mo's protobuf codec, driven by the generated JSON descriptor: what every mo client and server
// (de)serializes with, so no daemon or CLI loads protobufjs at run time (it costs a daemon ~5 MiB
// of RSS and ~20 ms of start-up; only lazily-loaded server reflection still uses it).
//
// It is a drop-in for @grpc/proto-loader with LOADER_OPTIONS, and conformance-tested against it
// (codec.test.ts):
// - decoding gives the objects proto-loader gives: camelCase names, enums as names (unknown values
//   as numbers), 64-bit integers as numbers, every field present with its default (message fields
//   null, bytes an empty Buffer) in proto-loader's key order, the oneof's name set to the member set;
// - encoding is as lenient as protobufjs's fromObject: numbers or numeric strings, enum names or
//   numbers (an unknown name is left unset), bytes as Buffers or base64; a non-object where a
//   message, map or list belongs is a TypeError naming the field, as there.
import { MO_DESCRIPTOR_JSON } from '../generated/descriptor.js';

interface FieldJson {
  type: string;
  id: number;
  rule?: 'repeated';
  keyType?: string;
}
interface TypeJson {
  fields?: Record<string, FieldJson>;
  oneofs?: Record<string, { oneof: string[] }>;
  values?: Record<string, number>;
  nested?: Record<string, TypeJson>;
  methods?: Record<string, MethodJson>;
}
/** A service method as the descriptor lists it. */
export interface MethodJson {
  requestType: string;
  responseType: string;
  requestStream?: boolean;
  responseStream?: boolean;
}

interface Field {
  name: string;
  id: number;
  type: string;
  repeated: boolean;
  /** For a map field: its key and value, as fields 1 and 2 of the entry message. */
  mapKey: Field | undefined;
  mapValue: Field | undefined;
  /** The oneof this field belongs to, if any. */
  oneof: string | undefined;
  message: MessageType | undefined;
  enumType: EnumType | undefined;
  /** Where the error messages say it is: `.mo.v1.Type.field`. */
  path: string;
}
interface MessageType {
  name: string;
  fields: Field[];
  /** Fields that get a default, in proto-loader's key order: lists, then maps, then the rest. */
  defaulted: Field[];
  byId: Map<number, Field>;
  /** byId as an array indexed by field number (they are small), for the decoder's hot loop. */
  byNumber: (Field | undefined)[];
}
interface EnumType {
  byName: Record<string, number>;
  byId: Map<number, string>;
  first: string;
}

const SCALARS = new Set([
  'double',
  'float',
  'int32',
  'uint32',
  'sint32',
  'fixed32',
  'sfixed32',
  'int64',
  'uint64',
  'sint64',
  'fixed64',
  'sfixed64',
  'bool',
  'string',
  'bytes',
]);

let root: Record<string, TypeJson> | undefined;
const messages = new Map<string, MessageType>();
const enums = new Map<string, EnumType>();

/** The mo.v1 namespace of the descriptor. */
function ns(): Record<string, TypeJson> {
  if (!root) {
    const parsed = JSON.parse(MO_DESCRIPTOR_JSON) as { nested: Record<string, TypeJson> };
    root = parsed.nested.mo!.nested!.v1!.nested!;
  }
  return root;
}

/** The methods of mo.v1 service `name` (e.g. "NodeAgent"), as the descriptor lists them. */
export function serviceMethods(name: string): Record<string, MethodJson> {
  const methods = ns()[name]?.methods;
  if (!methods) throw new Error(`codec: unknown service mo.v1.${name}`);
  return methods;
}

/** The names of every mo.v1 service. */
export function serviceNames(): string[] {
  return Object.entries(ns())
    .filter(([, t]) => t.methods)
    .map(([name]) => name);
}

function shortName(name: string): string {
  return name.startsWith('mo.v1.') ? name.slice(6) : name.startsWith('.mo.v1.') ? name.slice(7) : name;
}

function enumType(name: string): EnumType {
  const key = shortName(name);
  let e = enums.get(key);
  if (e) return e;
  const values = ns()[key]?.values;
  if (!values) throw new Error(`codec: unknown enum ${name}`);
  e = { byName: values, byId: new Map(), first: Object.keys(values)[0]! };
  for (const [n, v] of Object.entries(values)) if (!e.byId.has(v)) e.byId.set(v, n);
  enums.set(key, e);
  return e;
}

function field(name: string, id: number, type: string, path: string): Field {
  const scalar = SCALARS.has(type);
  return {
    name,
    id,
    type,
    repeated: false,
    mapKey: undefined,
    mapValue: undefined,
    oneof: undefined,
    message: undefined,
    enumType: !scalar && ns()[shortName(type)]?.values !== undefined ? enumType(type) : undefined,
    path,
  };
}

/** The message type `name` of mo.v1, resolved lazily (types reference each other). */
export function messageType(name: string): MessageType {
  const key = shortName(name);
  let m = messages.get(key);
  if (m) return m;
  const json = ns()[key];
  if (!json?.fields) throw new Error(`codec: unknown message ${name}`);
  m = { name: key, fields: [], defaulted: [], byId: new Map(), byNumber: [] };
  messages.set(key, m); // before resolving fields: recursive types
  const oneofOf = new Map<string, string>();
  for (const [oneof, { oneof: members }] of Object.entries(json.oneofs ?? {})) {
    for (const f of members) oneofOf.set(f, oneof);
  }
  for (const [fname, f] of Object.entries(json.fields)) {
    const path = `.mo.v1.${key}.${fname}`;
    const fd = field(fname, f.id, f.type, path);
    fd.repeated = f.rule === 'repeated';
    fd.oneof = oneofOf.get(fname);
    if (f.keyType) {
      fd.mapKey = field('key', 1, f.keyType, `${path}: key`);
      fd.mapValue = field('value', 2, f.type, path);
      fd.enumType = undefined;
    }
    m.fields.push(fd);
    m.byId.set(f.id, fd);
    if (f.id < 4096) m.byNumber[f.id] = fd;
  }
  // Message-typed fields resolve after registration, so self references find it.
  for (const f of m.fields) {
    const target = f.mapValue ?? f;
    if (!SCALARS.has(target.type) && !target.enumType) target.message = messageType(target.type);
  }
  m.defaulted = [
    ...m.fields.filter((f) => f.repeated && !f.mapKey),
    ...m.fields.filter((f) => f.mapKey),
    ...m.fields.filter((f) => !f.repeated && !f.mapKey && !f.oneof),
  ];
  return m;
}

// ---- decoding -------------------------------------------------------------------------------------

class Reader {
  pos = 0;
  /** The high 32 bits of the last long varint read (see long()). */
  hi = 0;
  constructor(
    readonly buf: Buffer,
    /** Where the message being read ends: nested messages narrow it while they are read. */
    public end = buf.length,
  ) {}

  private byte(): number {
    if (this.pos >= this.end) throw new RangeError('codec: truncated message');
    return this.buf[this.pos++]!;
  }

  /** A varint's low 32 bits (tags, lengths, int32, enums, bools), skipping any higher bytes. */
  varint32(): number {
    let b = this.byte();
    let v = b & 0x7f;
    if (b < 0x80) return v;
    b = this.byte();
    v |= (b & 0x7f) << 7;
    if (b < 0x80) return v;
    b = this.byte();
    v |= (b & 0x7f) << 14;
    if (b < 0x80) return v;
    b = this.byte();
    v |= (b & 0x7f) << 21;
    if (b < 0x80) return v;
    b = this.byte();
    v |= (b & 0x0f) << 28;
    while (b >= 0x80) b = this.byte();
    return v >>> 0;
  }

  /** A 64-bit varint: returns its low 32 bits, unsigned, and leaves the high 32 in `hi`. */
  long(): number {
    let lo = 0;
    let hi = 0;
    let b = 0;
    let i = 0;
    for (; i < 4; i++) {
      b = this.byte();
      lo = (lo | ((b & 0x7f) << (i * 7))) >>> 0;
      if (b < 0x80) {
        this.hi = 0;
        return lo;
      }
    }
    b = this.byte();
    lo = (lo | ((b & 0x7f) << 28)) >>> 0;
    hi = (b & 0x7f) >> 4;
    if (b >= 0x80) {
      for (i = 0; i < 5; i++) {
        b = this.byte();
        hi = (hi | ((b & 0x7f) << (i * 7 + 3))) >>> 0;
        if (b < 0x80) break;
      }
      if (b >= 0x80) throw new RangeError('codec: varint longer than 10 bytes');
    }
    this.hi = hi;
    return lo;
  }

  fixed32(): number {
    if (this.pos + 4 > this.end) throw new RangeError('codec: truncated message');
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  /** Length-delimited: [start, end) of its payload; the reader moves past it. */
  delimited(): number {
    const len = this.varint32();
    const start = this.pos;
    if (start + len > this.end) throw new RangeError('codec: truncated message');
    this.pos += len;
    return start;
  }

  skip(wire: number): void {
    if (wire === 0) this.long();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.delimited();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`codec: unsupported wire type ${wire}`);
    if (this.pos > this.end) throw new RangeError('codec: truncated message');
  }
}

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
    case 'double': {
      if (r.pos + 8 > r.end) throw new RangeError('codec: truncated message');
      const v = r.buf.readDoubleLE(r.pos);
      r.pos += 8;
      return v;
    }
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
    case 'float': {
      if (r.pos + 4 > r.end) throw new RangeError('codec: truncated message');
      const v = r.buf.readFloatLE(r.pos);
      r.pos += 4;
      return v;
    }
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

/** Short ASCII strings (ids, names, enum-like values: most of mo's) without a call into C++. */
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

function readValue(r: Reader, f: Field): unknown {
  if (f.message) {
    const start = r.delimited();
    const end = r.pos;
    const outer = r.end;
    r.pos = start;
    r.end = end;
    const v = decodeFrom(f.message, r);
    r.end = outer;
    return v;
  }
  if (f.enumType) {
    const n = r.varint32() | 0;
    return f.enumType.byId.get(n) ?? n;
  }
  return readScalar(r, f.type);
}

/** Scalars that repeated fields may pack (every one but the length-delimited ones). */
const PACKABLE = new Set([...SCALARS].filter((t) => t !== 'string' && t !== 'bytes'));

/** Decodes one message from r.pos up to r.end (the reader ends there). */
function decodeFrom(type: MessageType, r: Reader): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of type.defaulted) out[f.name] = defaultOf(f);
  const buf = r.buf;
  const end = r.end;
  while (r.pos < end) {
    const tag = r.varint32();
    const wire = tag & 7;
    const id = tag >>> 3;
    const f = id < 4096 ? type.byNumber[id] : type.byId.get(id);
    if (!f) {
      r.skip(wire);
      continue;
    }
    if (f.mapKey) {
      const entryStart = r.delimited();
      const entry = new Reader(buf, r.pos);
      entry.pos = entryStart;
      const keyField = f.mapKey;
      const valueField = f.mapValue!;
      let key: unknown = defaultOf(keyField);
      let value: unknown = defaultOf(valueField);
      while (entry.pos < entry.end) {
        const t = entry.varint32();
        if (t >>> 3 === 1) key = readValue(entry, keyField);
        else if (t >>> 3 === 2) value = readValue(entry, valueField);
        else entry.skip(t & 7);
      }
      const map = out[f.name] as Record<string, unknown>;
      const k = String(key);
      // An own property even for "__proto__", which plain assignment would take as the prototype.
      if (k === '__proto__')
        Object.defineProperty(map, k, { value, enumerable: true, writable: true, configurable: true });
      else map[k] = value;
    } else if (f.repeated) {
      const list = out[f.name] as unknown[];
      if (wire === 2 && (PACKABLE.has(f.type) || f.enumType)) {
        const packedStart = r.delimited();
        const packed = new Reader(buf, r.pos);
        packed.pos = packedStart;
        while (packed.pos < packed.end) list.push(readValue(packed, f));
      } else {
        list.push(readValue(r, f));
      }
    } else {
      out[f.name] = readValue(r, f);
      if (f.oneof) out[f.oneof] = f.name;
    }
  }
  return out;
}

/** Decodes a `typeName` message (mo.v1) from its wire bytes. */
export function decodeMessage<T>(typeName: string, buf: Buffer): T {
  return decodeFrom(messageType(typeName), new Reader(buf)) as T;
}

// ---- encoding -------------------------------------------------------------------------------------

/** One growing buffer per top-level message; nested messages are written in place (see message()). */
class Writer {
  buf = Buffer.allocUnsafe(256);
  pos = 0;

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** A non-negative integer up to 2^53 as a varint. */
  uvarint(v: number): void {
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    while (v >= 0x80) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v = v >= 0x100000000 ? Math.floor(v / 128) : v >>> 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  /** A signed integer as a 64-bit two's complement varint (negative ones take ten bytes). */
  svarint(v: number): void {
    if (v >= 0) return this.uvarint(v);
    let n = BigInt.asUintN(64, BigInt(v));
    this.ensure(10);
    while (n >= 0x80n) {
      this.buf[this.pos++] = Number(n & 0x7fn) | 0x80;
      n >>= 7n;
    }
    this.buf[this.pos++] = Number(n);
  }

  tag(id: number, wire: number): void {
    this.uvarint(id * 8 + wire);
  }

  bytes(b: Uint8Array): void {
    this.uvarint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  string(s: string): void {
    // One byte of length suffices for short strings; longer ones are measured first.
    if (s.length < 43) {
      this.ensure(1 + s.length * 3);
      const n = this.buf.write(s, this.pos + 1, 'utf8');
      if (n < 128) {
        this.buf[this.pos] = n;
        this.pos += 1 + n;
        return;
      }
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.uvarint(n);
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** Writes a length-delimited body produced by `body`, fixing up the length prefix after. */
  delimited(body: () => void): void {
    this.ensure(1);
    const at = this.pos++;
    body();
    const len = this.pos - at - 1;
    if (len < 128) {
      this.buf[at] = len;
      return;
    }
    let size = 1;
    for (let v = len; v >= 128; v = Math.floor(v / 128)) size++;
    this.ensure(size - 1);
    this.buf.copyWithin(at + size, at + 1, this.pos);
    const end = this.pos + size - 1;
    this.pos = at;
    this.uvarint(len);
    this.pos = end;
  }

  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

/** protobufjs's fromObject conversion of an integer field: numeric strings parse, NaN is 0. */
function integer(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? parseInt(v, 10) : Number(v);
  return Number.isFinite(n) ? Math.trunc(n) : 0;
}

function writeScalar(w: Writer, type: string, id: number, v: unknown): void {
  switch (type) {
    case 'string':
      w.tag(id, 2);
      w.string(typeof v === 'string' ? v : String(v));
      return;
    case 'int64':
    case 'uint64':
      w.tag(id, 0);
      w.svarint(integer(v));
      return;
    case 'int32':
      w.tag(id, 0);
      w.svarint(integer(v) | 0);
      return;
    case 'uint32':
      w.tag(id, 0);
      w.uvarint(integer(v) >>> 0);
      return;
    case 'bool':
      w.tag(id, 0);
      w.uvarint(v ? 1 : 0);
      return;
    case 'bytes':
      w.tag(id, 2);
      w.bytes(typeof v === 'string' ? Buffer.from(v, 'base64') : Buffer.from(v as Uint8Array));
      return;
    case 'double':
      w.tag(id, 1);
      w.ensure(8);
      w.buf.writeDoubleLE(Number(v), w.pos);
      w.pos += 8;
      return;
    case 'float':
      w.tag(id, 5);
      w.ensure(4);
      w.buf.writeFloatLE(Number(v), w.pos);
      w.pos += 4;
      return;
    case 'sint32':
    case 'sint64': {
      const n = BigInt(type === 'sint32' ? integer(v) | 0 : integer(v));
      w.tag(id, 0);
      let z = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
      w.ensure(10);
      while (z >= 0x80n) {
        w.buf[w.pos++] = Number(z & 0x7fn) | 0x80;
        z >>= 7n;
      }
      w.buf[w.pos++] = Number(z);
      return;
    }
    case 'fixed32':
    case 'sfixed32':
      w.tag(id, 5);
      w.ensure(4);
      if (type === 'fixed32') w.buf.writeUInt32LE(integer(v) >>> 0, w.pos);
      else w.buf.writeInt32LE(integer(v) | 0, w.pos);
      w.pos += 4;
      return;
    case 'fixed64':
    case 'sfixed64': {
      w.tag(id, 1);
      w.ensure(8);
      const n = BigInt(integer(v));
      if (type === 'fixed64') w.buf.writeBigUInt64LE(BigInt.asUintN(64, n), w.pos);
      else w.buf.writeBigInt64LE(BigInt.asIntN(64, n), w.pos);
      w.pos += 8;
      return;
    }
    default:
      throw new Error(`codec: unknown scalar ${type}`);
  }
}

function writeField(w: Writer, f: Field, id: number, v: unknown): void {
  if (f.message) {
    if (typeof v !== 'object') throw new TypeError(`${f.path}: object expected`);
    const message = f.message;
    w.tag(id, 2);
    w.delimited(() => encodeInto(w, message, v as Record<string, unknown>));
  } else if (f.enumType) {
    // As protobufjs's fromObject: a number is taken as is, an unknown name leaves the field unset.
    const n = typeof v === 'number' ? v : f.enumType.byName[String(v)];
    if (n === undefined) return;
    w.tag(id, 0);
    w.svarint(n | 0);
  } else {
    writeScalar(w, f.type, id, v);
  }
}

function encodeInto(w: Writer, type: MessageType, obj: Record<string, unknown>): void {
  for (const f of type.fields) {
    const v = obj[f.name];
    if (v === undefined || v === null) continue;
    if (f.mapKey) {
      if (typeof v !== 'object') throw new TypeError(`${f.path}: object expected`);
      const keyField = f.mapKey;
      const valueField = f.mapValue!;
      for (const k of Object.keys(v)) {
        const val = (v as Record<string, unknown>)[k];
        w.tag(f.id, 2);
        w.delimited(() => {
          writeField(w, keyField, 1, keyField.type === 'bool' ? k === 'true' : k);
          if (val !== undefined && val !== null) writeField(w, valueField, 2, val);
        });
      }
    } else if (f.repeated) {
      if (!Array.isArray(v)) throw new TypeError(`${f.path}: array expected`);
      for (const item of v) writeField(w, f, f.id, item);
    } else {
      writeField(w, f, f.id, v);
    }
  }
}

/** Encodes a `typeName` message (mo.v1) from a plain object (camelCase field names). */
export function encodeMessage(typeName: string, obj: object): Buffer {
  const w = new Writer();
  encodeInto(w, messageType(typeName), obj as Record<string, unknown>);
  return w.finish();
}
