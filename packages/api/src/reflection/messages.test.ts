// The reflection messages through mo's one codec, against protobufjs reading and writing the same
// reflection.proto (both versions): what protobufjs writes decodes to the same question, what we
// write protobufjs reads back; protobuf's rules for unknown fields, wrong wire types, oneofs and
// merges hold; bytes that are not protobuf are a WireFormatError.
import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { WireFormatError } from '../wire/codec.js';
import { PROTO_ROOT } from '../proto.js';
import {
  decodeRequest,
  encodeRequest,
  encodeResponse,
  questionOf,
  type ReflectionAnswer,
  type ReflectionVersion,
} from './messages.js';

const VERSIONS: ReflectionVersion[] = ['v1', 'v1alpha'];
function stock(version: ReflectionVersion) {
  const root = new protobuf.Root().loadSync(join(PROTO_ROOT, `grpc/reflection/${version}/reflection.proto`), {
    keepCase: true,
  });
  const Request = root.lookupType(`grpc.reflection.${version}.ServerReflectionRequest`);
  const Response = root.lookupType(`grpc.reflection.${version}.ServerReflectionResponse`);
  return {
    encode: (obj: object) => Buffer.from(Request.encode(Request.fromObject(obj)).finish()),
    readRequest: (buf: Buffer) => Request.toObject(Request.decode(buf), { longs: Number }),
    readResponse: (buf: Buffer) => Response.toObject(Response.decode(buf), { longs: Number, bytes: Buffer }),
  };
}
const { encode } = stock('v1');
const question = (buf: Buffer, version: ReflectionVersion = 'v1') => questionOf(decodeRequest(version, buf));

describe.each(VERSIONS)('ServerReflectionRequest (%s) decoding', (version) => {
  const { encode: encodeStock } = stock(version);

  it.each([
    [
      { host: 'h', file_by_filename: 'mo/v1/agent.proto' },
      { kind: 'file_by_filename', name: 'mo/v1/agent.proto' },
    ],
    [{ file_containing_symbol: 'mo.v1.NodeAgent' }, { kind: 'file_containing_symbol', symbol: 'mo.v1.NodeAgent' }],
    [
      { file_containing_extension: { containing_type: 'mo.v1.X', extension_number: 100 } },
      { kind: 'file_containing_extension', containingType: 'mo.v1.X', extensionNumber: 100 },
    ],
    [
      { file_containing_extension: { containing_type: 'mo.v1.X', extension_number: -1 } },
      { kind: 'file_containing_extension', containingType: 'mo.v1.X', extensionNumber: -1 },
    ],
    [{ all_extension_numbers_of_type: 'mo.v1.X' }, { kind: 'all_extension_numbers_of_type', type: 'mo.v1.X' }],
    [{ list_services: '' }, { kind: 'list_services' }],
    [{ list_services: '*' }, { kind: 'list_services' }],
    [{}, { kind: 'none' }],
    [{ host: 'only a host' }, { kind: 'none' }],
  ])('reads %j as protobufjs wrote it', (obj, expected) => {
    const req = decodeRequest(version, encodeStock(obj));
    expect(questionOf(req)).toEqual(expected);
    expect(req.host).toBe((obj as { host?: string }).host ?? '');
  });
});

describe('ServerReflectionRequest decoding by the protobuf rules', () => {
  it('skips unknown fields of every wire type, a group included, and known fields of the wrong wire type', () => {
    const w = protobuf.Writer.create();
    w.uint32((20 << 3) | 0).uint64(2 ** 40); // varint
    w.uint32((21 << 3) | 1).fixed64(7); // 64-bit
    w.uint32((22 << 3) | 5).fixed32(7); // 32-bit
    w.uint32((23 << 3) | 3); // group with a nested group inside
    w.uint32((1 << 3) | 0).uint32(5);
    w.uint32((2 << 3) | 3)
      .uint32((3 << 3) | 2)
      .string('x')
      .uint32((2 << 3) | 4);
    w.uint32((23 << 3) | 4);
    w.uint32((4 << 3) | 0).uint32(9); // file_containing_symbol as a varint: skipped
    w.uint32((3 << 3) | 2).string('mo/v1/node.proto');
    expect(question(Buffer.from(w.finish()))).toEqual({ kind: 'file_by_filename', name: 'mo/v1/node.proto' });
  });

  it('takes the last member of the oneof, and merges a repeated embedded message', () => {
    const last = Buffer.concat([encode({ file_by_filename: 'a.proto' }), encode({ file_containing_symbol: 'b.C' })]);
    expect(question(last)).toEqual({ kind: 'file_containing_symbol', symbol: 'b.C' });
    const merged = Buffer.concat([
      encode({ file_containing_extension: { containing_type: 'a.B' } }),
      encode({ file_containing_extension: { extension_number: 7 } }),
    ]);
    expect(question(merged)).toEqual({
      kind: 'file_containing_extension',
      containingType: 'a.B',
      extensionNumber: 7,
    });
    // Another member in between: the oneof no longer holds the first, so nothing is merged.
    const notMerged = Buffer.concat([
      encode({ file_containing_extension: { containing_type: 'a.B' } }),
      encode({ list_services: '' }),
      encode({ file_containing_extension: { extension_number: 7 } }),
    ]);
    expect(question(notMerged)).toEqual({ kind: 'file_containing_extension', containingType: '', extensionNumber: 7 });
  });

  it.each([
    ['a truncated varint', Buffer.from([0x1a, 0x80])],
    ['a length past the end', Buffer.from([0x1a, 0x05, 0x61])],
    ['field number 0', Buffer.from([0x02, 0x00])],
    ['an end-group tag without a group', Buffer.from([0x0c])],
    ['an unterminated group', Buffer.from([0xbb, 0x01])],
    ['a mismatched end of group', Buffer.from([0xbb, 0x01, 0xc4, 0x01])],
    ['a wire type of 6', Buffer.from([0x0e])],
    ['a varint of 11 bytes', Buffer.from([0x08, ...Array<number>(10).fill(0xff), 0x01])],
    ['a truncated embedded ExtensionRequest', Buffer.from([0x2a, 0x02, 0x10, 0x80])],
  ])('throws WireFormatError on %s', (_, bytes) => {
    expect(() => decodeRequest('v1', bytes)).toThrow(WireFormatError);
  });

  it('round-trips a request: what it encodes protobufjs reads, and decodes back to the same', () => {
    const stockV1alpha = stock('v1alpha');
    const req = { host: 'h', fileContainingExtension: { containingType: 'mo.v1.X', extensionNumber: -3 } };
    const bytes = encodeRequest('v1alpha', req);
    expect(stockV1alpha.readRequest(bytes)).toEqual({
      host: 'h',
      file_containing_extension: { containing_type: 'mo.v1.X', extension_number: -3 },
    });
    expect(decodeRequest('v1alpha', bytes)).toEqual({ ...req, messageRequest: 'fileContainingExtension' });
  });
});

describe.each(VERSIONS)('ServerReflectionResponse (%s) encoding', (version) => {
  const { encode: encodeStock, readResponse } = stock(version);
  const original = decodeRequest(version, encodeStock({ host: 'h', file_containing_symbol: 'mo.v1.NodeAgent' }));
  const echoed = { host: 'h', file_containing_symbol: 'mo.v1.NodeAgent' };

  it('writes files, echoing the request and host, as protobufjs reads them', () => {
    const files = [Buffer.from('one'), Buffer.alloc(0), Buffer.alloc(300, 7)];
    expect(readResponse(encodeResponse(version, original, { kind: 'files', files }))).toEqual({
      valid_host: 'h',
      original_request: echoed,
      file_descriptor_response: { file_descriptor_proto: files },
    });
  });

  it('echoes an empty list_services, which says what was asked', () => {
    const listed = decodeRequest(version, encodeStock({ list_services: '' }));
    expect(readResponse(encodeResponse(version, listed, { kind: 'services', names: [] }))).toEqual({
      original_request: { list_services: '' },
      list_services_response: {},
    });
  });

  it.each([
    [
      { kind: 'services', names: ['mo.v1.NodeAgent', 'grpc.health.v1.Health'] },
      { list_services_response: { service: [{ name: 'mo.v1.NodeAgent' }, { name: 'grpc.health.v1.Health' }] } },
    ],
    [{ kind: 'services', names: [] }, { list_services_response: {} }],
    [
      { kind: 'extension_numbers', baseTypeName: 'mo.v1.X', numbers: [5, 1000] },
      { all_extension_numbers_response: { base_type_name: 'mo.v1.X', extension_number: [5, 1000] } },
    ],
    [
      { kind: 'extension_numbers', baseTypeName: 'mo.v1.X', numbers: [] },
      { all_extension_numbers_response: { base_type_name: 'mo.v1.X' } },
    ],
    [
      { kind: 'error', code: 5, message: 'symbol "x" not found' },
      { error_response: { error_code: 5, error_message: 'symbol "x" not found' } },
    ],
  ] as const)('writes %j', (answer, expected) => {
    const res = readResponse(encodeResponse(version, original, answer as unknown as ReflectionAnswer));
    expect(res).toEqual({ valid_host: 'h', original_request: echoed, ...expected });
  });
});
