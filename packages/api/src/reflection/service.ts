// grpc.reflection.v1 and v1alpha ServerReflection on a grpc-js server, answered from the
// FileDescriptorProtos generated at build time (catalog.ts): no .proto parsing, protobufjs or
// proto-loader at run time. Each request on the stream gets one response, in order; a request
// that is not a valid ServerReflectionRequest ends the stream with INVALID_ARGUMENT.
import * as grpc from '@grpc/grpc-js';
import { ReflectionCatalog } from './catalog.js';
import { decodeReflectionRequest, encodeReflectionResponse, MalformedMessageError } from './wire.js';

/** A reflection request names one file or symbol: anything larger is refused, not decoded. */
export const MAX_REFLECTION_REQUEST_BYTES = 16 * 1024;

const VERSIONS = ['v1', 'v1alpha'] as const;
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
      // Bytes in and out: the handler decodes, so a malformed request is its INVALID_ARGUMENT.
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
      originalName: 'serverReflectionInfo',
    };
    server.addService(
      { ServerReflectionInfo: method },
      {
        ServerReflectionInfo: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => serveReflection(call, catalog),
      },
    );
  }
}

function serveReflection(call: grpc.ServerDuplexStream<Buffer, Buffer>, catalog: ReflectionCatalog): void {
  let done = false;
  const fail = (details: string) => {
    done = true;
    call.pause();
    call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details });
  };
  call.on('data', (bytes: Buffer) => {
    if (done) return;
    if (bytes.length > MAX_REFLECTION_REQUEST_BYTES) {
      fail(`ServerReflectionRequest is ${bytes.length} bytes; at most ${MAX_REFLECTION_REQUEST_BYTES}`);
      return;
    }
    let decoded;
    try {
      decoded = decodeReflectionRequest(bytes);
    } catch (err) {
      if (!(err instanceof MalformedMessageError)) throw err;
      fail(`ServerReflectionRequest is malformed: ${err.message}`);
      return;
    }
    if (decoded.request.kind === 'none') {
      fail('ServerReflectionRequest.message_request: none of its fields is set');
      return;
    }
    const response = encodeReflectionResponse(decoded.host, bytes, catalog.answer(decoded.request));
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
