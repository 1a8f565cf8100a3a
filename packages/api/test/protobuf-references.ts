// The two references conformance.test.ts (src/wire) checks mo's decoder against besides protobufjs,
// both reading mo.v1 from protoc's descriptors: stock protobuf (Debian's python3-protobuf, its C++
// implementation) and @bufbuild/protobuf 2. Each is missing as a failure under CI=true, and
// skipped with a reason elsewhere (requireTool).
import { createFileRegistry, fromBinary, toBinary, type DescMessage } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { requireTool } from '@mo/testkit';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROTO_ROOT } from '../src/proto.js';

/** Stock protobuf's reading of each row: canonical bytes without unknown fields, or its error. */
export function stockProtobuf(
  rows: { type: string; bytes: Buffer }[],
): ({ ok: true; hex: string } | { ok: false; error: string })[] | undefined {
  const python = '/usr/bin/python3';
  let probe = '';
  try {
    probe = execFileSync(python, ['-c', 'import google.protobuf, grpc_tools; print("ok")'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    // no python3, or a module missing: requireTool below says which
  }
  if (!requireTool(probe === 'ok', 'python3-protobuf and python3-grpc-tools (/usr/bin/python3)')) return undefined;
  const dir = mkdtempSync(join(tmpdir(), `mo-conformance-${process.pid}-`));
  try {
    const script = `
import json, sys
from grpc_tools import protoc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
root, out = sys.argv[1], sys.argv[2]
files = ['mo/v1/%s.proto' % f for f in ('agent', 'node', 'pipeline', 'registry', 'scheduler', 'workload')]
if protoc.main(['protoc', '-I' + root, '--include_imports', '--descriptor_set_out=' + out] + files) != 0:
    sys.exit('protoc failed')
pool = descriptor_pool.DescriptorPool()
for f in descriptor_pb2.FileDescriptorSet.FromString(open(out, 'rb').read()).file:
    pool.Add(f)
factory = message_factory.MessageFactory(pool)
res = []
for row in json.load(sys.stdin):
    m = factory.GetPrototype(pool.FindMessageTypeByName('mo.v1.' + row['type']))()
    try:
        m.ParseFromString(bytes.fromhex(row['hex']))
        m.DiscardUnknownFields()
        res.append({'ok': True, 'hex': m.SerializeToString(deterministic=True).hex()})
    except Exception as e:
        res.append({'ok': False, 'error': str(e)})
print(json.dumps(res))
`;
    const input = JSON.stringify(rows.map((r) => ({ type: r.type, hex: r.bytes.toString('hex') })));
    const out = execFileSync(python, ['-c', script, PROTO_ROOT, join(dir, 'mo.pb')], {
      input,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'], // libprotobuf's warnings on the odd rows are expected
    });
    return JSON.parse(out) as ({ ok: true; hex: string } | { ok: false; error: string })[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** @bufbuild/protobuf's reading of a `type` message: what it writes back without unknown fields. */
export function bufbuildReference(): ((type: string, bytes: Buffer) => Buffer) | undefined {
  const dir = mkdtempSync(join(tmpdir(), `mo-conformance-bufbuild-${process.pid}-`));
  try {
    const out = join(dir, 'mo.pb');
    const files = ['agent', 'node', 'pipeline', 'registry', 'scheduler', 'workload'].map((f) => `mo/v1/${f}.proto`);
    const args = [`-I${PROTO_ROOT}`, '--include_imports', `--descriptor_set_out=${out}`, ...files];
    for (const [cmd, pre] of [
      ['protoc', []],
      ['python3', ['-m', 'grpc_tools.protoc']],
    ] as const) {
      try {
        execFileSync(cmd, [...pre, ...args], { stdio: 'ignore' });
        break;
      } catch {
        // the next compiler, if any
      }
    }
    if (!requireTool(existsSync(out), 'protoc (protobuf-compiler or python3-grpc-tools)')) return undefined;
    const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(out)));
    return (type, bytes) => {
      const schema = registry.getMessage(`mo.v1.${type}`) as DescMessage;
      const message = fromBinary(schema, bytes, { readUnknownFields: false });
      return Buffer.from(toBinary(schema, message));
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
