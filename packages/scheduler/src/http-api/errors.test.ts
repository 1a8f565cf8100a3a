import { describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { InvalidArgumentError, MoError, NotFoundError, statusName } from '@mo/api';
import { RefusedForRate } from './auth.js';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { errorReply, HTTP_STATUS, HttpError, sendJson } from './errors.js';

describe('errorReply', () => {
  // google/rpc/code.proto's HTTP mapping, code by code.
  it.each([
    [grpc.status.CANCELLED, 499],
    [grpc.status.UNKNOWN, 500],
    [grpc.status.INVALID_ARGUMENT, 400],
    [grpc.status.DEADLINE_EXCEEDED, 504],
    [grpc.status.NOT_FOUND, 404],
    [grpc.status.ALREADY_EXISTS, 409],
    [grpc.status.PERMISSION_DENIED, 403],
    [grpc.status.RESOURCE_EXHAUSTED, 429],
    [grpc.status.FAILED_PRECONDITION, 400],
    [grpc.status.ABORTED, 409],
    [grpc.status.OUT_OF_RANGE, 400],
    [grpc.status.UNIMPLEMENTED, 501],
    [grpc.status.INTERNAL, 500],
    [grpc.status.UNAVAILABLE, 503],
    [grpc.status.DATA_LOSS, 500],
    [grpc.status.UNAUTHENTICATED, 401],
  ])('maps gRPC status %s to HTTP %s with the code named', (code, http) => {
    const reply = errorReply(new MoError(code, 'why'));
    expect(reply).toEqual({ status: http, headers: {}, body: { code: statusName(code), message: 'why' } });
  });

  it('covers every gRPC status but OK', () => {
    const names = Object.keys(grpc.status).filter((k) => Number.isNaN(Number(k)));
    expect(Object.keys(HTTP_STATUS).sort()).toEqual(names.sort());
  });

  it('keeps the field-named messages of the domain errors', () => {
    expect(errorReply(new InvalidArgumentError('spec.argv', 'must not be empty')).body).toEqual({
      code: 'INVALID_ARGUMENT',
      message: 'spec.argv: must not be empty',
    });
    expect(errorReply(new NotFoundError('workload_id', 'workload', 'W1'))).toMatchObject({
      status: 404,
      body: { message: 'workload_id: no workload "W1"' },
    });
  });

  it('answers what is not a MoError as 500 INTERNAL, as gRPC does', () => {
    expect(errorReply(new Error('boom'))).toEqual({
      status: 500,
      headers: {},
      body: { code: 'INTERNAL', message: 'internal error: boom' },
    });
  });

  it('lets HTTP-only errors choose their status and headers, and says when to retry a rate', () => {
    const e = new HttpError(405, grpc.status.UNIMPLEMENTED, 'no', { Allow: 'GET' });
    expect(errorReply(e)).toEqual({
      status: 405,
      headers: { Allow: 'GET' },
      body: { code: 'UNIMPLEMENTED', message: 'no' },
    });
    expect(errorReply(new RefusedForRate('slow down', 1500))).toMatchObject({
      status: 429,
      headers: { 'Retry-After': '2' },
    });
  });
});

describe('sendJson', () => {
  /** One request to a real server answering with sendJson(body); the raw reply. */
  async function reply(json: string, acceptEncoding?: string) {
    const server = createServer((_req, res) => sendJson(res, 200, json));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      return await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        const headers = acceptEncoding ? { 'accept-encoding': acceptEncoding } : {};
        const req = request({ host: '127.0.0.1', port, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
        req.end();
      });
    } finally {
      server.close();
    }
  }

  it('gzips a large body for a client that accepts it, and only then', async () => {
    const big = JSON.stringify({ nodes: Array.from({ length: 200 }, (_, i) => ({ name: `node-${i}`, up: true })) });
    const zipped = await reply(big, 'gzip');
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(Number(zipped.headers['content-length'])).toBe(zipped.body.length);
    expect(gunzipSync(zipped.body).toString()).toBe(`${big}\n`);
    expect(zipped.body.length * 4).toBeLessThan(big.length);
    const plain = await reply(big);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(`${big}\n`);
    const small = await reply('{"ok":true}', 'gzip');
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(small.body.toString()).toBe('{"ok":true}\n');
  });
});
