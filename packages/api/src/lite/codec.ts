// A small protobuf codec driven by mo's generated JSON descriptor, for the lite client: no
// protobufjs, no grpc-js. Objects come out exactly as @grpc/proto-loader hands them to the full
// client with LOADER_OPTIONS (camelCase names, enums as names, 64-bit integers as numbers, every
// field present with its default, message fields null when unset, the oneof's name set to the
// member that is set), so code that renders full-client results renders these too.
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
}

interface Field {
  name: string;
  id: number;
  type: string;
  repeated: boolean;
  keyType: string | undefined;
  /** The oneof this field belongs to, if any. */
  oneof: string | undefined;
  message: MessageType | undefined;
  enumType: EnumType | undefined;
}
interface MessageType {
  name: string;
  fields: Field[];
  byId: Map<number, Field>;
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

function shortName(name: string): string {
  return name.startsWith('mo.v1.') ? name.slice(6) : name.startsWith('.mo.v1.') ? name.slice(7) : name;
}

function enumType(name: string): EnumType {
  const key = shortName(name);
  let e = enums.get(key);
  if (e) return e;
  const values = ns()[key]?.values;
  if (!values) throw new Error(`lite codec: unknown enum ${name}`);
  e = { byName: values, byId: new Map(), first: Object.keys(values)[0]! };
  for (const [n, v] of Object.entries(values)) if (!e.byId.has(v)) e.byId.set(v, n);
  enums.set(key, e);
  return e;
}

/** The message type `name` of mo.v1, resolved lazily (types reference each other). */
export function messageType(name: string): MessageType {
  const key = shortName(name);
  let m = messages.get(key);
  if (m) return m;
  const json = ns()[key];
  if (!json?.fields) throw new Error(`lite codec: unknown message ${name}`);
  m = { name: key, fields: [], byId: new Map() };
  messages.set(key, m); // before resolving fields: recursive types
  const oneofOf = new Map<string, string>();
  for (const [oneof, { oneof: members }] of Object.entries(json.oneofs ?? {})) {
    for (const f of members) oneofOf.set(f, oneof);
  }
  for (const [fname, f] of Object.entries(json.fields)) {
    const scalar = SCALARS.has(f.type);
    const isEnum = !scalar && ns()[shortName(f.type)]?.values !== undefined;
    const field: Field = {
      name: fname,
      id: f.id,
      type: f.type,
      repeated: f.rule === 'repeated',
      keyType: f.keyType,
      oneof: oneofOf.get(fname),
      message: undefined,
      enumType: undefined,
    };
    if (isEnum) field.enumType = enumType(f.type);
    m.fields.push(field);
    m.byId.set(f.id, field);
  }
  // Message-typed fields resolve after registration, so self references find it.
  for (const field of m.fields) {
    if (!SCALARS.has(field.type) && !field.enumType) field.message = messageType(field.type);
  }
  return m;
}

// ---- decoding -------------------------------------------------------------------------------------

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new Error('lite codec: truncated varint');
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
      shift += 7n;
    }
  }
  /** A varint that fits 32 bits (tags, lengths, int32, enums, bools): the fast path. */
  varint32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new Error('lite codec: truncated varint');
      if (shift < 28) result |= (b & 0x7f) << shift;
      else result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
      shift += 7;
    }
  }
  bytes(): Buffer {
    const len = this.varint32();
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.pos += this.varint32();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`lite codec: unsupported wire type ${wire}`);
  }
}

function defaultOf(f: Field): unknown {
  if (f.keyType) return {};
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
    case 'double': {
      const v = r.buf.readDoubleLE(r.pos);
      r.pos += 8;
      return v;
    }
    case 'float': {
      const v = r.buf.readFloatLE(r.pos);
      r.pos += 4;
      return v;
    }
    case 'int32':
      return Number(BigInt.asIntN(32, r.varint()));
    case 'uint32':
      return r.varint32() >>> 0;
    case 'sint32':
    case 'sint64': {
      const n = r.varint();
      return Number((n >> 1n) ^ -(n & 1n));
    }
    case 'int64':
      return Number(BigInt.asIntN(64, r.varint()));
    case 'uint64':
      return Number(BigInt.asUintN(64, r.varint()));
    case 'fixed32': {
      const v = r.buf.readUInt32LE(r.pos);
      r.pos += 4;
      return v;
    }
    case 'sfixed32': {
      const v = r.buf.readInt32LE(r.pos);
      r.pos += 4;
      return v;
    }
    case 'fixed64': {
      const v = r.buf.readBigUInt64LE(r.pos);
      r.pos += 8;
      return Number(v);
    }
    case 'sfixed64': {
      const v = r.buf.readBigInt64LE(r.pos);
      r.pos += 8;
      return Number(v);
    }
    case 'bool':
      return r.varint32() !== 0;
    case 'string':
      return r.bytes().toString('utf8');
    case 'bytes':
      return Buffer.from(r.bytes());
    default:
      throw new Error(`lite codec: unknown scalar ${type}`);
  }
}

function readValue(r: Reader, f: Field): unknown {
  if (f.message) return decodeFrom(f.message, r.bytes());
  if (f.enumType) {
    const n = Number(BigInt.asIntN(32, r.varint()));
    return f.enumType.byId.get(n) ?? n;
  }
  return readScalar(r, f.type);
}

/** Scalars that repeated fields may pack (every one but the length-delimited ones). */
const PACKABLE = new Set([...SCALARS].filter((t) => t !== 'string' && t !== 'bytes'));

function decodeFrom(type: MessageType, buf: Buffer): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of type.fields) if (!f.oneof) out[f.name] = defaultOf(f);
  const r = new Reader(buf);
  while (r.pos < buf.length) {
    const tag = r.varint32();
    const id = tag >>> 3;
    const wire = tag & 7;
    const f = type.byId.get(id);
    if (!f) {
      r.skip(wire);
      continue;
    }
    if (f.keyType) {
      const entry = new Reader(r.bytes());
      let key: unknown = f.keyType === 'string' ? '' : 0;
      let value: unknown = f.message ? null : defaultOf({ ...f, keyType: undefined, repeated: false });
      while (entry.pos < entry.buf.length) {
        const t = entry.varint32();
        if (t >>> 3 === 1) key = readScalar(entry, f.keyType);
        else if (t >>> 3 === 2) value = readValue(entry, { ...f, keyType: undefined, repeated: false });
        else entry.skip(t & 7);
      }
      (out[f.name] as Record<string, unknown>)[String(key)] = value;
    } else if (f.repeated) {
      const list = out[f.name] as unknown[];
      if (wire === 2 && (PACKABLE.has(f.type) || f.enumType)) {
        const packed = new Reader(r.bytes());
        while (packed.pos < packed.buf.length) list.push(readValue(packed, f));
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
  return decodeFrom(messageType(typeName), buf) as T;
}

// ---- encoding -------------------------------------------------------------------------------------

class Writer {
  private readonly parts: Buffer[] = [];
  varint(v: bigint | number): void {
    let n = BigInt.asUintN(64, BigInt(v));
    const bytes: number[] = [];
    while (n >= 0x80n) {
      bytes.push(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    bytes.push(Number(n));
    this.parts.push(Buffer.from(bytes));
  }
  tag(id: number, wire: number): void {
    this.varint((id << 3) | wire);
  }
  lengthDelimited(b: Buffer): void {
    this.varint(b.length);
    this.parts.push(b);
  }
  raw(b: Buffer): void {
    this.parts.push(b);
  }
  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function writeScalar(w: Writer, f: Field, id: number, v: unknown): void {
  switch (f.type) {
    case 'string':
      w.tag(id, 2);
      w.lengthDelimited(Buffer.from(String(v), 'utf8'));
      return;
    case 'bytes':
      w.tag(id, 2);
      w.lengthDelimited(Buffer.from(v as Uint8Array));
      return;
    case 'bool':
      w.tag(id, 0);
      w.varint(v ? 1 : 0);
      return;
    case 'double': {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(Number(v));
      w.tag(id, 1);
      w.raw(b);
      return;
    }
    case 'float': {
      const b = Buffer.alloc(4);
      b.writeFloatLE(Number(v));
      w.tag(id, 5);
      w.raw(b);
      return;
    }
    case 'sint32':
    case 'sint64': {
      const n = BigInt(Math.trunc(Number(v)));
      w.tag(id, 0);
      w.varint((n << 1n) ^ (n >> 63n));
      return;
    }
    case 'fixed32':
    case 'sfixed32': {
      const b = Buffer.alloc(4);
      if (f.type === 'fixed32') b.writeUInt32LE(Number(v));
      else b.writeInt32LE(Number(v));
      w.tag(id, 5);
      w.raw(b);
      return;
    }
    case 'fixed64':
    case 'sfixed64': {
      const b = Buffer.alloc(8);
      if (f.type === 'fixed64') b.writeBigUInt64LE(BigInt(Math.trunc(Number(v))));
      else b.writeBigInt64LE(BigInt(Math.trunc(Number(v))));
      w.tag(id, 1);
      w.raw(b);
      return;
    }
    default:
      // int32, uint32, int64, uint64 (negative int32/int64 take ten bytes, as in every encoder)
      w.tag(id, 0);
      w.varint(BigInt(Math.trunc(Number(v))));
  }
}

function writeField(w: Writer, f: Field, id: number, v: unknown): void {
  if (f.message) {
    w.tag(id, 2);
    w.lengthDelimited(encodeFrom(f.message, v as Record<string, unknown>));
  } else if (f.enumType) {
    const n = typeof v === 'number' ? v : f.enumType.byName[String(v)];
    if (n === undefined) throw new Error(`lite codec: ${f.name}: unknown enum value ${String(v)}`);
    w.tag(id, 0);
    w.varint(n);
  } else {
    writeScalar(w, f, id, v);
  }
}

function encodeFrom(type: MessageType, obj: Record<string, unknown>): Buffer {
  const w = new Writer();
  for (const f of type.fields) {
    const v = obj[f.name];
    if (v === undefined || v === null) continue;
    if (f.keyType) {
      for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
        const entry = new Writer();
        writeScalar(entry, { ...f, type: f.keyType, message: undefined, enumType: undefined }, 1, k);
        writeField(entry, { ...f, keyType: undefined }, 2, val);
        w.tag(f.id, 2);
        w.lengthDelimited(entry.finish());
      }
    } else if (f.repeated) {
      for (const item of v as unknown[]) writeField(w, f, f.id, item);
    } else {
      writeField(w, f, f.id, v);
    }
  }
  return w.finish();
}

/** Encodes a `typeName` message (mo.v1) from a plain object (camelCase field names). */
export function encodeMessage(typeName: string, obj: object): Buffer {
  return encodeFrom(messageType(typeName), obj as Record<string, unknown>);
}
