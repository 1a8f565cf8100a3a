// What a follower scheduler serves while another leads (issue 18). Reads it can vouch for (get and
// list workloads, nodes, cluster status, pipelines) it answers from its watch-fed cache
// (follower-reads.ts); every other method of the client and agent APIs (Scheduler, NodeRegistry,
// Pipelines, Jobs, Tokens; unary and streaming alike) refuses with the leader's address
// (NotLeaderError: UNAVAILABLE + the `mo-leader` trailer, leader.ts in @mo/api), which the clients
// follow; grpc.health.v1 says NOT_SERVING, so probes and load balancers pass it by. Its HTTP
// listener answers /api/v1/* with 503 naming the leader (JSON and the `mo-leader` /
// `mo-leader-http` headers), `/` with a page linking to the leader's dashboard, /healthz with 503,
// and /metrics with `mo_scheduler_leader 0`.
//
// Who may be told where the leader is: anyone who can connect. The refusal reveals one address,
// which any agent or client of the cluster is configured with anyway; Nomad's followers forward
// to the leader and name it in `/v1/status/leader` to any caller, etcd names its leader in every
// member's status. A bearer token is checked against the cached token records: one that passes
// may read here; any other is the leader's to check, so its caller is sent there (never refused
// here). With TLS the connection is the scheduler's own (scheduler.mo, the cluster's CA), so agents
// and clients verify the scheduler identity as they do with the leader. A caller with neither a
// certificate nor a token is refused UNAUTHENTICATED, as by the leader.
import {
  NotLeaderError,
  LEADER_HTTP_KEY,
  LEADER_KEY,
  createMoServer,
  notLeaderStatus,
  parseAddress,
  PROM_DEFAULTS,
  serviceDefinition,
  startMetricsServer,
  type Identity,
  type LeaderAddress,
  type Logger,
  type ReloadableTls,
} from '@mo/api';
import type * as grpc from '@grpc/grpc-js';
import type http from 'node:http';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { followerReadHandlers, type FollowerReadSource } from './follower-reads.js';

/** The services a scheduler serves (scheduler.ts), each refused by a follower. */
/** How long a closing follower lets open calls end before it cuts them. */
const FOLLOWER_CLOSE_MS = 100;

export const FOLLOWER_SERVICES = ['Scheduler', 'NodeRegistry', 'Pipelines', 'Jobs', 'Tokens'] as const;

export interface FollowerServerOptions {
  /** gRPC listen address ("host:port"; port 0 picks one). */
  grpcListen: string;
  /** HTTP listen address (API, dashboard, /healthz, /metrics). */
  httpListen: string;
  /**
   * The scheduler's certificates, as scheduler.ts uses them (openTls' result): callers verify the
   * scheduler identity here as with the leader. Exactly one of `tls` and `insecure`.
   */
  tls?: ReloadableTls;
  insecure?: boolean;
  /** /metrics without a client certificate (--metrics-open). */
  metricsOpen?: boolean;
  /** The leader now (read at every refusal); undefined while none is elected. */
  leader: () => LeaderAddress | undefined;
  logger: Logger;
  /** Node's process metrics in /metrics too (default true; tests with many servers turn it off). */
  defaultMetrics?: boolean;
  /**
   * Reads answered here from the follower's watch-fed cache (follower-reads.ts); absent: every
   * call is refused with the leader's address.
   */
  reads?: FollowerReadSource;
}

export interface FollowerServer {
  /** The bound gRPC address ("host:port"). */
  readonly grpcAddress: string;
  /** The bound HTTP address. */
  readonly httpAddress: string;
  /** Stops both listeners; idempotent. */
  close(): Promise<void>;
}

/**
 * A bearer token this follower cannot verify passes as this identity (the token is the leader's to
 * check: see the header); the read handlers send such a caller to the leader.
 */
const UNCHECKED: Identity = { kind: 'insecure' };

export async function startFollowerServer(options: FollowerServerOptions): Promise<FollowerServer> {
  const { leader, logger } = options;
  if (!options.tls === !options.insecure) throw new Error('startFollowerServer: give exactly one of tls and insecure');
  const services = FOLLOWER_SERVICES.map((s) => `mo.v1.${s}`);
  const server = createMoServer({
    services,
    ...(options.tls ? { tls: options.tls, requireClientCertificate: false } : { insecure: true }),
    guard: {
      checkToken: (text) => {
        const check = options.reads?.checkToken(text);
        return check && 'identity' in check ? check : { identity: UNCHECKED };
      },
    },
  });
  // Health: NOT_SERVING, overall and per service, so nothing routes work here.
  for (const s of ['', ...services]) server.health.setStatus(s, 'NOT_SERVING');
  const registry = new Registry();
  if (options.defaultMetrics !== false) {
    collectDefaultMetrics({ register: registry, ...PROM_DEFAULTS.options });
    for (const name of PROM_DEFAULTS.dropped) registry.removeSingleMetric(name);
  }
  new Gauge({
    name: 'mo_scheduler_leader',
    help: 'Whether this scheduler leads (1) or follows (0).',
    registers: [registry],
  }).set(0);
  const reads = new Counter({
    name: 'mo_scheduler_follower_reads_total',
    help: 'Reads a follower answered from its cache (served) or sent to the leader (leader), by method.',
    labelNames: ['method', 'outcome'],
    registers: [registry],
  });
  if (options.reads) {
    const source = options.reads;
    new Gauge({
      name: 'mo_scheduler_follower_last_contact_seconds',
      help: "Seconds since etcd's quorum last answered this follower (it serves reads while this is under 3).",
      registers: [registry],
      collect() {
        const age = source.lastContactAgeMs() / 1000;
        this.set(Number.isFinite(age) ? age : -1);
      },
    });
  }
  const refuse = () => notLeaderStatus(leader()?.grpc);
  for (const name of FOLLOWER_SERVICES) {
    const definition = serviceDefinition(name);
    const answered = options.reads
      ? followerReadHandlers(name, options.reads, {
          refuse,
          leaderAddress: () => leader()?.grpc,
          unverified: UNCHECKED,
          onRead: (method, outcome) => reads.inc({ method, outcome }),
        })
      : {};
    server.server.addService(definition, { ...refusingHandlers(definition, refuse), ...answered });
  }
  let grpcAddress: string;
  try {
    const { host } = parseAddress(options.grpcListen);
    const port = await server.listen(options.grpcListen);
    grpcAddress = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  } catch (err) {
    await server.close();
    throw new Error(`cannot listen on ${options.grpcListen} (gRPC): ${(err as Error).message}`, { cause: err });
  }

  const scheme = options.tls ? 'https' : 'http';
  let httpServer;
  try {
    httpServer = await startMetricsServer({
      address: options.httpListen,
      registry,
      ...(options.tls ? { tls: options.tls, metricsOpen: options.metricsOpen === true } : {}),
      routes: { prefix: '/api/', handle: (_req, res) => Promise.resolve(refuseHttp(res, leader())) },
      pages: (req, res) => dashboardPage(req, res, leader(), scheme),
      health: () => ({ ok: false, detail: { ok: false, role: 'follower', leader: leader() ?? null } }),
    });
  } catch (err) {
    await server.close();
    throw err;
  }
  const httpAddress = `${parseAddress(options.httpListen).host}:${httpServer.port}`;
  logger.info('follower ready: refusing calls with the leader’s address', {
    grpcAddress,
    httpAddress,
    leader: leader()?.grpc ?? 'none yet',
  });
  let closing: Promise<void> | undefined;
  return {
    grpcAddress,
    httpAddress,
    close() {
      // Every call here is a refusal: nothing to let finish. A graceful close would wait up to
      // its 5 s deadline for streams a caller keeps open, and the leader's listeners wait for
      // these ports (measured: failovers of 8-9 s instead of 4).
      closing ??= Promise.all([server.close(FOLLOWER_CLOSE_MS), httpServer.close()]).then(() => undefined);
      return closing;
    },
  };
}

/**
 * A handler per method of `definition` (built from it, so a method added to a .proto is refused
 * too): unary and client-streaming calls answer the refusal, server and bidi streams end with it.
 */
export function refusingHandlers(
  definition: grpc.ServiceDefinition,
  refuse: () => Partial<grpc.ServiceError>,
): grpc.UntypedServiceImplementation {
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const [method, m] of Object.entries(definition)) {
    if (m.responseStream) {
      handlers[method] = (call: grpc.ServerWritableStream<unknown, unknown>) => call.emit('error', refuse());
    } else {
      handlers[method] = (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(refuse());
    }
  }
  return handlers;
}

/** 503 for every /api/ request, naming the leader in the body and the headers. */
function refuseHttp(res: http.ServerResponse, leader: LeaderAddress | undefined): void {
  const message = new NotLeaderError(leader?.grpc).message;
  const body = JSON.stringify({ code: 'UNAVAILABLE', message, leader: leader ?? null });
  res.writeHead(503, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    [LEADER_KEY]: leader?.grpc ?? '',
    [LEADER_HTTP_KEY]: leader?.http ?? '',
    // No leader yet: an election takes a few seconds.
    ...(leader ? {} : { 'Retry-After': '1' }),
  });
  res.end(body);
}

/** `/`: a page that says this is a follower and links to the leader's dashboard. */
function dashboardPage(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  leader: LeaderAddress | undefined,
  scheme: string,
): boolean {
  const path = (req.url ?? '/').split('?', 1)[0]!;
  if (path !== '/' && path !== '/index.html') return false;
  const where = leader
    ? `The leader's dashboard is at <a href="${scheme}://${escapeHtml(leader.http)}/">${scheme}://${escapeHtml(leader.http)}/</a>.`
    : 'No leader is elected yet; reload in a few seconds.';
  const body =
    '<!doctype html><html><head><meta charset="utf-8"><title>mo: follower scheduler</title></head>' +
    `<body><h1>This scheduler is a follower</h1><p>${where}</p></body></html>\n`;
  res.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    [LEADER_KEY]: leader?.grpc ?? '',
    [LEADER_HTTP_KEY]: leader?.http ?? '',
  });
  res.end(body);
  return true;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
