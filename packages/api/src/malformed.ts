// Requests whose bytes are not protobuf get INVALID_ARGUMENT, like any other bad input.
//
// grpc-js answers INTERNAL ("Error deserializing request") whenever a method's requestDeserialize
// throws (BaseServerInterceptingCall.decompressAndMaybePush in server-interceptors.js), and no
// option changes that code. So mo's request deserializers do not throw for malformed bytes: they
// return a MalformedRequest, and the interceptor every MoServer installs (server.ts) ends the call
// with INVALID_ARGUMENT before any handler sees it. A client decoding a bad response still fails
// with INTERNAL: there the fault is the server's.
import * as grpc from '@grpc/grpc-js';
import { WireFormatError } from './lite/codec.js';

/** What a request deserializer returns for bytes that are not protobuf (see rejectMalformedRequests). */
export class MalformedRequest {
  constructor(readonly reason: string) {}
}

/** A requestDeserialize that hands malformed bytes on as a MalformedRequest instead of throwing. */
export function requestDecoder(decode: (bytes: Buffer) => object): (bytes: Buffer) => object {
  return (bytes) => {
    try {
      return decode(bytes);
    } catch (err) {
      if (err instanceof WireFormatError) return new MalformedRequest(err.message);
      throw err; // a bug of the codec, not of the caller: INTERNAL
    }
  };
}

/** Server interceptor: a MalformedRequest ends its call with INVALID_ARGUMENT; the handler never
 * gets it (a streaming handler already running sees the call cancelled, as on any early end). */
export const rejectMalformedRequests: grpc.ServerInterceptor = (method, call) => {
  let rejected = false;
  const intercepted: grpc.ServerInterceptingCall = new grpc.ServerInterceptingCall(call, {
    start(next) {
      next({
        onReceiveMessage(message: unknown, nextMessage: (m: unknown) => void) {
          if (rejected) return;
          if (!(message instanceof MalformedRequest)) return nextMessage(message);
          rejected = true;
          intercepted.sendStatus({
            code: grpc.status.INVALID_ARGUMENT,
            details: `${method.path}: ${message.reason}`,
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
