// mo's codec against protobufjs configured as @grpc/proto-loader configures it (what every mo
// client and server used before the codec replaced it): for every message type of mo.v1, objects
// decoded from the same bytes are identical, key order included, and each side decodes what the
// other encodes to the same object. Then the lenient inputs protobufjs's fromObject accepts.
import { describe, expect, it } from '@jest/globals';
import protobuf from 'protobufjs';
import { MO_DESCRIPTOR_JSON } from '../generated/descriptor.js';
import { decodeMessage, encodeMessage, messageType, WireFormatError } from './codec.js';

// protobufjs (the major proto-loader depends on) with proto-loader's conversion options.
const root = protobuf.Root.fromJSON(JSON.parse(MO_DESCRIPTOR_JSON) as protobuf.INamespace);
root.resolveAll();
const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true, oneofs: true };
const v1 = root.lookup('mo.v1') as protobuf.Namespace;
const MESSAGE_TYPES = v1.nestedArray.filter((t): t is protobuf.Type => t instanceof protobuf.Type).map((t) => t.name);

function pbEncode(type: string, obj: object): Buffer {
  const cls = v1.lookupType(type);
  return Buffer.from(cls.encode(cls.fromObject(obj)).finish());
}
function pbDecode(type: string, bytes: Buffer): unknown {
  const cls = v1.lookupType(type);
  return cls.toObject(cls.decode(bytes), TO_OBJECT);
}

/** Deterministic sample values: every field set (one member per oneof), nested up to `depth`. */
function sample(type: protobuf.Type, seed: number, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let k = seed;
  const next = () => (k = (k * 1103515245 + 12345) % 2147483648);
  const chosenOneof = new Set(type.oneofsArray.map((o) => o.fieldsArray[next() % o.fieldsArray.length]!.name));
  for (const f of type.fieldsArray) {
    if (f.partOf && !chosenOneof.has(f.name)) continue;
    const value = (): unknown => {
      const rt = f.resolvedType;
      if (rt instanceof protobuf.Type) return depth > 0 ? sample(rt, next(), depth - 1) : {};
      if (rt instanceof protobuf.Enum) {
        const names = Object.keys(rt.values);
        return names[next() % names.length];
      }
      switch (f.type) {
        case 'string':
          return ['', 'plain', 'ü ✓ 🚀', 'x'.repeat(200)][next() % 4];
        case 'bool':
          return next() % 2 === 0;
        case 'bytes':
          return Buffer.from([0, 255, next() % 256, 7]);
        case 'double':
          return [0.5, -3.25, 1e300, 123456.789][next() % 4];
        case 'int64':
          return [0, -1, 2 ** 52 + 3, -(2 ** 40), 1_700_000_000_123][next() % 5];
        case 'int32':
          return [0, -7, 2 ** 31 - 1, -(2 ** 31), 300][next() % 5];
        default:
          return next() % 1000;
      }
    };
    if (f.map) {
      out[f.name] = { a: value(), 'b.c/d': value() };
    } else if (f.repeated) {
      out[f.name] = [value(), value()];
    } else {
      out[f.name] = value();
    }
  }
  return out;
}

describe('mo codec conforms to protobufjs with proto-loader options', () => {
  it('covers every message type of mo.v1', () => {
    expect(MESSAGE_TYPES.length).toBeGreaterThan(50);
    for (const name of MESSAGE_TYPES) expect(() => messageType(name)).not.toThrow();
  });

  it.each(MESSAGE_TYPES)('%s: empty message decodes to the same defaults, in the same key order', (name) => {
    const ours = decodeMessage<object>(name, Buffer.alloc(0));
    const theirs = pbDecode(name, Buffer.alloc(0)) as object;
    expect(ours).toEqual(theirs);
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
  });

  it.each(MESSAGE_TYPES)('%s: full samples decode and encode the same both ways', (name) => {
    const type = v1.lookupType(name);
    for (let seed = 1; seed <= 6; seed++) {
      const obj = sample(type, seed * 7919, 3);
      const theirBytes = pbEncode(name, obj);
      const expected = pbDecode(name, theirBytes);
      const fromTheirBytes = decodeMessage<object>(name, theirBytes);
      expect(fromTheirBytes).toEqual(expected);
      expect(JSON.stringify(fromTheirBytes)).toBe(JSON.stringify(expected)); // key order too
      const ourBytes = encodeMessage(name, obj);
      expect(pbDecode(name, ourBytes)).toEqual(expected);
      // and our own round trip of what we decoded (the shape servers hand back to clients)
      expect(decodeMessage<object>(name, encodeMessage(name, fromTheirBytes))).toEqual(expected);
    }
  });

  it('accepts what protobufjs fromObject accepts, with the same result', () => {
    const lenient: [string, object][] = [
      // numeric strings, fractions, NaN, out-of-range int32
      ['Resources', { cpuMillis: '250', memoryBytes: '1048576' }],
      ['Resources', { cpuMillis: 2.9, memoryBytes: Number.NaN }],
      ['StopWorkloadRequest', { workloadId: 'w', gracePeriodMs: 2 ** 33 + 5 }],
      ['StreamLogsRequest', { workloadId: 'w', tailLines: -3, follow: 'yes' }],
      // enums as numbers, unknown names (left unset), unknown numbers (kept)
      ['StreamLogsRequest', { workloadId: 'w', stream: 2 }],
      ['StreamLogsRequest', { workloadId: 'w', stream: 'LOG_STREAM_BOGUS' }],
      ['StreamLogsRequest', { workloadId: 'w', stream: 42 }],
      // bytes as base64 and as a plain Uint8Array; strings from numbers
      ['LogChunk', { data: Buffer.from('hello').toString('base64') }],
      ['LogChunk', { data: new Uint8Array([1, 2, 3]) }],
      ['WorkloadSpec', { argv: ['a', 5, true], name: 12, env: { K: 7 } }],
      // fields the message does not have are ignored
      ['WorkloadSpec', { argv: ['x'], notAField: 1 }],
    ];
    for (const [type, obj] of lenient) {
      const expected = pbDecode(type, pbEncode(type, obj));
      expect({ type, obj, got: decodeMessage<object>(type, encodeMessage(type, obj)) }).toEqual({
        type,
        obj,
        got: expected,
      });
    }
  });

  it('rejects a non-object message, map or list field with a TypeError naming it, as protobufjs does', () => {
    const bad: [string, object, string][] = [
      ['StartWorkloadRequest', { spec: 'x' }, '.mo.v1.StartWorkloadRequest.spec: object expected'],
      ['WorkloadSpec', { env: 'x' }, '.mo.v1.WorkloadSpec.env: object expected'],
      ['WorkloadSpec', { argv: 'x' }, '.mo.v1.WorkloadSpec.argv: array expected'],
    ];
    for (const [type, obj, message] of bad) {
      expect(() => pbEncode(type, obj)).toThrow(message);
      expect(() => encodeMessage(type, obj)).toThrow(new TypeError(message));
    }
  });

  it('rejects truncated input with a WireFormatError instead of reading past it', () => {
    const bytes = pbEncode('WorkloadSpec', { argv: ['some argument'], name: 'n' });
    expect(() => decodeMessage('WorkloadSpec', bytes.subarray(0, bytes.length - 3))).toThrow(WireFormatError);
  });

  it('leaves out singular defaults as proto3 encoders do, but writes a oneof member holding its default', () => {
    const defaults = { id: '', argv: [], env: {}, gracePeriodMs: 0, pidsLimit: '0', resources: null };
    expect(encodeMessage('WorkloadSpec', defaults)).toEqual(Buffer.alloc(0));
    expect(encodeMessage('WorkloadUsage', { cpuPercent: 0 })).toEqual(Buffer.alloc(0));
    // presence is the point of a oneof: lost_after_ms = 0 means "at once", unset the default
    const atOnce = decodeMessage<{ lostAfterMs?: number; lostAfter?: string }>(
      'WorkloadSpec',
      encodeMessage('WorkloadSpec', { lostAfterMs: 0 }),
    );
    expect(atOnce).toMatchObject({ lostAfterMs: 0, lostAfter: 'lostAfterMs' });
    expect(pbDecode('WorkloadSpec', encodeMessage('WorkloadSpec', { lostAfterMs: 0 }))).toEqual(atOnce);
    // -0 keeps its sign, as protoc's encoders keep it
    const negZero = decodeMessage<{ cpuPercent: number }>(
      'WorkloadUsage',
      encodeMessage('WorkloadUsage', { cpuPercent: -0 }),
    );
    expect(Object.is(negZero.cpuPercent, -0)).toBe(true);
  });

  it('writes strings around the one-byte-length and ASCII boundaries as protobufjs reads them', () => {
    for (const s of ['x'.repeat(127), 'x'.repeat(128), `${'x'.repeat(126)}é`, 'é', '\u007f\u0080', '😀'.repeat(40)]) {
      const bytes = encodeMessage('WorkloadSpec', { name: s, argv: [s] });
      expect(pbDecode('WorkloadSpec', bytes)).toMatchObject({ name: s, argv: [s] });
      expect(bytes).toEqual(pbEncode('WorkloadSpec', { name: s, argv: [s] }));
    }
  });

  it('encodes large messages (length prefixes past one byte, nested)', () => {
    const big = {
      workloads: Array.from({ length: 300 }, (_, i) => ({ spec: { id: `w${i}`, argv: ['x'.repeat(i)] } })),
    };
    const expected = pbDecode('NodeStatus', pbEncode('NodeStatus', big));
    expect(pbDecode('NodeStatus', encodeMessage('NodeStatus', big))).toEqual(expected);
    expect(decodeMessage('NodeStatus', encodeMessage('NodeStatus', big))).toEqual(expected);
  });
});
