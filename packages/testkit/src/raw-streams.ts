// Abusive gRPC clients for the stream-bound tests: raw HTTP/2 calls that send a request and then
// never read (so the server's flow-control window fills and stays full), and never end a client
// stream unless told to; plus what a daemon holds, read from /proc (RSS, open files).
import { encodeMessage } from '@mo/api/wire';
import http2 from 'node:http2';
import { testPki, type TestPair } from './pki.js';
import { readdirSync, readFileSync } from 'node:fs';

/** How a raw call ended: the grpc-status the server sent (if any) and the RST_STREAM code. */
export interface RawCallEnd {
  /** From the trailers, or the headers of a trailers-only answer. */
  grpcStatus?: number;
  grpcMessage?: string;
  /** NGHTTP2_* code of the stream's close (0 = NO_ERROR). */
  rstCode: number;
}

export interface RawCall {
  readonly stream: http2.ClientHttp2Stream;
  readonly ended: Promise<RawCallEnd>;
  /** Sends one more message (a client stream). */
  send(type: string, message: object): void;
}

/** A gRPC length-prefixed frame of one encoded message. */
export function grpcFrame(type: string, message: object): Buffer {
  const body = encodeMessage(type, message);
  const head = Buffer.alloc(5);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

/**
 * Opens `path` on `session` and sends `first` (a `type` message). `end` half-closes at once (a
 * server-streaming call); otherwise the request stays open. The response is never read.
 */
export function openRawCall(
  session: http2.ClientHttp2Session,
  path: string,
  type: string,
  first: object,
  { end = true } = {},
): RawCall {
  const stream = session.request({
    ':method': 'POST',
    ':path': path,
    'content-type': 'application/grpc',
    te: 'trailers',
  });
  const frame = grpcFrame(type, first);
  if (end) stream.end(frame);
  else stream.write(frame);
  stream.pause();
  stream.on('error', () => undefined); // a reset is also an error event; ended reports it
  const found: Partial<RawCallEnd> = {};
  let done: (end: RawCallEnd) => void;
  const ended = new Promise<RawCallEnd>((resolve) => (done = resolve));
  const note = (h: http2.IncomingHttpHeaders) => {
    if (typeof h['grpc-message'] === 'string') found.grpcMessage = decodeURIComponent(h['grpc-message']);
    if (h['grpc-status'] === undefined) return;
    found.grpcStatus = Number(h['grpc-status']);
    // The server has answered; a client whose request is still open would hold its stream half
    // open, so this one closes it, as grpc-js does on a status.
    done({ ...found, rstCode: 0 });
    stream.close();
  };
  stream.on('response', note);
  stream.on('trailers', note);
  stream.on('close', () => done({ ...found, rstCode: stream.rstCode ?? 0 }));
  return { stream, ended, send: (t, m) => void stream.write(grpcFrame(t, m)) };
}

/**
 * An HTTP/2 session to a daemon's gRPC address, over TLS with `pair` of the run's PKI (default the
 * admin client's; an agent serves NodeAgent only to the scheduler's: `testPki().scheduler`), or
 * plaintext with `insecure`. Any mo server certificate of the CA is accepted. Errors are left to
 * the calls.
 */
export function rawSession(
  address: string,
  options: { pair?: TestPair; insecure?: boolean } = {},
): http2.ClientHttp2Session {
  let session: http2.ClientHttp2Session;
  if (options.insecure) {
    session = http2.connect(`http://${address}`);
  } else {
    const pair = options.pair ?? testPki().client;
    session = http2.connect(`https://${address}`, {
      ca: readFileSync(testPki().ca),
      cert: readFileSync(pair.cert),
      key: readFileSync(pair.key),
      checkServerIdentity: () => undefined,
    });
  }
  session.on('error', () => undefined);
  return session;
}

/**
 * What a process holds now (from /proc): resident memory, of it anonymous (heaps, arenas, stacks)
 * and file-backed (the binary's pages), and open file descriptors.
 */
export function processHolds(pid: number): { rssBytes: number; anonBytes: number; fileBytes: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const bytes = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return {
    rssBytes: bytes('VmRSS'),
    anonBytes: bytes('RssAnon'),
    fileBytes: bytes('RssFile'),
    fds: readdirSync(`/proc/${pid}/fd`).length,
  };
}
