// The dashboard suite's HTTP side: /api/v1 calls with the scheduler's bootstrap token (HTTPS with
// the run's CA, as the scheduler serves it by default) and an event-stream client that records
// every event's id and how late it arrived, parsed by the dashboard's own SSE parser.
import { createSseParser } from '@mo/dashboard';
import { testPki } from '@mo/testkit';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

export interface ApiTarget {
  /** "https://127.0.0.1:PORT" */
  base: string;
  token: string;
}

/** The scheduler's HTTP listener with its bootstrap token (<data dir>/bootstrap-token). */
export function apiTarget(httpAddress: string, dataDir: string, insecure: boolean): ApiTarget {
  const token = readFileSync(`${dataDir}/bootstrap-token`, 'utf8').trim();
  return { base: `${insecure ? 'http' : 'https'}://${httpAddress}`, token };
}

function tlsOptions(t: ApiTarget): Pick<https.RequestOptions, 'ca' | 'checkServerIdentity'> {
  if (t.base.startsWith('http:')) return {};
  return { ca: readFileSync(testPki().ca), checkServerIdentity: () => undefined };
}

/** Keep-alive connections for many small calls (the submissions). */
export function keepAliveAgent(t: ApiTarget, maxSockets: number): http.Agent {
  const o = { keepAlive: true, maxSockets, ...tlsOptions(t) };
  return t.base.startsWith('https:') ? new https.Agent(o) : new http.Agent(o);
}

/** One JSON call; rejects on a status other than 2xx. */
export function apiJson<T>(t: ApiTarget, method: string, path: string, body?: unknown, agent?: http.Agent): Promise<T> {
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = { authorization: `Bearer ${t.token}` };
  if (data) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(data.length) });
  const mod = t.base.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(`${t.base}${path}`, { method, headers, agent: agent ?? false, ...tlsOptions(t) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve((text ? JSON.parse(text) : {}) as T);
        else reject(new Error(`${method} ${path}: ${status} ${text.slice(0, 300)}`));
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** What one stream saw. Ids are kept (not events): 50 streams × thousands of events. */
export interface StreamRecord {
  status: number;
  /** The seq of the `caught_up` marker: the stream's events start after it. */
  caughtUpSeq: number | undefined;
  /** Every workload/node event's id, in arrival order. */
  ids: number[];
  /** Receipt time minus the event's atMs, ms (same host clock). */
  lagMs: number[];
  /** When the last event arrived (performance.now()). */
  lastAt: number;
  /** `event: error` frames, the server's reason for ending a stream. */
  errors: string[];
  /** The connection ended or failed before close() (a cut-off stream). */
  endedEarly: boolean;
}

export interface EventStreamClient {
  readonly record: StreamRecord;
  /** Resolves at the `caught_up` marker (rejects if the stream ends or answers an error first). */
  readonly caughtUp: Promise<void>;
  close(): void;
}

// The event's own time, without parsing the whole JSON (the bench process reads all 50 streams).
const AT_MS = /"atMs":"?(\d+)/;

/** Opens GET /api/v1/events (workload and node events, live only) on a connection of its own. */
export function openEvents(t: ApiTarget): EventStreamClient {
  const record: StreamRecord = {
    status: 0,
    caughtUpSeq: undefined,
    ids: [],
    lagMs: [],
    lastAt: 0,
    errors: [],
    endedEarly: false,
  };
  let closing = false;
  let settle!: { ok: () => void; fail: (e: Error) => void };
  const caughtUp = new Promise<void>((ok, fail) => (settle = { ok, fail }));
  const parser = createSseParser((m) => {
    const now = Date.now();
    if (m.event === 'caught_up') {
      record.caughtUpSeq = Number(m.lastEventId);
      settle.ok();
    } else if (m.event === 'error') {
      record.errors.push(m.data.slice(0, 300));
    } else {
      record.ids.push(Number(m.lastEventId));
      record.lastAt = performance.now();
      const at = AT_MS.exec(m.data);
      if (at) record.lagMs.push(now - Number(at[1]));
    }
  });
  const mod = t.base.startsWith('https:') ? https : http;
  const headers = { authorization: `Bearer ${t.token}`, accept: 'text/event-stream' };
  const req = mod.request(`${t.base}/api/v1/events`, { headers, agent: false, ...tlsOptions(t) }, (res) => {
    record.status = res.statusCode ?? 0;
    if (record.status !== 200) settle.fail(new Error(`GET /api/v1/events: ${record.status}`));
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => parser.feed(chunk));
    const ended = () => {
      if (closing) return;
      record.endedEarly = true;
      settle.fail(new Error('the event stream ended before caught_up'));
    };
    res.on('end', ended);
    res.on('error', ended);
    res.on('close', ended);
  });
  req.on('error', (err) => {
    if (closing) return;
    record.endedEarly = true;
    settle.fail(err);
  });
  req.end();
  return {
    record,
    caughtUp,
    close() {
      closing = true;
      req.destroy();
    },
  };
}

/** The seq of the newest event published: a fresh stream's caught_up marker. */
export async function currentSeq(t: ApiTarget): Promise<number> {
  const probe = openEvents(t);
  try {
    await probe.caughtUp;
    return probe.record.caughtUpSeq ?? NaN;
  } finally {
    probe.close();
  }
}

/** How one stream's ids compare with every seq in (caughtUpSeq, lastSeq]: extra = duplicates or older. */
export function checkStream(r: StreamRecord, lastSeq: number): { missing: number; extra: number; outOfOrder: number } {
  const from = r.caughtUpSeq ?? NaN;
  const seen = new Set<number>();
  let outOfOrder = 0;
  let extra = 0;
  let prev = from;
  for (const id of r.ids) {
    if (id <= prev) outOfOrder++;
    prev = id;
    if (id > lastSeq) continue; // published after the run: not this check's business
    if (id <= from || seen.has(id)) extra++;
    seen.add(id);
  }
  let missing = 0;
  for (let s = from + 1; s <= lastSeq; s++) if (!seen.has(s)) missing++;
  return { missing, extra, outOfOrder };
}
