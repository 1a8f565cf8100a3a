// Calls to a scheduler's HTTP API as curl makes them (node:https, the run's CA; a bearer token or a
// client certificate, or neither), and a Server-Sent Events reader that parses the stream as a
// browser's EventSource does (id, event, data; comments counted) and can be cut off mid-way.
import { after } from '@mo/api';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { testPki, type TestPair } from './pki.js';

export interface ApiCallOptions {
  method?: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** A client certificate to present (default none: the token is the credential). */
  pair?: TestPair;
  /** A JSON value (sent as JSON), or a raw body. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Plain http (a scheduler started with --insecure). */
  insecure?: boolean;
}

export interface ApiReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

function requestOptions(o: ApiCallOptions): https.RequestOptions {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
  if (o.insecure) return { method: o.method ?? 'GET', headers, agent: false };
  return {
    method: o.method ?? 'GET',
    headers,
    ca: readFileSync(testPki().ca),
    ...(o.pair ? { cert: readFileSync(o.pair.cert), key: readFileSync(o.pair.key) } : {}),
    checkServerIdentity: () => undefined, // any daemon of the run's CA
    agent: false,
  };
}

/** One call: `address` is the scheduler's httpAddress ("127.0.0.1:7601"), `path` from /api/v1. */
export function apiCall(address: string, path: string, o: ApiCallOptions = {}): Promise<ApiReply> {
  const url = `${o.insecure ? 'http' : 'https'}://${address}${path}`;
  let body: Buffer | undefined;
  const opts = requestOptions(o);
  if (o.body !== undefined) {
    body = Buffer.isBuffer(o.body) ? o.body : Buffer.from(typeof o.body === 'string' ? o.body : JSON.stringify(o.body));
    opts.headers = { 'content-type': 'application/json', ...opts.headers, 'content-length': String(body.length) };
  }
  return new Promise((resolve, reject) => {
    const req = (o.insecure ? http : https).request(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          json: <T>() => JSON.parse(text) as T,
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

export interface EventStreamReader {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** Every event so far, in order. */
  readonly events: SseEvent[];
  /** Comment lines seen (heartbeats). */
  readonly comments: () => number;
  /** Resolves once an event satisfies `until` (rejects after timeoutMs or when the stream ends first). */
  waitFor(until: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  /** Cuts the connection (a client gone). */
  close(): void;
}

/** Opens an event stream; resolves once the response's headers arrived (any status). */
export function openEventStream(address: string, path: string, o: ApiCallOptions = {}): Promise<EventStreamReader> {
  const url = `${o.insecure ? 'http' : 'https'}://${address}${path}`;
  const opts = requestOptions(o);
  opts.headers = { accept: 'text/event-stream', ...opts.headers };
  return new Promise((resolve, reject) => {
    const req = (o.insecure ? http : https).request(url, opts, (res) => {
      const events: SseEvent[] = [];
      let comments = 0;
      let buffer = '';
      let endedResolve!: () => void;
      const ended = new Promise<void>((r) => (endedResolve = r));
      const waiters = new Set<() => void>();
      const wake = () => {
        for (const w of [...waiters]) w();
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          const e: SseEvent = { event: 'message', data: '' };
          let isEvent = false;
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) {
              comments++;
              continue;
            }
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            isEvent = true;
            if (field === 'id') e.id = value;
            else if (field === 'event') e.event = value;
            else if (field === 'data') data.push(value);
          }
          if (isEvent) {
            e.data = data.join('\n');
            events.push(e);
          }
        }
        wake();
      });
      let done = false;
      const finish = () => {
        done = true;
        endedResolve();
        wake();
      };
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        comments: () => comments,
        ended,
        close: () => {
          req.destroy();
          res.destroy();
        },
        waitFor(until, timeoutMs = 15_000) {
          return new Promise<SseEvent>((ok, fail) => {
            const check = () => {
              const found = events.find(until);
              if (found) {
                cleanup();
                ok(found);
              } else if (done) {
                cleanup();
                fail(new Error(`the event stream ended before the event waited for (${events.length} events)`));
              }
            };
            const timer = after(timeoutMs, () => {
              cleanup();
              fail(new Error(`no such event within ${timeoutMs} ms (${events.length} events)`));
            });
            const cleanup = () => {
              timer.cancel();
              waiters.delete(check);
            };
            waiters.add(check);
            check();
          });
        },
      });
    });
    req.on('error', reject);
    req.end();
  });
}
