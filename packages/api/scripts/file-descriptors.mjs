// Turns .proto files into the FileDescriptorProtos protoc would write (`protoc
// --descriptor_set_out`, without source info), for server reflection: one per file, with its real
// name and imports, snake_case field names with protoc's json_name, map fields as protoc's nested
// `XxxEntry` messages with `map_entry = true`, proto3 `optional` as a synthetic oneof. Stock
// descriptor pools (Python's, Go's protodesc) accept exactly that, and the reflection test compares
// the result with protoc's when protoc is installed.
//
// Why not protobufjs/ext/descriptor: it writes one file per package (named after the package, with
// no imports), map entries named after the field without "Entry", relative type names and no
// json_name, which is what stock tools rejected. protobufjs still parses the text here (the parser
// keeps declaration order and each file's options); this file only maps its objects to descriptors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// FieldDescriptorProto.Type and .Label numbers (google/protobuf/descriptor.proto).
const SCALAR_TYPES = {
  double: 1,
  float: 2,
  int64: 3,
  uint64: 4,
  int32: 5,
  fixed64: 6,
  fixed32: 7,
  bool: 8,
  string: 9,
  bytes: 12,
  uint32: 13,
  sfixed32: 15,
  sfixed64: 16,
  sint32: 17,
  sint64: 18,
};
const TYPE_MESSAGE = 11;
const TYPE_ENUM = 14;
const LABEL_OPTIONAL = 1;
const LABEL_REPEATED = 3;

/** protoc's ToJsonName: drop each '_' and upper-case the next character that is not one. */
export function jsonName(name) {
  let out = '';
  let upper = false;
  for (const c of name) {
    if (c === '_') upper = true;
    else {
      out += upper ? c.toUpperCase() : c;
      upper = false;
    }
  }
  return out;
}

/**
 * Where each message's nested messages and map fields are declared, in source order (`Name` or
 * `map:field`), by message full name: protoc adds a map's entry type to nested_type where the
 * field is, and protobufjs keeps fields and nested types apart.
 */
function nestedOrder(protobuf, text, pkg) {
  const tn = protobuf.tokenize(text, false);
  const order = new Map();
  const blocks = []; // per open '{': the message's full name, or null for any other block
  let opening = null;
  for (let token = tn.next(); token !== null; token = tn.next()) {
    const top = blocks.length ? blocks[blocks.length - 1] : undefined;
    if (token === '"' || token === "'") {
      tn.next(); // the string's text, then its closing quote
      tn.next();
    } else if (token === 'message' && top !== null) {
      const name = tn.next();
      const full = `${top ?? pkg}.${name}`;
      if (top) order.get(top).push(name);
      order.set(full, []);
      opening = full;
    } else if (token === 'map' && top && tn.peek() === '<') {
      for (let t = tn.next(); t !== '>'; t = tn.next()) if (t === null) return order; // protobufjs reports it
      order.get(top).push(`map:${tn.next()}`);
    } else if (token === '{') {
      blocks.push(opening);
      opening = null;
    } else if (token === '}') blocks.pop();
  }
  return order;
}

/** protoc's MapEntryName: `workload_counts` -> `WorkloadCountsEntry`. */
export function mapEntryName(field) {
  return field.replace(/(?:^|_)([a-z]?)/g, (_, c) => c.toUpperCase()) + 'Entry';
}

/**
 * The descriptors of `files` (paths relative to `includeDir`, e.g. "mo/v1/agent.proto"), each
 * `{ name, dependencies, services, messages, symbols, bytes }`: `symbols` are the fully qualified names the
 * file defines (messages, enums and their values, fields, oneofs, services, methods), as a
 * descriptor pool resolves them; `bytes` the encoded FileDescriptorProto.
 */
export function fileDescriptors(protobuf, descriptorProto, includeDir, files) {
  // One root with every file, for resolving type references across files.
  const all = new protobuf.Root();
  all.resolvePath = (_origin, target) => join(includeDir, target);
  all.loadSync(files, { keepCase: true });
  all.resolveAll();

  const descriptorRoot = new protobuf.Root().loadSync(descriptorProto, { keepCase: true });
  const FileDescriptorProto = descriptorRoot.lookupType('google.protobuf.FileDescriptorProto');
  const optionFields = (type) => new Set(Object.keys(descriptorRoot.lookupType(`google.protobuf.${type}`).fields));

  const out = [];
  const seen = new Map();
  for (const name of files) {
    const text = readFileSync(join(includeDir, name), 'utf8');
    const syntax = /^\s*syntax\s*=\s*"([^"]+)"/m.exec(text)?.[1];
    if (syntax !== 'proto3')
      throw new Error(`${name}: only proto3 files are supported (syntax is ${syntax ?? 'unset'})`);
    // A file parsed alone keeps only its own declarations, in order, and its own options.
    const parsed = protobuf.parse(text, new protobuf.Root(), { keepCase: true });
    if (!parsed.package) throw new Error(`${name}: a package is required`);
    if (parsed.weakImports?.length) throw new Error(`${name}: weak imports are not supported`);
    const ns = parsed.root.lookup(parsed.package);
    const pkg = parsed.package;
    const order = nestedOrder(protobuf, text, pkg);
    const symbols = [];
    const services = [];
    const messages = [];
    const where = (what) => `${name}: ${what}`;

    const options = (obj, type, what) => {
      if (!obj) return undefined;
      const known = optionFields(type);
      const result = {};
      for (const [k, v] of Object.entries(obj)) {
        if (!known.has(k))
          throw new Error(where(`option ${k} of ${what} is not a ${type} field (custom options are not supported)`));
        result[k] = v;
      }
      return Object.keys(result).length ? result : undefined;
    };

    const resolvedName = (fullName, fieldName) => {
      const type = all.lookup(fullName);
      const field = type.fields[fieldName];
      if (!field.resolvedType && !(field.type in SCALAR_TYPES)) throw new Error(where(`cannot resolve ${field.type}`));
      return field.resolvedType;
    };
    const typeOf = (typeName, resolved, what) => {
      if (typeName in SCALAR_TYPES) return { type: SCALAR_TYPES[typeName] };
      if (resolved instanceof protobuf.Enum) return { type: TYPE_ENUM, type_name: resolved.fullName };
      if (resolved instanceof protobuf.Type) return { type: TYPE_MESSAGE, type_name: resolved.fullName };
      throw new Error(where(`${what}: cannot resolve type ${typeName}`));
    };

    const enumDescriptor = (e, scope) => {
      symbols.push(`${scope}.${e.name}`);
      const value = Object.entries(e.values).map(([vname, number]) => {
        symbols.push(`${scope}.${vname}`); // enum values are siblings of their enum (C++ scoping)
        const vopts = options(e.valuesOptions?.[vname], 'EnumValueOptions', `${e.name}.${vname}`);
        return { name: vname, number, ...(vopts && { options: vopts }) };
      });
      const eopts = options(e.options, 'EnumOptions', e.name);
      if (e.reserved?.length) throw new Error(where(`${e.name}: reserved ranges in enums are not supported`));
      return { name: e.name, value, ...(eopts && { options: eopts }) };
    };

    const messageDescriptor = (t, scope) => {
      const full = `${scope}.${t.name}`;
      symbols.push(full);
      messages.push(full);
      if (t.extensions?.length) throw new Error(where(`${full}: extensions are not supported`));
      // protoc lists real oneofs in order, then the synthetic ones of proto3 `optional` fields.
      const oneofs = [
        ...t.oneofsArray.filter((o) => !o.name.startsWith('_')),
        ...t.oneofsArray.filter((o) => o.name.startsWith('_')),
      ];
      const entries = new Map();
      const field = t.fieldsArray.map((f) => {
        symbols.push(`${full}.${f.name}`);
        const { json_name: customJson, proto3_optional, ...rest } = f.options ?? {};
        const fopts = options(rest, 'FieldOptions', `${full}.${f.name}`);
        const d = { name: f.name, number: f.id, json_name: customJson ?? jsonName(f.name) };
        if (f.map) {
          const entry = mapEntryName(f.name);
          symbols.push(`${full}.${entry}`, `${full}.${entry}.key`, `${full}.${entry}.value`);
          messages.push(`${full}.${entry}`);
          entries.set(f.name, {
            name: entry,
            field: [
              {
                name: 'key',
                number: 1,
                label: LABEL_OPTIONAL,
                ...typeOf(f.keyType, undefined, 'map key'),
                json_name: 'key',
              },
              {
                name: 'value',
                number: 2,
                label: LABEL_OPTIONAL,
                ...typeOf(f.type, resolvedName(full, f.name), `${full}.${f.name}`),
                json_name: 'value',
              },
            ],
            options: { map_entry: true },
          });
          Object.assign(d, { label: LABEL_REPEATED, type: TYPE_MESSAGE, type_name: `.${full}.${entry}` });
        } else {
          d.label = f.rule === 'repeated' ? LABEL_REPEATED : LABEL_OPTIONAL;
          Object.assign(d, typeOf(f.type, resolvedName(full, f.name), `${full}.${f.name}`));
        }
        if (f.partOf) d.oneof_index = oneofs.indexOf(f.partOf);
        if (proto3_optional) d.proto3_optional = true;
        if (fopts) d.options = fopts;
        return d;
      });
      for (const o of oneofs) symbols.push(`${full}.${o.name}`);
      const enum_type = [];
      const declared = new Map();
      for (const n of t.nestedArray) {
        if (n instanceof protobuf.Type) declared.set(n.name, messageDescriptor(n, full));
        else if (n instanceof protobuf.Enum) enum_type.push(enumDescriptor(n, full));
        else throw new Error(where(`${full}.${n.name}: unsupported nested declaration`));
      }
      const nested_type = (order.get(full) ?? []).map((d) =>
        d.startsWith('map:') ? entries.get(d.slice(4)) : declared.get(d),
      );
      if (nested_type.length !== entries.size + declared.size || nested_type.includes(undefined)) {
        throw new Error(where(`${full}: nested messages and map fields were not all found in the source`));
      }
      const reserved_range = [];
      const reserved_name = [];
      for (const r of t.reserved ?? []) {
        if (typeof r === 'string') reserved_name.push(r);
        else reserved_range.push({ start: r[0], end: r[1] + 1 }); // protobufjs keeps "to" inclusive
      }
      const mopts = options(t.options, 'MessageOptions', full);
      return {
        name: t.name,
        field,
        nested_type,
        enum_type,
        oneof_decl: oneofs.map((o) => ({ name: o.name })),
        reserved_range,
        reserved_name,
        ...(mopts && { options: mopts }),
      };
    };

    const serviceDescriptor = (s) => {
      const full = `${pkg}.${s.name}`;
      symbols.push(full);
      services.push(full);
      const method = s.methodsArray.map((m) => {
        symbols.push(`${full}.${m.name}`);
        const resolved = all.lookup(full).methods[m.name].resolve();
        const d = {
          name: m.name,
          input_type: resolved.resolvedRequestType.fullName,
          output_type: resolved.resolvedResponseType.fullName,
        };
        const mopts = options(m.options, 'MethodOptions', `${full}.${m.name}`);
        if (mopts) d.options = mopts;
        if (m.requestStream) d.client_streaming = true;
        if (m.responseStream) d.server_streaming = true;
        return d;
      });
      const sopts = options(s.options, 'ServiceOptions', full);
      return { name: s.name, method, ...(sopts && { options: sopts }) };
    };

    const file = { name, package: pkg, dependency: parsed.imports ?? [], message_type: [], enum_type: [], service: [] };
    for (const n of ns.nestedArray) {
      if (n instanceof protobuf.Service) file.service.push(serviceDescriptor(n));
      else if (n instanceof protobuf.Type) file.message_type.push(messageDescriptor(n, pkg));
      else if (n instanceof protobuf.Enum) file.enum_type.push(enumDescriptor(n, pkg));
      else throw new Error(where(`${n.fullName}: unsupported top-level declaration`));
    }
    const fopts = options(ns.options, 'FileOptions', 'the file');
    if (fopts) file.options = fopts;
    file.syntax = 'proto3';

    for (const s of symbols) {
      if (seen.has(s)) throw new Error(`${s} is defined in both ${seen.get(s)} and ${name}`);
      seen.set(s, name);
    }
    const message = FileDescriptorProto.fromObject(file);
    const problem = FileDescriptorProto.verify(message);
    if (problem) throw new Error(where(`invalid descriptor: ${problem}`));
    out.push({
      name,
      dependencies: file.dependency,
      services,
      messages,
      symbols,
      bytes: Buffer.from(FileDescriptorProto.encode(message).finish()),
    });
  }
  return out;
}
