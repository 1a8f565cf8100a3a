// The decoder of one message type, compiled from its descriptor (decode.ts): JS source with a switch
// on the tag, each case reading one field into the object its defaults' literal made (schema.ts
// defaultsFactory). The source is made only from the descriptor: field names JSON-quoted, numbers;
// everything else (readers, enums, the decoders of nested types) comes in as arguments.
//
// The rules it compiles (the protobuf spec's):
// - a singular message field seen again is merged into the first (a oneof member only if the oneof
//   still holds it); a repeated one appends; a scalar's last value wins;
// - a repeated scalar is read packed (wire type 2) or not;
// - any other tag (unknown field, or a known one with the wrong wire type) is skipped by its wire
//   type, groups included; field number 0 and wire types 6/7 are a WireFormatError;
// - a oneof keeps only its last member, and the oneof's name says which.
import type { Field, MessageType } from './schema.js';
import { type Reader, WireFormatError } from './protobuf.js';

/** Decodes one message from r.pos up to r.end, into `into` (an earlier occurrence) if given. */
export type Decoder = (r: Reader, into: Record<string, unknown> | null) => Record<string, unknown>;

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

/** The readers compiled code calls, by the names it calls them. */
const HELPERS = {
  str: (r: Reader): string => {
    const start = r.delimited();
    return utf8(r.buf, start, r.pos);
  },
  bytes: (r: Reader): Buffer => {
    const start = r.delimited();
    return start === r.pos ? Buffer.alloc(0) : Buffer.from(r.buf.subarray(start, r.pos));
  },
  i64: (r: Reader): number => {
    const lo = r.long();
    return longToNumber(lo, r.hi, true);
  },
  u64: (r: Reader): number => {
    const lo = r.long();
    return longToNumber(lo, r.hi, false);
  },
  s64: (r: Reader): number => {
    // zig-zag over 64 bits, as protobufjs's LongBits.zzDecode
    let lo = r.long();
    let hi = r.hi;
    const mask = -(lo & 1);
    lo = (((lo >>> 1) | (hi << 31)) ^ mask) >>> 0;
    hi = ((hi >>> 1) ^ mask) >>> 0;
    return longToNumber(lo, hi, true);
  },
  zz32: (v: number): number => ((v >>> 1) ^ -(v & 1)) | 0,
  f64: (r: Reader, signed: boolean): number => {
    const lo = r.fixed32();
    const hi = r.fixed32();
    return longToNumber(lo, hi, signed);
  },
  dbl: (r: Reader): number => r.buf.readDoubleLE(r.need(8)),
  flt: (r: Reader): number => r.buf.readFloatLE(r.need(4)),
  /** An enum's name, or its number when the descriptor does not know it (as protobufjs). */
  en: (r: Reader, names: Map<number, string>): string | number => {
    const n = r.varint32() | 0;
    const s = names.get(n);
    return s === undefined ? n : s;
  },
  /** A tag no case took: an unknown field or a known one with the wrong wire type, skipped. */
  other: (r: Reader, tag: number, at: number): void => {
    const id = tag >>> 3;
    if (id === 0) r.fail('field number 0', at);
    r.skip(tag & 7, id);
  },
  /** A map entry's key and value into `map`: an own property even for "__proto__". */
  put: (map: Record<string, unknown>, key: string, value: unknown): void => {
    if (key === '__proto__')
      Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
    else map[key] = value;
  },
  Buffer,
  WireFormatError,
};

/** Node's Buffer#utf8Slice (what Buffer#toString('utf8') calls after checking its arguments, and
 * what protobufjs reads strings with): a third faster on mo's short strings than toString, and
 * 3x faster than building them a char at a time. Invalid UTF-8 becomes U+FFFD, as in protobufjs
 * (stock protobuf would refuse it). */
type Utf8Sliced = Buffer & { utf8Slice?: (start: number, end: number) => string };
const utf8: (buf: Utf8Sliced, start: number, end: number) => string = (Buffer.prototype as Utf8Sliced).utf8Slice
  ? (buf, start, end) => buf.utf8Slice!(start, end)
  : (buf, start, end) => buf.toString('utf8', start, end);

const q = JSON.stringify;

/** Generates the source of a type's decoder; `ref` names a value the source needs as an argument. */
class Source {
  readonly args: unknown[] = [];
  readonly argNames: string[] = [];
  readonly functions: string[] = [];

  ref(value: unknown): string {
    let i = this.args.indexOf(value);
    if (i < 0) {
      i = this.args.push(value) - 1;
      this.argNames.push(`a${i}`);
    }
    return `a${i}`;
  }
}

/** A JS expression reading one value of `f` (a scalar or an enum) at r.pos. */
function scalarExpr(f: Field, src: Source): string {
  if (f.enumType) return `en(r, ${src.ref(f.enumType.byId)})`;
  switch (f.type) {
    case 'string':
      return 'str(r)';
    case 'bytes':
      return 'bytes(r)';
    case 'int32':
      return '(r.varint32() | 0)';
    case 'uint32':
      return '(r.varint32() >>> 0)';
    case 'bool':
      return '(r.varint32() !== 0)';
    case 'sint32':
      return 'zz32(r.varint32())';
    case 'int64':
      return 'i64(r)';
    case 'uint64':
      return 'u64(r)';
    case 'sint64':
      return 's64(r)';
    case 'double':
      return 'dbl(r)';
    case 'float':
      return 'flt(r)';
    case 'fixed32':
      return 'r.fixed32()';
    case 'sfixed32':
      return '(r.fixed32() | 0)';
    case 'fixed64':
      return 'f64(r, false)';
    case 'sfixed64':
      return 'f64(r, true)';
    default:
      throw new Error(`codec: unknown scalar ${f.type}`);
  }
}

/** Statements reading a length-delimited message of `f`, merged into `into`; `use(call)` is the
 * statement that takes the decoded message (`call`). */
function messageStmt(
  f: Field,
  into: string,
  use: (call: string) => string,
  src: Source,
  decoderOf: (t: MessageType) => Decoder,
): string {
  const d = src.ref(decoderOf(f.message!));
  // The nested decoder reads up to its own end; the outer end is restored after it.
  return `{ const s = r.delimited(); const e = r.end; r.end = r.pos; r.pos = s; ${use(`${d}(r, ${into})`)} r.end = e; }`;
}

/** A function reading one entry of map field `f` (key = 1, value = 2) into a map. */
function mapEntryFunction(f: Field, name: string, src: Source, decoderOf: (t: MessageType) => Decoder): string {
  const key = f.mapKey!;
  const value = f.mapValue!;
  const valueDefault = value.message ? 'null' : defaultExpr(value);
  const readValue = value.message
    ? messageStmt(value, 'v', (call) => `v = ${call};`, src, decoderOf)
    : `v = ${scalarExpr(value, src)};`;
  return `function ${name}(r, map) {
    const s = r.delimited(); const outer = r.end; const e = r.pos; r.end = e; r.pos = s;
    let k = ${defaultExpr(key)}; let v = ${valueDefault};
    while (r.pos < e) {
      const at = r.pos; let t = r.buf[at];
      if (t < 128) r.pos = at + 1; else t = r.tag();
      if (t === ${key.wire + 8}) k = ${scalarExpr(key, src)};
      else if (t === ${value.wire + 16}) ${readValue}
      else other(r, t, at);
    }
    r.end = outer;
    put(map, ${key.type === 'string' ? 'k' : 'String(k)'}, v);
  }`;
}

/** A scalar's default as the decoder starts a map entry with (proto-loader's defaults). */
function defaultExpr(f: Field): string {
  if (f.enumType) return q(f.enumType.first);
  if (f.type === 'string') return "''";
  if (f.type === 'bool') return 'false';
  if (f.type === 'bytes') return 'Buffer.alloc(0)';
  return '0';
}

/** The switch cases of one field: its own tag, and the packed form of a repeated scalar. */
function fieldCases(f: Field, src: Source, decoderOf: (t: MessageType) => Decoder): string {
  const prop = `o[${q(f.name)}]`;
  const tag = f.id * 8 + f.wire;
  if (f.mapKey) {
    const fn = `m${src.functions.length}`;
    src.functions.push(mapEntryFunction(f, fn, src, decoderOf));
    return `case ${tag}: ${fn}(r, ${prop}); break;`;
  }
  if (f.repeated) {
    if (f.message)
      return `case ${tag}: ${messageStmt(f, 'null', (call) => `${prop}.push(${call});`, src, decoderOf)} break;`;
    const read = scalarExpr(f, src);
    const unpacked = `case ${tag}: ${prop}.push(${read}); break;`;
    if (!f.packable) return unpacked;
    return `${unpacked}
      case ${f.id * 8 + 2}: { const s = r.delimited(); const e = r.end; const l = ${prop}; r.end = r.pos; r.pos = s;
        while (r.pos < r.end) l.push(${read}); r.end = e; break; }`;
  }
  if (f.oneof) {
    const clear = f.siblings.map((s) => `if (o[${q(s)}] !== undefined) delete o[${q(s)}];`).join(' ');
    // A message member merges into the earlier occurrence only if the oneof still holds it.
    const read = f.message
      ? `const same = o[${q(f.oneof)}] === ${q(f.name)}; ${messageStmt(f, `(same ? ${prop} : null)`, (call) => `${prop} = ${call};`, src, decoderOf)}`
      : `${prop} = ${scalarExpr(f, src)};`;
    return `case ${tag}: { ${read} ${clear} o[${q(f.oneof)}] = ${q(f.name)}; break; }`;
  }
  if (f.message) return `case ${tag}: ${messageStmt(f, prop, (call) => `${prop} = ${call};`, src, decoderOf)} break;`;
  return `case ${tag}: ${prop} = ${scalarExpr(f, src)}; break;`;
}

/** Compiles the decoder of `type`; `decoderOf` gives those of the types its fields hold. */
export function compileDecoder(type: MessageType, decoderOf: (t: MessageType) => Decoder): Decoder {
  const src = new Source();
  const create = src.ref(type.create);
  const cases = type.fields.map((f) => fieldCases(f, src, decoderOf)).join('\n      ');
  const body = `${src.functions.join('\n')}
  return function decode(r, into) {
    r.enter();
    const o = into === null || into === undefined ? ${create}() : into;
    const buf = r.buf;
    const end = r.end;
    while (r.pos < end) {
      const at = r.pos;
      let t = buf[at];
      if (t < 128) r.pos = at + 1; else t = r.tag();
      switch (t) {
      ${cases}
      default: other(r, t, at);
      }
    }
    r.depth--;
    return o;
  };`;
  const names = Object.keys(HELPERS);
  const factory = new Function(...names, ...src.argNames, body) as (...a: unknown[]) => Decoder;
  return factory(...names.map((n) => HELPERS[n as keyof typeof HELPERS]), ...src.args);
}
