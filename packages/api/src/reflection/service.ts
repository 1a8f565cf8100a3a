// grpc.reflection.v1 and v1alpha ServerReflection on a grpc-js server, answered from the
// FileDescriptorProtos generated at build time (catalog.ts): no .proto parsing, protobufjs or
// proto-loader at run time; its messages go through mo's one codec (messages.ts). Each request on
// the stream gets one response, in order; a request that is not a valid ServerReflectionRequest
// ends the stream with INVALID_ARGUMENT.
import * as grpc from '@grpc/grpc-js';
import { WireFormatError } from '../wire/codec.js';
import { ReflectionCatalog } from './catalog.js';
import {
  decodeRequest,
  encodeResponse,
  questionOf,
  type ReflectionVersion,
  type ServerReflectionRequest,
} from './messages.js';

/** A reflection request names one file or symbol: anything larger is refused, not decoded. */
export const MAX_REFLECTION_REQUEST_BYTES = 16 * 1024;

const VERSIONS: readonly ReflectionVersion[] = ['v1', 'v1alpha'];
const identity = (b: Buffer) => b;

/**
 * Adds both reflection services to `server`, describing `services` (the server's own, fully
 * qualified) plus the standard health and reflection services. Throws at once if no generated
 * .proto defines one of them. (The descriptors are decoded from base64 on first use.)
 */
export function addReflection(server: grpc.Server, services: readonly string[]): void {
  const catalog = new ReflectionCatalog(services);
  for (const version of VERSIONS) {
    const method: grpc.MethodDefinition<Buffer, Buffer> = {
      path: `/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`,
      requestStream: true,
      responseStream: true,
      // Bytes in and out: the handler decodes and encodes (codec, messages.ts). Not malformed.ts's
      // requestDecoder: its refusal ends the call at once, dropping answers still queued in the
      // handler's write buffer; the handler's own refusal comes after every earlier answer.
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
      originalName: 'serverReflectionInfo',
    };
    server.addService(
      { ServerReflectionInfo: method },
      {
        ServerReflectionInfo: (call: grpc.ServerDuplexStream<Buffer, Buffer>) =>
          serveReflection(call, version, catalog),
      },
    );
  }
}

function serveReflection(
  call: grpc.ServerDuplexStream<Buffer, Buffer>,
  version: ReflectionVersion,
  catalog: ReflectionCatalog,
): void {
  let done = false;
  const fail = (details: string, code = grpc.status.INVALID_ARGUMENT) => {
    done = true;
    call.pause();
    call.emit('error', { code, details });
  };
  call.on('data', (bytes: Buffer) => {
    if (done) return;
    if (bytes.length > MAX_REFLECTION_REQUEST_BYTES) {
      fail(`ServerReflectionRequest is ${bytes.length} bytes; at most ${MAX_REFLECTION_REQUEST_BYTES}`);
      return;
    }
    let req: ServerReflectionRequest;
    try {
      req = decodeRequest(version, bytes);
    } catch (err) {
      // A codec bug is not the caller's fault, but must not crash the daemon from this handler.
      if (err instanceof WireFormatError)
        fail(`ServerReflectionRequest: ${err.message}`); // "malformed protobuf: …"
      else fail(`internal error: ${err instanceof Error ? err.message : String(err)}`, grpc.status.INTERNAL);
      return;
    }
    const question = questionOf(req);
    if (question.kind === 'none') {
      fail('ServerReflectionRequest.message_request: none of its fields is set');
      return;
    }
    const response = encodeResponse(version, req, catalog.answer(question));
    // A client that sends without reading is not read from either: at most a stream's write
    // buffer (16 responses) and its flow-control window are held for it.
    if (!call.write(response)) {
      call.pause();
      call.once('drain', () => {
        if (!done) call.resume();
      });
    }
  });
  call.on('end', () => {
    if (!done) {
      done = true;
      call.end();
    }
  });
  call.on('cancelled', () => {
    done = true;
  });
  call.on('error', () => undefined); // our own fail(), or a broken connection: nothing to add
}
