// mo's messages as JSON (the scheduler's HTTP API): proto3's JSON mapping, read strictly and
// written as the codec's objects are. A request is checked against its message type — each field
// of the right JSON type, unknown names refused — with every error naming the field's path in the
// proto's words (`spec.argv[0]`, as the services' own errors do), then encoded and decoded the way
// a gRPC request's bytes are (the same wire bounds, the same defaults), so a handler is given
// exactly the object a gRPC call would give it. URL queries map onto the same reader.
//
// Written form: every field present with its default, camelCase names, enums as names, 64-bit
// integers as JSON numbers (mo keeps them below 2^53), bytes as base64.
import { InvalidArgumentError, MoError, truncateForError } from '../errors.js';
import { RefusedRequest, requestDecoder } from '../malformed.js';
import { decodeMessage } from './decode.js';
import { encodeMessage } from './encode.js';
import { messageType, type Field, type MessageType } from './schema.js';

/** `workloadId` -> `workload_id`: the proto's own name, which errors use. */
export function snakeName(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const INT32_RANGE: Record<string, [number, number]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  sint32: [-(2 ** 31), 2 ** 31 - 1],
  sfixed32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  fixed32: [0, 2 ** 32 - 1],
};
const INT64 = new Set(['int64', 'sint64', 'sfixed64', 'uint64', 'fixed64']);
const BASE64_RE = /^[A-Za-z0-9+/_-]*={0,2}$/;

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

/** A JSON value of field `f` (one item of a list, a map's value) as the codec takes it. */
function scalar(f: Field, v: unknown, path: string): unknown {
  if (f.message) return message(f.message, v, path);
  if (f.enumType) {
    if (typeof v === 'string' && f.enumType.byName[v] !== undefined) return v;
    if (typeof v === 'number' && f.enumType.byId.has(v)) return f.enumType.byId.get(v);
    const names = Object.keys(f.enumType.byName);
    const shown = names.slice(0, 12).join(', ') + (names.length > 12 ? ', …' : '');
    throw new InvalidArgumentError(path, `must be one of ${shown}, got ${truncateForError(JSON.stringify(v) ?? '')}`);
  }
  switch (f.type) {
    case 'string':
      if (typeof v !== 'string') throw new InvalidArgumentError(path, `must be a string, got ${typeName(v)}`);
      return v;
    case 'bool':
      if (typeof v !== 'boolean') throw new InvalidArgumentError(path, `must be true or false, got ${typeName(v)}`);
      return v;
    case 'bytes':
      if (typeof v !== 'string' || !BASE64_RE.test(v)) throw new InvalidArgumentError(path, 'must be base64 text');
      return Buffer.from(v, 'base64');
    case 'double':
    case 'float': {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isFinite(n)) {
        throw new InvalidArgumentError(path, `must be a finite number, got ${typeName(v)}`);
      }
      return n;
    }
  }
  // Integers: a JSON number, or a decimal string (proto3 JSON's form of 64-bit integers).
  const n = typeof v === 'string' && /^-?\d{1,20}$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    throw new InvalidArgumentError(path, `must be an integer, got ${truncateForError(JSON.stringify(v) ?? '', 32)}`);
  }
  const [min, max] = INT32_RANGE[f.type] ?? [
    f.type.startsWith('u') || f.type === 'fixed64' ? 0 : Number.MIN_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER,
  ];
  if (n < min || n > max) {
    const what = INT64.has(f.type) ? `${min} to 2^53-1 (JSON numbers are exact to there)` : `${min} to ${max}`;
    throw new InvalidArgumentError(path, `must be from ${what}, got ${truncateForError(String(v), 32)}`);
  }
  return n;
}

/** A JSON object checked as message `type`: a plain object with camelCase names for the encoder. */
function message(type: MessageType, v: unknown, path: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new InvalidArgumentError(path || '(body)', `must be a JSON object, got ${typeName(v)}`);
  }
  const at = (name: string) => (path ? `${path}.${name}` : name);
  const byName = new Map<string, Field>();
  for (const f of type.fields) {
    byName.set(f.name, f);
    byName.set(snakeName(f.name), f);
  }
  const out: Record<string, unknown> = {};
  const oneofs = new Map<string, string>();
  const oneofNames = new Set(type.fields.map((f) => f.oneof).filter((o) => o !== undefined));
  for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
    // The codec writes a oneof's name holding the member set ("event": "workload"): read back, it says nothing.
    if (oneofNames.has(key) && (value === null || typeof value === 'string')) continue;
    const f = byName.get(key);
    if (!f) throw new InvalidArgumentError(at(truncateForError(key, 64)), `unknown field of ${type.name}`);
    const p = at(snakeName(f.name));
    if (f.name in out) throw new InvalidArgumentError(p, 'is given twice (by its proto and its JSON name)');
    if (value === null) continue; // proto3 JSON: null is the default
    if (f.oneof) {
      const other = oneofs.get(f.oneof);
      if (other) throw new InvalidArgumentError(p, `cannot be combined with ${other} (one of ${snakeName(f.oneof)})`);
      oneofs.set(f.oneof, p);
    }
    if (f.mapKey) {
      if (typeof value !== 'object' || Array.isArray(value)) {
        throw new InvalidArgumentError(p, `must be a JSON object (a map), got ${typeName(value)}`);
      }
      const map: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(value as Record<string, unknown>)) {
        const kp = `${p}.${truncateForError(k, 64)}`;
        if (f.mapKey.type !== 'string') scalar(f.mapKey, f.mapKey.type === 'bool' ? k === 'true' : k, `${kp}: key`);
        map[k] = scalar(f.mapValue!, x, kp);
      }
      out[f.name] = map;
    } else if (f.repeated) {
      if (!Array.isArray(value)) throw new InvalidArgumentError(p, `must be a JSON array, got ${typeName(value)}`);
      out[f.name] = value.map((x, i) => scalar(f, x, `${p}[${i}]`));
    } else {
      out[f.name] = scalar(f, value, p);
    }
  }
  return out;
}

/**
 * A request message from its JSON form: checked (InvalidArgumentError naming the field), then
 * through the gRPC request decoder (wire-guard bounds: their errors as gRPC gives them). `T` is the
 * type's `__Output` form, every field present.
 */
export function requestFromJson<T>(type: string, json: unknown): T {
  const checked = message(messageType(type), json, '');
  const decoded = requestDecoder(type, (bytes) => decodeMessage(type, bytes))(encodeMessage(type, checked));
  if (decoded instanceof RefusedRequest) throw new MoError(decoded.code, decoded.details);
  return decoded as T;
}

/**
 * A URL query as the JSON object of request `type`: each parameter names a field (camelCase or
 * snake_case) of the top level; a list field takes repeated parameters or commas
 * (`states=A,B`), a map takes `key=value` items (`labels=team=a`), a bool `true|false|1|0`.
 * Parameters named in `ignore` are left out (the transport's own, e.g. a stream's `topic`).
 */
export function jsonFromQuery(type: string, query: URLSearchParams, ignore: readonly string[] = []): unknown {
  const t = messageType(type);
  const out: Record<string, unknown> = {};
  for (const key of new Set(query.keys())) {
    if (ignore.includes(key)) continue;
    const f = t.fields.find((x) => x.name === key || snakeName(x.name) === key);
    const values = query.getAll(key);
    if (!f || (f.message && !f.mapKey)) {
      throw new InvalidArgumentError(truncateForError(key, 64), `is not a query parameter of ${t.name}`);
    }
    const p = snakeName(f.name);
    if (f.mapKey) {
      const map: Record<string, string> = {};
      for (const item of values.flatMap((v) => v.split(','))) {
        const eq = item.indexOf('=');
        if (eq <= 0)
          throw new InvalidArgumentError(
            p,
            `expected key=value items, got ${JSON.stringify(truncateForError(item, 64))}`,
          );
        map[item.slice(0, eq)] = item.slice(eq + 1);
      }
      out[key] = map;
    } else if (f.repeated) {
      out[key] = values.flatMap((v) => v.split(',')).filter((v) => v !== '');
    } else {
      if (values.length > 1) throw new InvalidArgumentError(p, 'is given more than once');
      const v = values[0]!;
      if (f.type === 'bool') {
        if (!['true', 'false', '1', '0'].includes(v))
          throw new InvalidArgumentError(p, `must be true or false, got ${JSON.stringify(truncateForError(v, 32))}`);
        out[key] = v === 'true' || v === '1';
      } else {
        out[key] = v;
      }
    }
  }
  return out;
}

/** A message (a codec object) as JSON text: bytes as base64 (JSON.stringify would spell out Buffers). */
export function messageToJson(value: unknown): string {
  return JSON.stringify(value, function (this: unknown, key, v: unknown) {
    const raw = (this as Record<string, unknown>)[key];
    return Buffer.isBuffer(raw) ? raw.toString('base64') : v;
  });
}

/** A response message as a gRPC client would see it (every field present), in JSON text. */
export function responseJson(type: string, value: object): string {
  return messageToJson(decodeMessage(type, encodeMessage(type, value)));
}
