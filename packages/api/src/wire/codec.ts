// mo's protobuf codec, driven by JSON descriptors generated from proto/ (mo.v1's, and the standard
// grpc.health.v1 and grpc.reflection.{v1,v1alpha} ones): what every mo client and server
// (de)serializes with, health and server reflection included, so no daemon or CLI loads
// protobufjs or proto-loader at run time (it cost a daemon ~5 MiB of RSS and ~20 ms of start-up;
// reflection serves FileDescriptorProtos generated at build time). Why it is kept: README, "Wire
// format"; the figures: `pnpm bench --only codec`.
//
// It is a drop-in for @grpc/proto-loader with LOADER_OPTIONS, tested against it (codec.test.ts)
// and against stock protobuf on the wire rules (conformance.test.ts):
// - decoding gives the objects proto-loader gives: camelCase names, enums as names (unknown values
//   as numbers), 64-bit integers as numbers, every field present with its default (message fields
//   null, bytes an empty Buffer) in proto-loader's key order, the oneof's name set to the member set;
// - decoding follows the protobuf spec where protobufjs does not: an embedded message that occurs
//   twice is merged, a known field with the wrong wire type is skipped like an unknown one, and a
//   oneof keeps only its last member. Unknown fields of every wire type (groups too) are skipped;
//   packed and unpacked repeated scalars are both read; bytes that are not protobuf throw a
//   WireFormatError (wire.ts);
// - encoding leaves out singular fields at their default, as proto3 encoders do (oneof members are
//   always written), and is as lenient as protobufjs's fromObject: numbers or numeric strings,
//   enum names or numbers (an unknown name is left unset), bytes as Buffers or base64; a
//   non-object where a message, map or list belongs is a TypeError naming the field, as there.
export { decodeMessage, prepareDecoder } from './decode.js';
export { encodeMessage } from './encode.js';
export { messageType, serviceMethods, serviceNames, type MethodJson } from './schema.js';
export { WireFormatError } from './protobuf.js';
