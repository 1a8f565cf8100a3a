// What identity code reads from any kind of server call (unary or stream): grpc-js does not export
// the common base type of its calls, so the part every call has is picked here.
import type * as grpc from '@grpc/grpc-js';

export type ServerCall = Pick<grpc.ServerUnaryCall<unknown, unknown>, 'getPeer' | 'getAuthContext' | 'metadata'>;
