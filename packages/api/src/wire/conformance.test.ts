// The wire rules of protobuf, as a table: protobufjs *writes* each input (its Writer for unknown
// fields, groups, wrong wire types, packed or not; its encoder for messages split in two), and mo's
// decoder must read what stock protobuf reads. Three references:
// - protobufjs (decode + toObject with proto-loader's options), where it follows the spec. It does
//   not everywhere (7.x replaces an embedded message seen twice instead of merging it, reads a
//   known field with the wrong wire type as if it were right, keeps two members of a oneof, accepts
//   field number 0): those rows say `protobufjs: 'differs'` and give the single-occurrence object
//   the spec makes of the input, which protobufjs then encodes and decodes;
// - stock protobuf (Debian's python3-protobuf, C++ implementation, with grpc_tools' protoc for the
//   descriptors): it parses each input, drops unknown fields and writes it back canonically; that
//   must decode to the same object. Missing: a failure under CI=true, skipped with a reason elsewhere;
// - @bufbuild/protobuf 2 (from protoc's descriptors), the other maintained JS library, the same way.
//   It departs from the spec on the wrong-wire-type rows (`bufbuild: 'differs'`: it reads the field
//   as its declared type, and fails) and refuses invalid UTF-8 as stock protobuf does.
// Both live in ../../test/protobuf-references.ts.
// Malformed rows must be rejected by all (mo with a WireFormatError).
import { describe, expect, it } from '@jest/globals';
import protobuf from 'protobufjs';
import { MO_DESCRIPTOR_JSON } from '../generated/descriptor.js';
import { bufbuildReference, stockProtobuf } from '../../test/protobuf-references.js';
import { decodeMessage, WireFormatError } from './codec.js';

const root = protobuf.Root.fromJSON(JSON.parse(MO_DESCRIPTOR_JSON) as protobuf.INamespace);
root.resolveAll();
const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true, oneofs: true };
const type = (name: string) => root.lookupType(`mo.v1.${name}`);
const pbEncode = (name: string, obj: object) => Buffer.from(type(name).encode(type(name).fromObject(obj)).finish());
const pbDecode = (name: string, bytes: Buffer) => type(name).toObject(type(name).decode(bytes), TO_OBJECT);
const cat = (...parts: Buffer[]) => Buffer.concat(parts);
/** Raw protobuf written by protobufjs's Writer: `w((x) => x.uint32(...).string(...))`. */
const w = (write: (x: protobuf.Writer) => protobuf.Writer) => Buffer.from(write(protobuf.Writer.create()).finish());
const tag = (id: number, wire: number) => ((id << 3) | wire) >>> 0;
/** An unknown group (field `id`) holding every wire type, a nested group among them. */
const group = (x: protobuf.Writer, id: number) =>
  x
    .uint32(tag(id, 3))
    .uint32(tag(1, 0))
    .uint64(2 ** 40)
    .uint32(tag(2, 1))
    .fixed64(7)
    .uint32(tag(3, 2))
    .string('inside')
    .uint32(tag(4, 5))
    .fixed32(9)
    .uint32(tag(5, 3))
    .uint32(tag(6, 0))
    .uint32(1)
    .uint32(tag(5, 4))
    .uint32(tag(id, 4));

interface Row {
  name: string;
  type: string;
  bytes: Buffer;
  malformed?: true;
  /** Where protobufjs 7 departs from the spec; `spec` is the object the spec reads. */
  protobufjs?: 'differs' | 'accepts';
  spec?: object;
  /** Stock protobuf refuses invalid UTF-8 in a string, where protobufjs and mo take it (U+FFFD);
   * its C++ parser stops quietly at a tag 0 or a stray end of group, where mo refuses. */
  python?: 'rejects' | 'accepts';
  /** Where @bufbuild/protobuf 2 departs: it reads a known field with the wrong wire type as if it
   * were right (so fails or reads garbage, like protobufjs), and refuses invalid UTF-8 as stock
   * protobuf does. */
  bufbuild?: 'differs' | 'rejects';
}

const spec = (o: object) => pbEncode('WorkloadSpec', o);
const ARGV = tag(3, 2); // WorkloadSpec.argv
const ROWS: Row[] = [
  // unknown fields of every wire type
  {
    name: 'unknown varint',
    type: 'WorkloadSpec',
    bytes: cat(
      spec({ argv: ['a'] }),
      w((x) => x.uint32(tag(99, 0)).int64(-5)),
    ),
  },
  {
    name: 'unknown fixed64',
    type: 'WorkloadSpec',
    bytes: w((x) => x.uint32(tag(100, 1)).fixed64(1).uint32(ARGV).string('a')),
  },
  {
    name: 'unknown bytes',
    type: 'WorkloadSpec',
    bytes: w((x) =>
      x
        .uint32(tag(101, 2))
        .bytes(Buffer.from([1, 2]))
        .uint32(ARGV)
        .string('a'),
    ),
  },
  {
    name: 'unknown fixed32',
    type: 'WorkloadSpec',
    bytes: w((x) => x.uint32(ARGV).string('a').uint32(tag(102, 5)).fixed32(3)),
  },
  {
    name: 'unknown group, nested groups inside',
    type: 'WorkloadSpec',
    bytes: w((x) => group(x.uint32(ARGV).string('a'), 103).uint32(ARGV).string('b')),
  },
  {
    name: 'unknown group inside an embedded message',
    type: 'StartWorkloadRequest',
    bytes: w((x) => x.uint32(tag(1, 2)).bytes(w((y) => group(y, 70).uint32(ARGV).string('true')))),
  },
  {
    name: 'unknown field number 2^29 - 1',
    type: 'WorkloadSpec',
    bytes: w((x) => x.uint32(tag(536870911, 0)).uint32(1).uint32(ARGV).string('a')),
  },
  // packed and unpacked repeated scalars
  {
    name: 'packed int32',
    type: 'DockerSpec',
    bytes: w((x) => x.uint32(tag(4, 2)).fork().int32(80).int32(-1).int32(70000).ldelim()),
  },
  {
    name: 'unpacked int32',
    type: 'DockerSpec',
    bytes: w((x) => x.uint32(tag(4, 0)).int32(80).uint32(tag(4, 0)).int32(-1)),
  },
  {
    name: 'packed and unpacked mixed',
    type: 'DockerSpec',
    bytes: w((x) =>
      x.uint32(tag(4, 0)).int32(1).uint32(tag(4, 2)).fork().int32(2).int32(3).ldelim().uint32(tag(4, 0)).int32(4),
    ),
  },
  {
    name: 'packed enum, an unknown value kept',
    type: 'ListWorkloadsRequest',
    bytes: w((x) => x.uint32(tag(1, 2)).fork().int32(3).int32(42).ldelim()),
  },
  // occurrences that combine
  {
    name: 'repeated messages concatenate',
    type: 'NodeStatus',
    bytes: cat(
      pbEncode('NodeStatus', { workloads: [{ reason: 'a' }] }),
      pbEncode('NodeStatus', { workloads: [{ reason: 'b' }] }),
    ),
  },
  {
    name: 'a scalar seen twice: the last wins',
    type: 'WorkloadSpec',
    bytes: cat(spec({ name: 'a', timeoutMs: 5 }), spec({ name: 'b' })),
  },
  {
    name: 'map entries from two halves, a key twice: the last wins',
    type: 'WorkloadSpec',
    bytes: cat(spec({ env: { A: '1', B: '2' } }), spec({ env: { A: '3' } })),
  },
  {
    name: 'map entry: value first, unknown field inside, key missing',
    type: 'WorkloadSpec',
    bytes: w((x) =>
      x
        .uint32(tag(4, 2))
        .fork()
        .uint32(tag(2, 2))
        .string('v')
        .uint32(tag(9, 0))
        .uint32(1)
        .uint32(tag(1, 2))
        .string('k')
        .ldelim()
        .uint32(tag(4, 2))
        .fork()
        .uint32(tag(2, 2))
        .string('nokey')
        .ldelim(),
    ),
  },
  { name: 'negative int64 (ten-byte varint)', type: 'WorkloadSpec', bytes: spec({ gracePeriodMs: -2 }) },
  {
    name: 'invalid UTF-8 in a string',
    type: 'WorkloadSpec',
    bytes: w((x) => x.uint32(tag(2, 2)).bytes(Buffer.from([0x61, 0xff, 0xc3]))),
    python: 'rejects',
    bufbuild: 'rejects',
  },
  // the spec, where protobufjs 7 departs from it
  {
    name: 'an embedded message split in two occurrences merges',
    type: 'StartWorkloadRequest',
    bytes: cat(
      pbEncode('StartWorkloadRequest', { spec: { argv: ['true'] } }),
      pbEncode('StartWorkloadRequest', { spec: { name: 'x' } }),
    ),
    protobufjs: 'differs',
    spec: { spec: { argv: ['true'], name: 'x' } },
  },
  {
    name: 'merge two levels deep; lists inside concatenate, maps combine',
    type: 'SubmitWorkloadRequest',
    bytes: cat(
      pbEncode('SubmitWorkloadRequest', {
        spec: { argv: ['a'], env: { X: '1' } },
        scheduling: { restart: { mode: 'RESTART_MODE_ALWAYS' } },
      }),
      pbEncode('SubmitWorkloadRequest', {
        spec: { argv: ['b'], env: { Y: '2' } },
        scheduling: { restart: { maxAttempts: 3 }, node: 'n1' },
      }),
    ),
    protobufjs: 'differs',
    spec: {
      spec: { argv: ['a', 'b'], env: { X: '1', Y: '2' } },
      scheduling: { restart: { mode: 'RESTART_MODE_ALWAYS', maxAttempts: 3 }, node: 'n1' },
    },
  },
  {
    name: 'a string field sent as a varint is skipped',
    type: 'WorkloadSpec',
    bytes: w((x) => x.uint32(tag(2, 0)).uint32(5).uint32(ARGV).string('ok')),
    protobufjs: 'differs',
    bufbuild: 'differs',
    spec: { argv: ['ok'] },
  },
  {
    name: 'a map field sent as a group is skipped',
    type: 'WorkloadSpec',
    bytes: w((x) => group(x, 7).uint32(ARGV).string('a')),
    protobufjs: 'differs',
    bufbuild: 'differs',
    spec: { argv: ['a'] },
  },
  {
    name: 'a message field sent as fixed32 is skipped',
    type: 'StartWorkloadRequest',
    bytes: w((x) =>
      x
        .uint32(tag(1, 5))
        .fixed32(0xffffffff)
        .uint32(tag(1, 2))
        .bytes(spec({ argv: ['true'] })),
    ),
    protobufjs: 'differs',
    bufbuild: 'differs',
    spec: { spec: { argv: ['true'] } },
  },
  {
    name: 'an int64 field sent length-delimited is skipped',
    type: 'WorkloadSpec',
    bytes: w((x) =>
      x
        .uint32(tag(8, 2))
        .bytes(Buffer.from([1, 2, 3]))
        .uint32(ARGV)
        .string('a'),
    ),
    protobufjs: 'differs',
    bufbuild: 'differs',
    spec: { argv: ['a'] },
  },
  {
    name: 'a oneof keeps only its last member',
    type: 'ClusterEvent',
    bytes: cat(
      pbEncode('ClusterEvent', { seq: 1, workload: { id: 'w' } }),
      pbEncode('ClusterEvent', { node: { id: 'n' } }),
    ),
    protobufjs: 'differs',
    spec: { seq: 1, node: { id: 'n' } },
  },
  {
    name: 'a oneof member seen twice merges',
    type: 'ClusterEvent',
    bytes: cat(
      pbEncode('ClusterEvent', { workload: { id: 'w' } }),
      pbEncode('ClusterEvent', { workload: { nodeName: 'n' } }),
    ),
    protobufjs: 'differs',
    spec: { workload: { id: 'w', nodeName: 'n' } },
  },
  // malformed: every decoder refuses
  { name: 'truncated varint', type: 'WorkloadSpec', bytes: Buffer.from([0x40, 0x80]), malformed: true },
  { name: 'truncated tag', type: 'WorkloadSpec', bytes: Buffer.from([0x80]), malformed: true },
  {
    name: 'a length past the end',
    type: 'WorkloadSpec',
    bytes: w((x) => x.uint32(ARGV).uint32(5).uint32(0x61)),
    malformed: true,
    protobufjs: 'accepts', // its Node reader cuts such a string short
  },
  {
    name: 'a nested length past its message',
    type: 'StartWorkloadRequest',
    bytes: w((x) => x.uint32(tag(1, 2)).uint32(2).uint32(ARGV).uint32(9)),
    malformed: true,
    protobufjs: 'accepts',
  },
  { name: 'wire type 6', type: 'WorkloadSpec', bytes: w((x) => x.uint32(tag(50, 6)).uint32(0)), malformed: true },
  { name: 'wire type 7', type: 'WorkloadSpec', bytes: w((x) => x.uint32(tag(50, 7)).uint32(0)), malformed: true },
  {
    name: 'field number 0',
    type: 'WorkloadSpec',
    bytes: Buffer.from([0x00, 0x01]),
    malformed: true,
    protobufjs: 'accepts',
    python: 'accepts', // C++ takes tag 0 as the end of input and drops the rest; Go refuses it
  },
  {
    name: 'an end of group without its start',
    type: 'WorkloadSpec',
    bytes: w((x) => x.uint32(tag(50, 4))),
    malformed: true,
    python: 'accepts', // C++ stops there ("Unexpected end-group tag"); Go refuses it
  },
  {
    name: 'a group without its end',
    type: 'WorkloadSpec',
    bytes: w((x) => x.uint32(tag(50, 3)).uint32(tag(1, 0)).uint32(1)),
    malformed: true,
  },
  {
    name: 'a group ended by another group',
    type: 'WorkloadSpec',
    bytes: w((x) => x.uint32(tag(50, 3)).uint32(tag(51, 4))),
    malformed: true,
    protobufjs: 'accepts',
  },
  {
    name: 'a varint of 11 bytes',
    type: 'WorkloadSpec',
    bytes: Buffer.from([0x40, ...Array<number>(10).fill(0xff), 0x01]),
    malformed: true,
  },
  {
    name: 'truncated fixed64',
    type: 'WorkloadSpec',
    bytes: w((x) => x.uint32(tag(100, 1)).uint32(1)),
    malformed: true,
  },
  { name: 'truncated double', type: 'WorkloadUsage', bytes: Buffer.from([tag(1, 1), 1, 2]), malformed: true },
  {
    name: 'groups nested 200 deep',
    type: 'WorkloadSpec',
    bytes: w((x) => {
      for (let i = 0; i < 200; i++) x.uint32(tag(60, 3));
      for (let i = 0; i < 200; i++) x.uint32(tag(60, 4));
      return x;
    }),
    malformed: true,
  },
];

const stock = stockProtobuf(ROWS);
const bufbuild = bufbuildReference();

describe('protobuf wire rules: mo reads what stock protobuf reads', () => {
  it.each(ROWS.map((r, i) => [r.name, r, i] as const))('%s', (_name, row, i) => {
    const pbjs = (): unknown => pbDecode(row.type, row.bytes);
    const python = stock?.[i];
    if (row.malformed) {
      expect(() => decodeMessage(row.type, row.bytes)).toThrow(WireFormatError);
      if (row.protobufjs === 'accepts') expect(pbjs).not.toThrow();
      else expect(pbjs).toThrow();
      if (python) expect(python).toMatchObject({ ok: row.python === 'accepts' });
      if (bufbuild) expect(() => bufbuild(row.type, row.bytes)).toThrow();
      return;
    }
    const ours = decodeMessage<object>(row.type, row.bytes);
    const expected = row.spec ? pbDecode(row.type, pbEncode(row.type, row.spec)) : pbjs();
    expect(ours).toEqual(expected);
    if (row.protobufjs === 'differs') {
      let theirs: unknown;
      try {
        theirs = pbjs();
      } catch (err) {
        theirs = err; // refusing valid input differs too
      }
      expect(theirs).not.toEqual(expected);
    } else expect(JSON.stringify(ours)).toBe(JSON.stringify(pbjs())); // key order too
    if (python && row.python === 'rejects') expect(python).toMatchObject({ ok: false });
    else if (python) {
      expect(python).toMatchObject({ ok: true });
      if (python.ok) expect(pbDecode(row.type, Buffer.from(python.hex, 'hex'))).toEqual(expected);
    }
    if (bufbuild && row.bufbuild === 'rejects') expect(() => bufbuild(row.type, row.bytes)).toThrow();
    else if (bufbuild && row.bufbuild === 'differs') {
      let theirs: unknown;
      try {
        theirs = decodeMessage(row.type, bufbuild(row.type, row.bytes));
      } catch (err) {
        theirs = err;
      }
      expect(theirs).not.toEqual(expected);
    } else if (bufbuild) expect(decodeMessage(row.type, bufbuild(row.type, row.bytes))).toEqual(expected);
  });

  it('reads a map key "__proto__" as an own property, not as the prototype', () => {
    const bytes = pbEncode('WorkloadSpec', { argv: ['a'], env: { A: '1' } });
    const entry = w((x) =>
      x.uint32(tag(4, 2)).fork().uint32(tag(1, 2)).string('__proto__').uint32(tag(2, 2)).string('v').ldelim(),
    );
    const got = decodeMessage<{ env: Record<string, string> }>('WorkloadSpec', cat(bytes, entry));
    expect(Object.keys(got.env)).toEqual(['A', '__proto__']);
    expect(Object.getOwnPropertyDescriptor(got.env, '__proto__')?.value).toBe('v');
    expect(Object.getPrototypeOf(got.env)).toBe(Object.prototype);
  });
});
