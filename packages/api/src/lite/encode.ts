// Encoding for mo's codec (codec.ts): plain objects (camelCase names) to wire bytes, as lenient as
// protobufjs's fromObject.
import { messageType, type Field, type MessageType } from './schema.js';
import { Writer } from './wire.js';

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
