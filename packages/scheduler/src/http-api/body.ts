// Request bodies of the HTTP API: read up to the gRPC message limit (@mo/api MAX_MESSAGE_BYTES, the
// "any request" row of the README's Limits), refused with 413 past it, before or while reading;
// JSON that does not parse is 400 INVALID_ARGUMENT with the parser's words.
import * as grpc from '@grpc/grpc-js';
import { InvalidArgumentError, MAX_MESSAGE_BYTES } from '@mo/api';
import type http from 'node:http';
import { HttpError } from './errors.js';

function tooLarge(max: number, what: string): HttpError {
  return new HttpError(
    413,
    grpc.status.RESOURCE_EXHAUSTED,
    `request body: ${what} more than ${max} bytes (${max / (1024 * 1024)} MiB, the API's request limit, as gRPC's)`,
  );
}

/**
 * The whole body, at most `max` bytes. Past it the rest is discarded as it arrives (not held), so
 * the client, still sending, reads the 413 instead of a broken pipe.
 */
export async function readBody(req: http.IncomingMessage, max = MAX_MESSAGE_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    req.resume();
    throw tooLarge(max, `Content-Length ${declared} is`);
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) return void chunks.push(chunk);
      // Discarded from here on (still read, so the client gets the reply, not a reset).
      req.off('data', onData);
      req.resume();
      chunks.length = 0;
      reject(tooLarge(max, 'it has'));
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

/** The body as JSON; an empty body is `{}` (every field at its default, as an empty gRPC message). */
export async function readJson(req: http.IncomingMessage, max = MAX_MESSAGE_BYTES): Promise<unknown> {
  const body = await readBody(req, max);
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (err) {
    throw new InvalidArgumentError('(body)', `is not JSON: ${(err as Error).message}`);
  }
}
