// A gRPC server stream's face over an HTTP response, so the stream machinery written for gRPC works
// on HTTP unchanged: BoundedWriter (a bounded buffer; a reader that takes nothing is cut off),
// StreamLimits' slots, logs-proxy. `write` is called with messages, `encode` turns them into bytes;
// an error the machinery "emits" (its status) goes to `onError`, which answers it as HTTP can:
// a JSON error before the first byte, in-band (or by closing) after.
import type * as grpc from '@grpc/grpc-js';
import { EventEmitter } from 'node:events';
import type http from 'node:http';

export interface ResponseCallOptions<T> {
  /** Sends the headers (called before the first write or the end). */
  head(): void;
  encode(message: T): string | Buffer;
  onError(err: Partial<grpc.ServiceError>): void;
}

export class ResponseCall<Req, T> extends EventEmitter {
  cancelled = false;

  constructor(
    readonly request: Req,
    private readonly res: http.ServerResponse,
    private readonly o: ResponseCallOptions<T>,
  ) {
    super();
    // grpc-js emits 'cancelled' when a call ends unfinished; a response's 'close' is every end.
    res.once('close', () => {
      this.cancelled = true;
      this.emit('cancelled');
      this.emit('close');
    });
    this.on('error', (err: Partial<grpc.ServiceError>) => o.onError(err));
  }

  write(message: T, cb?: (err?: Error | null) => void): boolean {
    if (this.res.destroyed || this.res.writableEnded) {
      cb?.(new Error('response closed'));
      return false;
    }
    this.o.head();
    return this.res.write(this.o.encode(message), cb);
  }

  end(): void {
    if (this.res.writableEnded) return;
    this.o.head();
    this.res.end();
  }

  destroy(): void {
    this.res.destroy();
  }
}
