// The build-time descriptors (scripts/file-descriptors.mjs) against protoc's own
// (`--descriptor_set_out`): mo's committed ones, and a fixture with every construct the converter
// handles (proto3 optional, nested messages around map fields, custom json_name, options,
// reserved ranges, enum aliases, streaming methods, a name with a double underscore).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { PROTO_FILES } from '../generated/reflection.js';
import { PROTO_ROOT } from '../proto.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/file-descriptors.mjs', import.meta.url));
const require = createRequire(import.meta.url);
const descriptorProto = require.resolve('protobufjs/google/protobuf/descriptor.proto');
const descriptors = new protobuf.Root().loadSync(descriptorProto, { keepCase: true });
const FileDescriptorSet = descriptors.lookupType('google.protobuf.FileDescriptorSet');
const FileDescriptorProto = descriptors.lookupType('google.protobuf.FileDescriptorProto');

function protocFound(): boolean {
  try {
    execFileSync('protoc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.CI === 'true')
      throw new Error('protoc (Debian protobuf-compiler) is required in CI but was not found');
    console.warn('SKIPPED: protoc (Debian protobuf-compiler) not found (set CI=true to make this a failure)');
    return false;
  }
}
const maybe = protocFound() ? describe : describe.skip;

/** protoc's descriptors of `files` under `dir`, by file name, as plain objects. */
function protoc(dir: string, files: string[], outDir: string): Map<string, object> {
  const out = join(outDir, `protoc-${process.pid}.pb`);
  execFileSync('protoc', [`-I${dir}`, '--include_imports', `--descriptor_set_out=${out}`, ...files]);
  const set = FileDescriptorSet.toObject(FileDescriptorSet.decode(readFileSync(out))) as { file: { name: string }[] };
  return new Map(set.file.map((f) => [f.name, f]));
}

/** The converter's descriptors of `files`, run as gen-types runs it (in a child: it is a script). */
function converted(dir: string, files: string[]): Map<string, object> {
  const program = `
    import { createRequire } from 'node:module';
    import { fileDescriptors } from ${JSON.stringify(SCRIPT)};
    const require = createRequire(${JSON.stringify(import.meta.url)});
    const out = fileDescriptors(require('protobufjs'), ${JSON.stringify(descriptorProto)}, ${JSON.stringify(dir)}, ${JSON.stringify(files)});
    console.log(JSON.stringify(out.map((f) => f.bytes.toString('base64'))));`;
  const encoded = JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', program], { encoding: 'utf8' }),
  );
  return new Map(
    (encoded as string[]).map((b64) => {
      const f = FileDescriptorProto.toObject(FileDescriptorProto.decode(Buffer.from(b64, 'base64'))) as {
        name: string;
      };
      return [f.name, f];
    }),
  );
}

const FIXTURE: Record<string, string> = {
  'x/y/b.proto': `syntax = "proto3";
package x.y;
message B { double d = 1; float f = 2; uint64 u = 3; sint32 s = 4; fixed64 fx = 5; sfixed32 sf = 6; bool ok = 7; sint64 s64 = 8; }
enum Top { option allow_alias = true; TOP_UNSPECIFIED = 0; TOP_A = 1; TOP_B = 1; }
`,
  'x/y/a.proto': `syntax = "proto3";
package x.y;
import "x/y/b.proto";
option go_package = "example.com/x"; // "message" in a comment and a string must not confuse it
message Outer {
  message Inner { int32 v = 1; map<string, string> deep = 2; }
  enum Kind { KIND_UNSPECIFIED = 0; KIND_A = 1 [deprecated = true]; }
  optional int64 maybe = 1;
  repeated int32 nums = 2 [packed = false];
  string custom = 3 [json_name = "cust"];
  map<string, Inner> inners = 4;
  message Later { Top t = 1; }
  map<int32, Kind> kinds = 5;
  oneof choice { string a_b = 6; B b = 7; }
  reserved 10 to 12, 15;
  reserved "old_name";
  Kind kind = 8 [deprecated = true];
  optional string second__opt = 9;
  repeated B bs = 16;
  bytes data = 17;
  map<string, B> by_name = 18;
}
service S {
  rpc Do(stream Outer) returns (stream B) { option deprecated = true; }
  rpc One(B) returns (Outer);
}
`,
};

maybe('build-time file descriptors', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), `mo-file-descriptors-${process.pid}-`));
    for (const [name, text] of Object.entries(FIXTURE)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are what protoc makes of every construct the converter handles', () => {
    const files = Object.keys(FIXTURE);
    const ours = converted(dir, files);
    const theirs = protoc(dir, files, dir);
    for (const f of files) expect(ours.get(f)).toEqual(theirs.get(f));
  });

  it("are what protoc makes of mo's protos and the standard ones, as committed", () => {
    const theirs = protoc(
      PROTO_ROOT,
      PROTO_FILES.map((f) => f.name),
      dir,
    );
    for (const f of PROTO_FILES) {
      const ours = FileDescriptorProto.toObject(FileDescriptorProto.decode(Buffer.from(f.descriptor, 'base64')));
      expect(ours).toEqual(theirs.get(f.name));
    }
  });
});
