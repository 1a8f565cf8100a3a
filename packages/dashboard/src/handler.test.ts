import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CONTENT_SECURITY_POLICY, createDashboardHandler } from './handler.js';

// A built dashboard in miniature, plus a secret beside it that no URL may reach.
const dir = mkdtempSync(join(tmpdir(), 'mo-dashboard-'));
mkdirSync(join(dir, 'web', 'assets'), { recursive: true });
writeFileSync(join(dir, 'web', 'index.html'), '<!doctype html><title>mo</title>');
writeFileSync(join(dir, 'web', 'assets', 'app-ABC.js'), 'console.log(1)');
writeFileSync(join(dir, 'web', 'assets', 'style-DEF.css'), 'body{}');
writeFileSync(join(dir, 'web', 'assets', 'notes.txt'), 'unknown kind');
const BIG = 'export const rows = [];\n'.repeat(400);
writeFileSync(join(dir, 'web', 'assets', 'big-GHI.js'), BIG);
writeFileSync(join(dir, 'secret'), 'do not serve');

let server: Server;
let port: number;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(path: string, method = 'GET', headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    // A raw path: http.request sends it as written, so ../ and %2e%2e reach the handler unchanged.
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  const handler = createDashboardHandler({ assetDir: join(dir, 'web') });
  server = createServer((req, res) => {
    if (handler(req, res)) return;
    res.writeHead(418).end('not the dashboard'); // the scheduler's own routes would be here
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('the dashboard handler', () => {
  it('serves index.html at / with no-cache and a strict CSP', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-cache');
    expect(r.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.body).toContain('<title>mo</title>');
  });

  it.each([
    ['/assets/app-ABC.js', 'text/javascript; charset=utf-8'],
    ['/assets/style-DEF.css', 'text/css; charset=utf-8'],
  ])('serves %s as %s, cached as immutable', async (path, type) => {
    const r = await get(path);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(type);
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('answers a matching If-None-Match with 304 and HEAD with headers only', async () => {
    const first = await get('/assets/app-ABC.js');
    const again = await get('/assets/app-ABC.js', 'GET', { 'if-none-match': String(first.headers.etag) });
    expect(again.status).toBe(304);
    const head = await get('/', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it.each([
    '/assets/missing.js',
    '/assets/notes.txt', // a file of a kind it does not label
    '/assets/../secret',
    '/assets/..%2f..%2fsecret',
    '/assets/%2e%2e/%2e%2e/secret',
    '/assets/',
  ])('answers %s with 404 and never a file outside the build', async (path) => {
    const r = await get(path);
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('do not serve');
  });

  it.each(['/api/v1/cluster', '/metrics', '/healthz', '/secret', '/assetsx'])(
    'leaves %s to the caller',
    async (path) => {
      expect((await get(path)).status).toBe(418);
    },
  );

  it('refuses methods other than GET and HEAD with 405', async () => {
    const r = await get('/', 'POST');
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('GET, HEAD');
  });

  it('sends an asset gzipped to a client that accepts it, as it is to others', async () => {
    const raw = (acceptEncoding?: string) =>
      new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        const headers = acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding };
        const req = request({ host: '127.0.0.1', port, path: '/assets/big-GHI.js', headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
        req.end();
      });
    const zipped = await raw('gzip, deflate, br');
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('Accept-Encoding');
    expect(Number(zipped.headers['content-length'])).toBe(zipped.body.length);
    expect(zipped.body.length).toBeLessThan(BIG.length / 10);
    expect(gunzipSync(zipped.body).toString()).toBe(BIG);
    for (const plain of [await raw(), await raw('gzip;q=0, identity'), await raw('br')]) {
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body.toString()).toBe(BIG);
    }
    // A file gzip would not shrink is always sent as it is.
    expect((await get('/assets/app-ABC.js', 'GET', { 'accept-encoding': 'gzip' })).headers['content-encoding']).toBe(
      undefined,
    );
  });

  it('ignores a query string', async () => {
    expect((await get('/?x=1')).status).toBe(200);
  });

  it('fails at construction when the dashboard was not built', () => {
    expect(() => createDashboardHandler({ assetDir: join(dir, 'nowhere') })).toThrow();
  });
});
