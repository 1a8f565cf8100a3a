// The types mo's codec knows (codec.ts), resolved from JSON descriptors into what the decoder and
// encoder walk: fields by number with their wire types, enums both ways, proto-loader's key order.
// The descriptors are generated from proto/ (scripts/gen-types.mjs): mo.v1's, and the standard
// grpc.health.v1 and grpc.reflection.{v1,v1alpha} ones every mo server also serves.
import { MO_DESCRIPTOR_JSON } from '../generated/descriptor.js';
import { GRPC_DESCRIPTOR_JSON } from '../generated/grpc-descriptor.js';

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

export interface Field {
  name: string;
  id: number;
  type: string;
  /** The wire type its values come with (2 for messages, maps, strings and bytes). */
  wire: number;
  repeated: boolean;
  /** A repeated scalar that may also come packed (wire type 2). */
  packable: boolean;
  /** For a map field: its key and value, as fields 1 and 2 of the entry message. */
  mapKey: Field | undefined;
  mapValue: Field | undefined;
  /** The oneof this field belongs to, if any, and the oneof's other members. */
  oneof: string | undefined;
  siblings: string[];
  message: MessageType | undefined;
  enumType: EnumType | undefined;
  /** Where the error messages say it is: `.mo.v1.Type.field`. */
  path: string;
}
export interface MessageType {
  name: string;
  fields: Field[];
  /** Fields that get a default, in proto-loader's key order: lists, then maps, then the rest. */
  defaulted: Field[];
  /** A new object holding every defaulted field's default (see defaultsFactory). */
  create: () => Record<string, unknown>;
}
export interface EnumType {
  byName: Record<string, number>;
  byId: Map<number, string>;
  first: string;
}

/** Scalar types and their wire types. */
const SCALAR_WIRE: Record<string, number> = {
  double: 1,
  float: 5,
  int32: 0,
  uint32: 0,
  sint32: 0,
  fixed32: 5,
  sfixed32: 5,
  int64: 0,
  uint64: 0,
  sint64: 0,
  fixed64: 1,
  sfixed64: 1,
  bool: 0,
  string: 2,
  bytes: 2,
};
export const isScalar = (type: string) => SCALAR_WIRE[type] !== undefined;

/** Every type and service of the descriptors by full name (`mo.v1.WorkloadSpec`). */
let registry: Map<string, TypeJson> | undefined;
const messages = new Map<string, MessageType>();
const enums = new Map<string, EnumType>();

function types(): Map<string, TypeJson> {
  if (registry) return registry;
  const all = new Map<string, TypeJson>();
  const walk = (ns: TypeJson, prefix: string) => {
    for (const [name, t] of Object.entries(ns.nested ?? {})) {
      const full = prefix ? `${prefix}.${name}` : name;
      if (t.fields || t.values || t.methods) all.set(full, t);
      walk(t, full);
    }
  };
  walk(JSON.parse(MO_DESCRIPTOR_JSON) as TypeJson, '');
  walk(JSON.parse(GRPC_DESCRIPTOR_JSON) as TypeJson, '');
  registry = all;
  return all;
}

/** A caller's type name: `WorkloadSpec` means mo.v1's; dotted names are full (`grpc.health.v1.X`). */
function fullName(name: string): string {
  if (name.startsWith('.')) return name.slice(1);
  return name.includes('.') ? name : `mo.v1.${name}`;
}

/** A field's type reference, resolved as protobuf scopes it: innermost enclosing scope first. */
function resolve(ref: string, scope: string): string {
  if (ref.startsWith('.')) return ref.slice(1);
  for (let s = scope; ; s = s.slice(0, Math.max(0, s.lastIndexOf('.')))) {
    const candidate = s ? `${s}.${ref}` : ref;
    if (types().has(candidate)) return candidate;
    if (!s) throw new Error(`codec: unknown type ${ref} in ${scope}`);
  }
}

/** The methods of mo.v1 service `name` (e.g. "NodeAgent"; or a full name), as the descriptor lists them. */
export function serviceMethods(name: string): Record<string, MethodJson> {
  const methods = types().get(fullName(name))?.methods;
  if (!methods) throw new Error(`codec: unknown service ${fullName(name)}`);
  return methods;
}

/** The names of every mo.v1 service. */
export function serviceNames(): string[] {
  return [...types()].filter(([full, t]) => t.methods && full.startsWith('mo.v1.')).map(([full]) => full.slice(6));
}

function enumType(full: string): EnumType {
  let e = enums.get(full);
  if (e) return e;
  const values = types().get(full)!.values!;
  e = { byName: values, byId: new Map(), first: Object.keys(values)[0]! };
  for (const [n, v] of Object.entries(values)) if (!e.byId.has(v)) e.byId.set(v, n);
  enums.set(full, e);
  return e;
}

function field(name: string, id: number, type: string, scope: string, path: string): Field {
  const full = isScalar(type) ? type : resolve(type, scope);
  const isEnum = types().get(full)?.values !== undefined;
  return {
    name,
    id,
    type: full,
    wire: isScalar(type) ? SCALAR_WIRE[type]! : isEnum ? 0 : 2,
    repeated: false,
    packable: false,
    mapKey: undefined,
    mapValue: undefined,
    oneof: undefined,
    siblings: [],
    message: undefined,
    enumType: isEnum ? enumType(full) : undefined,
    path,
  };
}

/** The message type `name` (see fullName), resolved lazily (types reference each other). */
export function messageType(name: string): MessageType {
  const key = fullName(name);
  let m = messages.get(key);
  if (m) return m;
  const json = types().get(key);
  if (!json?.fields) throw new Error(`codec: unknown message ${name}`);
  m = { name: key, fields: [], defaulted: [], create: () => ({}) };
  messages.set(key, m); // before resolving fields: recursive types
  const oneofOf = new Map<string, string[]>();
  for (const { oneof: members } of Object.values(json.oneofs ?? {})) {
    for (const f of members) oneofOf.set(f, members);
  }
  const oneofName = new Map<string, string>();
  for (const [oneof, { oneof: members }] of Object.entries(json.oneofs ?? {})) {
    for (const f of members) oneofName.set(f, oneof);
  }
  for (const [fname, f] of Object.entries(json.fields)) {
    const path = `.${key}.${fname}`;
    const fd = field(fname, f.id, f.type, key, path);
    fd.repeated = f.rule === 'repeated';
    fd.packable = fd.repeated && fd.wire !== 2;
    fd.oneof = oneofName.get(fname);
    fd.siblings = (oneofOf.get(fname) ?? []).filter((s) => s !== fname);
    if (f.keyType) {
      fd.mapKey = field('key', 1, f.keyType, key, `${path}: key`);
      fd.mapValue = field('value', 2, f.type, key, path);
      fd.enumType = undefined;
      fd.wire = 2;
      fd.packable = false;
    }
    m.fields.push(fd);
  }
  // Message-typed fields resolve after registration, so self references find it.
  for (const f of m.fields) {
    const target = f.mapValue ?? f;
    if (!isScalar(target.type) && !target.enumType) target.message = messageType(target.type);
  }
  m.defaulted = [
    ...m.fields.filter((f) => f.repeated && !f.mapKey),
    ...m.fields.filter((f) => f.mapKey),
    ...m.fields.filter((f) => !f.repeated && !f.mapKey && !f.oneof),
  ];
  m.create = defaultsFactory(m.defaulted);
  return m;
}

/** A field's default as a JS expression (proto-loader's defaults: see decode.ts). */
function defaultSource(f: Field): string {
  if (f.mapKey) return '{}';
  if (f.repeated) return '[]';
  if (f.message) return 'null';
  if (f.enumType) return JSON.stringify(f.enumType.first);
  if (f.type === 'string') return "''";
  if (f.type === 'bool') return 'false';
  if (f.type === 'bytes') return 'Buffer.alloc(0)';
  return '0';
}

/**
 * One object literal per message type, compiled once: V8 builds it from a boilerplate with its final
 * shape, where filling `{}` field by field went through a megamorphic keyed store per field (the
 * decoder's main cost). The source is made only from the descriptor's field names, JSON-quoted.
 */
function defaultsFactory(fields: Field[]): () => Record<string, unknown> {
  const body = fields.map((f) => `${JSON.stringify(f.name)}: ${defaultSource(f)}`).join(', ');
  return new Function('Buffer', `return () => ({ ${body} });`)(Buffer) as () => Record<string, unknown>;
}
