// A minimal gRPC unary call over node:http2: length-prefixed protobuf in, grpc-status trailers out.
// Used by the lite client (short-lived CLI reads), where loading grpc-js costs more than the call.
// No TLS, no compression, no retries: what `mo status` needs against a loopback or LAN scheduler.
import { connect, type ClientHttp2Session } from 'node:http2';

/** A failed call, shaped like grpc-js's ServiceError (code, details) so the usual mapping applies. */
export class LiteCallError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(details);
    this.name = 'LiteCallError';
  }
}

const UNAVAILABLE = 14;
const DEADLINE_EXCEEDED = 4;
const INTERNAL = 13;
const RESOURCE_EXHAUSTED = 8;
/** Same cap as MAX_MESSAGE_BYTES for the full client. */
const MAX_RESPONSE = 4 * 1024 * 1024;

export class LiteChannel {
  private session: ClientHttp2Session | undefined;
  /** The calls in flight on `session`, told when the session itself fails (one listener for all,
   * not one per call: with many calls in flight that would trip Node's listener-leak warning). */
  private waiting = new Set<(err: Error) => void>();

  constructor(readonly address: string) {}

  private open(): { session: ClientHttp2Session; waiting: Set<(err: Error) => void> } {
    const current = this.session;
    if (current && !current.destroyed && !current.closed) return { session: current, waiting: this.waiting };
    const session = connect(`http://${this.address}`);
    const waiting = new Set<(err: Error) => void>();
    session.on('error', (err) => {
      for (const fail of waiting) fail(err);
    });
    this.session = session;
    this.waiting = waiting;
    return { session, waiting };
  }

  /** One unary call: `path` is "/mo.v1.Scheduler/GetClusterStatus". */
  call(path: string, request: Buffer, deadlineMs: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const { session, waiting } = this.open();
      let settled = false;
      const fail = (code: number, details: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        waiting.delete(onSessionError);
        reject(new LiteCallError(code, details));
      };
      const timer = setTimeout(() => {
        req.close();
        fail(DEADLINE_EXCEEDED, `Deadline exceeded after ${deadlineMs} ms`);
      }, deadlineMs);
      const onSessionError = (err: Error) => fail(UNAVAILABLE, `No connection established. Last error: ${err.message}`);
      waiting.add(onSessionError);
      const req = session.request({
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/grpc',
        te: 'trailers',
        'grpc-timeout': `${Math.max(1, Math.ceil(deadlineMs))}m`,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      let status: number | undefined;
      let message = '';
      const takeStatus = (headers: Record<string, unknown>) => {
        if (headers['grpc-status'] !== undefined) status = Number(headers['grpc-status']);
        if (headers['grpc-message'] !== undefined) message = decodeURIComponent(String(headers['grpc-message']));
      };
      req.on('response', (headers) => {
        if (headers[':status'] !== 200) {
          fail(UNAVAILABLE, `HTTP status ${String(headers[':status'])} from ${this.address}`);
          return;
        }
        takeStatus(headers); // a trailers-only response carries the status here
      });
      req.on('trailers', (trailers) => takeStatus(trailers));
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE + 5) {
          req.close();
          fail(RESOURCE_EXHAUSTED, `response larger than ${MAX_RESPONSE} bytes`);
          return;
        }
        chunks.push(chunk);
      });
      req.on('error', (err) => {
        // A refused connection shows as "pending stream canceled" with the real error as cause.
        const cause = (err as Error & { cause?: Error }).cause;
        fail(UNAVAILABLE, `No connection established. Last error: ${(cause ?? err).message}`);
      });
      req.on('end', () => {
        if (status === undefined) return fail(INTERNAL, 'the response ended without a grpc-status');
        if (status !== 0) return fail(status, message);
        const body = Buffer.concat(chunks);
        if (body.length < 5 || body[0] !== 0) return fail(INTERNAL, 'malformed or compressed response message');
        const len = body.readUInt32BE(1);
        if (body.length < 5 + len) return fail(INTERNAL, 'truncated response message');
        settled = true;
        clearTimeout(timer);
        waiting.delete(onSessionError);
        resolve(body.subarray(5, 5 + len));
      });
      const frame = Buffer.alloc(5 + request.length);
      frame.writeUInt32BE(request.length, 1);
      request.copy(frame, 5);
      req.end(frame);
    });
  }

  /** Drops the connection at once (no GOAWAY round trip): callers close after their last call. */
  close(): void {
    this.session?.destroy();
    this.session = undefined;
  }
}
