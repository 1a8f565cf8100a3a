// The request cycle on an in-process HTTP server with stub routes: admission by the gRPC table
// (401, 403), the rates per identity (429 with Retry-After), refusals told to onRefused, audit lines,
// and a failing audit log in strict mode refusing a change (503) before it runs.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuditLog, CallRateLimiter, sleep, type CallRefusal, type Identity } from '@mo/api';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpApi, route } from './api.js';

const tokens: Record<string, Identity> = {
  reader: { kind: 'token', name: 'r', access: 'read', tokenId: '1' },
  operator: { kind: 'token', name: 'op', access: 'operate', tokenId: '2' },
};
let server: http.Server;
let base: string;
let dir: string;
let ran = 0;
const refused: CallRefusal[] = [];

function makeApi(audit: { log: AuditLog; strict?: boolean }) {
  return new HttpApi({
    insecure: false,
    guard: {
      checkToken: (t) => (tokens[t] ? { identity: tokens[t] } : { refused: 'unknown token' }),
      rates: new CallRateLimiter({ mutating: { ratePerSecond: 1, burst: 2 }, register: null, heartbeat: null }),
      onRefused: (r) => refused.push(r),
    },
    audit,
    routes: [
      route<{ workloadId: string }>({
        method: 'POST',
        path: '/api/v1/workloads/:id/stop',
        rpc: '/mo.v1.Scheduler/StopScheduledWorkload',
        responseType: 'ScheduledWorkload',
        request: (i) => ({ workloadId: i.params.id! }),
        respond: (m) => {
          ran++;
          return { id: m.workloadId };
        },
      }),
    ],
  });
}

async function post(
  path: string,
  token?: string,
  origin?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: unknown }> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(origin ? { origin } : {}) },
  });
  return {
    status: res.status,
    headers: Object.fromEntries(res.headers) as http.IncomingHttpHeaders,
    body: await res.json(),
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mo-http-api-'));
  const api = makeApi({ log: new AuditLog({ path: join(dir, 'audit.jsonl'), maxBytes: 1 << 20, keep: 0 }) });
  // A log whose every write fails (a full disk: test/audit-strict.test.ts has the real one).
  const strict = makeApi({ log: { append: () => false } as unknown as AuditLog, strict: true });
  server = http.createServer((req, res) => {
    const strictPath = req.url!.startsWith('/strict');
    if (strictPath) req.url = req.url!.slice('/strict'.length);
    void (strictPath ? strict : api).handle(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('HttpApi admission, rates and audit', () => {
  it('refuses a caller without credentials (401) and a read token a change (403), and runs nothing', async () => {
    expect(await post('/api/v1/workloads/W1/stop')).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(await post('/api/v1/workloads/W1/stop', 'nobody')).toMatchObject({
      status: 401,
      body: { message: 'bearer token refused: unknown token' },
    });
    expect(await post('/api/v1/workloads/W1/stop', 'reader')).toMatchObject({
      status: 403,
      body: { code: 'PERMISSION_DENIED', message: 'StopScheduledWorkload needs operate access; token:r has read' },
    });
    expect(ran).toBe(0);
    expect(refused.map((r) => r.code)).toEqual([16, 16, 7]);
  });

  it('limits changes per identity with the gRPC limiter: 429 with Retry-After past the burst', async () => {
    expect((await post('/api/v1/workloads/W1/stop', 'operator')).status).toBe(200);
    expect((await post('/api/v1/workloads/W2/stop', 'operator')).status).toBe(200);
    const over = await post('/api/v1/workloads/W3/stop', 'operator');
    expect(over).toMatchObject({ status: 429, body: { code: 'RESOURCE_EXHAUSTED' } });
    expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(ran).toBe(2);
  });

  it('writes a line per change and per refusal, naming the caller and the gRPC method', () => {
    const lines = readFileSync(join(dir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.identity, l.code, l.targets])).toEqual([
      ['unauthenticated', 'UNAUTHENTICATED', {}],
      ['unauthenticated', 'UNAUTHENTICATED', {}],
      ['token:r', 'PERMISSION_DENIED', {}],
      ['token:op', 'OK', { workload: 'W1' }],
      ['token:op', 'OK', { workload: 'W2' }],
      ['token:op', 'RESOURCE_EXHAUSTED', {}],
    ]);
    expect(lines.every((l) => l.method === '/mo.v1.Scheduler/StopScheduledWorkload')).toBe(true);
  });

  it('refuses a change from another site (Origin), takes one from this one', async () => {
    const before = ran;
    expect(await post('/api/v1/workloads/W5/stop', 'operator', 'https://evil.example')).toMatchObject({
      status: 403,
      body: { code: 'PERMISSION_DENIED', message: expect.stringMatching(/^cross-origin POST refused/) },
    });
    expect(ran).toBe(before);
    await sleep(1100); // a token of the limiter back
    expect((await post('/api/v1/workloads/W5/stop', 'operator', base)).status).toBe(200);
  });

  it('in strict mode refuses a change whose audit line cannot be written (503), before it runs', async () => {
    const before = ran;
    tokens.strict = { kind: 'token', name: 'strict', access: 'operate', tokenId: '3' };
    expect(await post('/strict/api/v1/workloads/W9/stop', 'strict')).toMatchObject({
      status: 503,
      body: { code: 'UNAVAILABLE', message: expect.stringContaining('audit log') },
    });
    expect(ran).toBe(before);
  });
});
