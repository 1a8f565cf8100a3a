// Encoding for mo's codec (codec.ts): plain objects (camelCase names) to wire bytes, as lenient as
// protobufjs's fromObject. Each message type gets one encoder compiled from its descriptor on first
// use: straight-line code reading each field by its name (one shape per property access, where a
// loop over field descriptors went through megamorphic keyed loads), nested messages written in
// place (Writer.begin/end). The source is made only from the descriptor: field names JSON-quoted,
// numbers; readers, enums and nested encoders come in as arguments.
//
// As proto3 encoders do, a singular field outside a oneof holding its default (0, '', false, the
// enum's zero, empty bytes) is not written: the decoder restores it. Oneof members, list items and
// map entries are always written.
import { messageType, type Field, type MessageType } from './schema.js';
import { Writer } from './protobuf.js';

type Encoder = (w: Writer, obj: Record<string, unknown>) => void;

/** protobufjs's fromObject conversion of an integer field: numeric strings parse, NaN is 0. */
function integer(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? parseInt(v, 10) : Number(v);
  return Number.isFinite(n) ? Math.trunc(n) : 0;
}

/** The scalar types compiled code does not write inline. */
function writeScalar(w: Writer, type: string, id: number, v: unknown): void {
  switch (type) {
    case 'bytes':
      w.tag(id, 2);
      w.bytes(typeof v === 'string' ? Buffer.from(v, 'base64') : Buffer.from(v as Uint8Array));
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
      w.bigVarint(BigInt.asUintN(64, (n << 1n) ^ (n >> 63n)));
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

const HELPERS = {
  integer,
  writeScalar,
  double: (w: Writer, n: number): void => {
    w.ensure(8);
    w.buf.writeDoubleLE(n, w.pos);
    w.pos += 8;
  },
  isArray: Array.isArray,
  keys: Object.keys,
  TypeError,
};

const q = JSON.stringify;

class Source {
  readonly args: unknown[] = [];
  ref(value: unknown): string {
    let i = this.args.indexOf(value);
    if (i < 0) i = this.args.push(value) - 1;
    return `a${i}`;
  }
}

/**
 * Statements writing value `v` of field `f` as field number `id`; `skipDefault` leaves out a
 * default scalar. `encoderOf` gives nested types' encoders.
 */
function writeStmt(
  f: Field,
  id: number,
  v: string,
  skipDefault: boolean,
  src: Source,
  encoderOf: (t: MessageType) => Encoder,
): string {
  const tag = (wire: number) => `w.uvarint(${id * 8 + wire});`;
  const unless = (isDefault: string, stmt: string) => (skipDefault ? `if (!(${isDefault})) { ${stmt} }` : stmt);
  if (f.message) {
    const e = src.ref(encoderOf(f.message));
    return `if (typeof ${v} !== 'object') throw new TypeError(${q(`${f.path}: object expected`)});
      ${tag(2)} { const at = w.begin(); ${e}(w, ${v}); w.end(at); }`;
  }
  if (f.enumType) {
    // As protobufjs's fromObject: a number is taken as is, an unknown name leaves the field unset.
    const names = src.ref(f.enumType.byName);
    return `{ const n = typeof ${v} === 'number' ? ${v} : ${names}[String(${v})];
      if (n !== undefined) { ${unless('(n | 0) === 0', `${tag(0)} w.svarint(n | 0);`)} } }`;
  }
  switch (f.type) {
    case 'string':
      return `{ const s = typeof ${v} === 'string' ? ${v} : String(${v}); ${unless("s === ''", `${tag(2)} w.string(s);`)} }`;
    case 'int64':
    case 'uint64':
      return `{ const n = integer(${v}); ${unless('n === 0', `${tag(0)} w.svarint(n);`)} }`;
    case 'int32':
      return `{ const n = integer(${v}) | 0; ${unless('n === 0', `${tag(0)} w.svarint(n);`)} }`;
    case 'uint32':
      return `{ const n = integer(${v}) >>> 0; ${unless('n === 0', `${tag(0)} w.uvarint(n);`)} }`;
    case 'bool':
      return unless(`!${v}`, `${tag(0)} w.uvarint(${v} ? 1 : 0);`);
    case 'double':
      // -0 is not the default: its sign is kept, as protoc's encoders keep it
      return `{ const n = Number(${v}); ${unless('n === 0 && 1 / n > 0', `${tag(1)} double(w, n);`)} }`;
    case 'bytes':
      return unless(`${v}.length === 0`, `writeScalar(w, 'bytes', ${id}, ${v});`);
    default:
      return `writeScalar(w, ${q(f.type)}, ${id}, ${v});`;
  }
}

/** The statements writing field `f` of object `o`. */
function fieldStmt(f: Field, src: Source, encoderOf: (t: MessageType) => Encoder): string {
  const read = `v = o[${q(f.name)}];`;
  let body: string;
  if (f.mapKey) {
    const key = f.mapKey;
    const keyValue = key.type === 'bool' ? "k === 'true'" : 'k';
    body = `if (typeof v !== 'object') throw new TypeError(${q(`${f.path}: object expected`)});
      const ks = keys(v);
      for (let i = 0; i < ks.length; i++) {
        const k = ks[i]; const x = v[k];
        w.uvarint(${f.id * 8 + 2});
        const at = w.begin();
        ${writeStmt(key, 1, keyValue, false, src, encoderOf)}
        if (x !== undefined && x !== null) { ${writeStmt(f.mapValue!, 2, 'x', false, src, encoderOf)} }
        w.end(at);
      }`;
  } else if (f.repeated) {
    body = `if (!isArray(v)) throw new TypeError(${q(`${f.path}: array expected`)});
      for (let i = 0; i < v.length; i++) { const x = v[i]; ${writeStmt(f, f.id, 'x', false, src, encoderOf)} }`;
  } else {
    body = writeStmt(f, f.id, 'v', !f.oneof, src, encoderOf);
  }
  return `${read} if (v !== undefined && v !== null) { ${body} }`;
}

function compileEncoder(type: MessageType, encoderOf: (t: MessageType) => Encoder): Encoder {
  const src = new Source();
  const body = type.fields.map((f) => fieldStmt(f, src, encoderOf)).join('\n');
  const names = Object.keys(HELPERS);
  const argNames = src.args.map((_, i) => `a${i}`);
  const source = `return function encode(w, o) { let v; ${body} };`;
  const factory = new Function(...names, ...argNames, source) as (...a: unknown[]) => Encoder;
  return factory(...names.map((n) => HELPERS[n as keyof typeof HELPERS]), ...src.args);
}

const encoders = new Map<MessageType, Encoder>();
const byCallerName = new Map<string, Encoder>();

/** The encoder of `type`, compiled on first use (a forwarder stands in while a recursive type compiles). */
function encoderOf(type: MessageType): Encoder {
  const known = encoders.get(type);
  if (known) return known;
  const forward: { to?: Encoder } = {};
  encoders.set(type, (w, o) => forward.to!(w, o));
  const compiled = compileEncoder(type, encoderOf);
  forward.to = compiled;
  encoders.set(type, compiled);
  return compiled;
}

/** Encodes a `typeName` message (mo.v1's short names, or full ones) from a plain object (camelCase field names). */
export function encodeMessage(typeName: string, obj: object): Buffer {
  let e = byCallerName.get(typeName);
  if (!e) {
    e = encoderOf(messageType(typeName));
    byCallerName.set(typeName, e);
  }
  const w = new Writer();
  e(w, obj as Record<string, unknown>);
  return w.finish();
}
