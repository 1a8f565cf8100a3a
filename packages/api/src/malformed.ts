// Requests refused on their bytes get a proper status, like any other bad input: malformed
// protobuf is INVALID_ARGUMENT, a request past a size bound (wire-guard.ts) gets its own error.
//
// grpc-js answers INTERNAL ("Error deserializing request") whenever a method's requestDeserialize
// throws (BaseServerInterceptingCall.decompressAndMaybePush in server-interceptors.js), and no
// option changes that code. So mo's request deserializers do not throw for the caller's faults:
// they return a RefusedRequest, and the interceptor every MoServer installs (server.ts) ends the
// call with its status before any handler sees it. A client decoding a bad response still fails
// with INTERNAL: there the fault is the server's.
import * as grpc from '@grpc/grpc-js';
import { MoError, toServiceError } from './errors.js';
import { WireFormatError } from './wire/codec.js';
import { guardRequest } from './wire-guard.js';

/** What a request deserializer returns for bytes it refuses (see rejectRefusedRequests). */
export class RefusedRequest {
  constructor(
    readonly code: grpc.status,
    readonly details: string,
    /** Malformed bytes say which method they were sent to; a field's error names the field. */
    readonly namesMethod = false,
  ) {}
}

/**
 * A requestDeserialize for `typeName` that checks the bytes' bounds first (wire-guard.ts: cheap,
 * before any decoding work) and hands a refusal or malformed bytes on as a RefusedRequest.
 */
export function requestDecoder(typeName: string, decode: (bytes: Buffer) => object): (bytes: Buffer) => object {
  return (bytes) => {
    try {
      guardRequest(typeName, bytes);
      return decode(bytes);
    } catch (err) {
      if (err instanceof WireFormatError) {
        return new RefusedRequest(grpc.status.INVALID_ARGUMENT, err.message, true); // "malformed protobuf: …"
      }
      if (err instanceof MoError) {
        const status = toServiceError(err);
        return new RefusedRequest(status.code ?? grpc.status.INVALID_ARGUMENT, status.details ?? err.message);
      }
      throw err; // a bug of the codec, not of the caller: INTERNAL
    }
  };
}

/** Server interceptor: a RefusedRequest ends its call with its status; the handler never gets it
 * (a streaming handler already running sees the call cancelled, as on any early end). */
export const rejectRefusedRequests: grpc.ServerInterceptor = (method, call) => {
  let rejected = false;
  const intercepted: grpc.ServerInterceptingCall = new grpc.ServerInterceptingCall(call, {
    start(next) {
      next({
        onReceiveMessage(message: unknown, nextMessage: (m: unknown) => void) {
          if (rejected) return;
          if (!(message instanceof RefusedRequest)) return nextMessage(message);
          rejected = true;
          intercepted.sendStatus({
            code: message.code,
            details: message.namesMethod ? `${method.path}: ${message.details}` : message.details,
            metadata: new grpc.Metadata(),
          });
        },
        onReceiveHalfClose(nextHalfClose: () => void) {
          if (!rejected) nextHalfClose();
        },
      });
    },
  });
  return intercepted;
};
