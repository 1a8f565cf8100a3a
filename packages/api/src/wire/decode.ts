// Decoding for mo's codec (codec.ts): wire bytes to proto-loader's objects, by the protobuf spec's
// rules (merge, skip unknown and mismatched fields, packed or not); malformed bytes throw a
// WireFormatError (wire.ts). Each message type gets one decoder compiled from its descriptor on first
// use (decode-compile.ts): a switch on the tag writing into the object literal of its defaults, so
// every property access in it sees one shape, where a loop over field descriptors went through
// megamorphic keyed loads and stores (the cost that made it no faster than protobufjs).
import { compileDecoder, type Decoder } from './decode-compile.js';
import { messageType, type MessageType } from './schema.js';
import { Reader } from './protobuf.js';

const decoders = new Map<MessageType, Decoder>();
/** Decoders by the name callers pass (`NodeStatus`, `grpc.health.v1.X`): one lookup per call. */
const byCallerName = new Map<string, Decoder>();

/** The decoder of `type`, compiled on first use; the ones it calls are resolved the same way. */
function decoderOf(type: MessageType): Decoder {
  const known = decoders.get(type);
  if (known) return known;
  // Recursive types call their own decoder: a forwarder stands in while it compiles.
  const forward: { to?: Decoder } = {};
  decoders.set(type, (r, into) => forward.to!(r, into));
  const compiled = compileDecoder(type, decoderOf);
  forward.to = compiled;
  decoders.set(type, compiled);
  return compiled;
}

function decoderNamed(typeName: string): Decoder {
  let d = byCallerName.get(typeName);
  if (!d) {
    d = decoderOf(messageType(typeName));
    byCallerName.set(typeName, d);
  }
  return d;
}

/**
 * Decodes a `typeName` message (mo.v1's short names, or full ones) from its wire bytes.
 * @throws WireFormatError when the bytes are not a protobuf encoding.
 */
export function decodeMessage<T>(typeName: string, buf: Buffer): T {
  return decoderNamed(typeName)(new Reader(buf), null) as T;
}

/** Compiles `typeName`'s decoder now: a client waiting for a response does it meanwhile. */
export function prepareDecoder(typeName: string): void {
  decoderNamed(typeName);
}
