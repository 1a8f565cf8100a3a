// A daemon's HTTP endpoint (agent :7611, scheduler :7601): `/metrics` for Prometheus and `/healthz` for load
// balancers, probes and humans with curl. Plain node:http: two routes need no framework.
// With TLS (the daemon's certificates, reloaded with them) it serves HTTPS: /healthz stays open,
// /metrics needs a client certificate of the cluster's CA (any role) unless metricsOpen. A daemon
// may add routes under a prefix (the scheduler's HTTP API), which do their own authentication.
import { noteActivity } from './loop-delay.js';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ReloadableTls } from '../tls/source.js';

export interface HealthStatus {
  ok: boolean;
  /** Merged into the JSON body next to `status`. */
  detail?: Record<string, unknown>;
}

export interface MetricsServerOptions {
  /** "host:port"; port 0 picks a free port. IPv6 hosts in brackets: "[::1]:7611". */
  address: string;
  /** A prom-client Registry (structurally: api does not depend on prom-client). */
  registry: { metrics(): Promise<string>; readonly contentType: string };
  health: () => HealthStatus;
  /** Serve HTTPS with the daemon's certificates. */
  tls?: ReloadableTls;
  /** With tls: /metrics without a client certificate (--metrics-open). */
  metricsOpen?: boolean;
  /**
   * More routes (the scheduler's `/api/v1`): every request whose path starts with `prefix` is
   * handed to `handle`, which answers it (errors included; a throw is answered 500).
   */
  routes?: { prefix: string; handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> };
  /**
   * Pages (the scheduler's dashboard at `/`): answers the paths it serves and returns true, or
   * returns false for the others, which go on to /metrics and /healthz.
   */
  pages?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
}

export interface MetricsServer {
  /** The bound port (useful with port 0). */
  readonly port: number;
  /** Stops listening and drops open (keep-alive) connections. Safe to call more than once. */
  close(): Promise<void>;
}

/** Splits "host:port" (or "[v6]:port"); throws an Error naming the value when it is not one. */
export function parseAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(address);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (host === undefined || !Number.isInteger(port) || port > 65535) {
    throw new Error(`invalid listen address ${JSON.stringify(address)}: expected host:port`);
  }
  return { host, port };
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { host, port } = parseAddress(options.address);
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    // Requests are work (the event-loop delay sampler measures from here: loop-delay.ts); scrapes
    // and probes are not, or a 15 s scrape would keep an idle daemon's sampler running.
    const path = req.url ?? '';
    if (!path.startsWith('/metrics') && !path.startsWith('/healthz')) noteActivity();
    handle(options, req, res).catch((err: unknown) => {
      // Only reachable if writing the response itself failed; never let it become an unhandled rejection.
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `internal error: ${String(err)}\n`);
      else res.destroy();
    });
  };
  const tls = options.tls;
  let server: http.Server;
  if (tls) {
    const m = tls.material;
    // A certificate is asked for, not required: /healthz serves probes without one.
    const secure = https.createServer(
      { ca: m.ca, cert: m.cert, key: m.key, requestCert: true, rejectUnauthorized: false },
      onRequest,
    );
    const stop = tls.onChange((n) => secure.setSecureContext({ ca: n.ca, cert: n.cert, key: n.key }));
    secure.once('close', stop);
    server = secure;
  } else {
    server = http.createServer(onRequest);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // close() only stops accepting; idle keep-alive connections (Prometheus keeps one open)
        // would hold it open until they time out.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function handle(options: MetricsServerOptions, req: http.IncomingMessage, res: http.ServerResponse) {
  const path = (req.url ?? '/').split('?', 1)[0]!;
  if (options.routes && path.startsWith(options.routes.prefix)) return options.routes.handle(req, res);
  if (options.pages?.(req, res)) return;
  if (path !== '/metrics' && path !== '/healthz') {
    send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    return;
  }
  // HEAD is GET without the body (node drops it), which curl -I and some probes use.
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    return;
  }

  if (path === '/metrics') {
    if (options.tls && !options.metricsOpen && !(req.socket as TLSSocket).authorized) {
      const why =
        "a client certificate of the cluster's CA is needed for /metrics (or start the daemon with --metrics-open)\n";
      send(res, 401, 'text/plain; charset=utf-8', why);
      return;
    }
    let body: string;
    try {
      body = await options.registry.metrics();
    } catch (err) {
      send(res, 500, 'text/plain; charset=utf-8', `collecting metrics failed: ${String(err)}\n`);
      return;
    }
    send(res, 200, options.registry.contentType, body);
    return;
  }

  let health: HealthStatus;
  try {
    health = options.health();
  } catch (err) {
    health = { ok: false, detail: { error: String(err) } };
  }
  const status = health.ok ? 'ok' : 'unavailable';
  // `status` first for readability, and last so a detail key cannot overwrite it.
  const body = Object.assign({ status }, health.detail, { status });
  send(res, health.ok ? 200 : 503, 'application/json', `${JSON.stringify(body)}\n`);
}

function send(res: http.ServerResponse, code: number, contentType: string, body: string): void {
  res.writeHead(code, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}
