// The HTTP API's request cycle: route (404/405), admission as the gRPC method the route mirrors
// (auth.ts), the request message built and checked (its fields named as gRPC names them), the
// audit lines gRPC would write for that method, then the shared call (service/) and its response
// message as JSON — or, for a stream route, the response handed over.
import * as grpc from '@grpc/grpc-js';
import {
  AUDIT_UNAVAILABLE_MESSAGE,
  auditCall,
  describeIdentity,
  MoError,
  responseJson,
  statusName,
  toServiceError,
  UNAUTHENTICATED_IDENTITY,
  type AuditedCall,
  type AuditLog,
  type Identity,
} from '@mo/api';
import type http from 'node:http';
import { HttpAuth, peerOf, type HttpAuthOptions } from './auth.js';
import { errorReply, HttpError, sendError, sendJson } from './errors.js';
import { matchRoute, type RoutePattern } from './router.js';

/** What a route's handler gets. */
export interface RouteInput {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  identity: Identity;
}

export interface Route extends RoutePattern {
  /**
   * The gRPC method this route is ("/mo.v1.Scheduler/StopScheduledWorkload"): its access rule
   * (METHOD_RULES), rate class and audit plan are this route's.
   */
  rpc: string;
  /** The request message, built from the path, query and body and checked (throws naming the field). */
  request(input: RouteInput): Promise<object> | object;
  /**
   * Answers with a response message of type `responseType` (a unary route), or returns undefined
   * after taking the response over (a stream: it sends its own headers and errors).
   */
  respond(message: never, input: RouteInput): Promise<object | undefined> | object | undefined;
  responseType?: string;
  /** Another method by the query (POST /api/v1/jobs?plan=1 is PlanJob): its rule, audit and response type. */
  variant?(query: URLSearchParams): { rpc: string; responseType: string } | undefined;
}

/** Routes are typed per request message; the table holds them alike. */
export function route<Req extends object>(
  r: Omit<Route, 'request' | 'respond'> & {
    request(input: RouteInput): Promise<Req> | Req;
    respond(message: Req, input: RouteInput): Promise<object | undefined> | object | undefined;
  },
): Route {
  return r as Route;
}

export interface HttpApiCoreOptions extends HttpAuthOptions {
  routes: readonly Route[];
  audit?: { log: AuditLog; strict?: boolean } | undefined;
  /** Told of every call's end (a metric), by the gRPC method's name. */
  onRequest?: (method: string, code: string) => void;
}

const PREFIX = '/api/v1';

/**
 * A browser sends a client certificate it holds to any page's cross-site request, and may send a
 * POST without asking first: a change whose Origin is another site is refused (403), so a page
 * elsewhere cannot act with the certificate of whoever opens it. Browsers send Origin on every
 * POST and DELETE; curl and scripts send none and are not affected.
 */
function refuseCrossOrigin(req: http.IncomingMessage): void {
  const origin = req.headers.origin;
  if (req.method === 'GET' || origin === undefined) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    host = '';
  }
  if (host !== req.headers.host) {
    throw new MoError(
      grpc.status.PERMISSION_DENIED,
      `cross-origin ${req.method} refused: Origin ${JSON.stringify(origin.slice(0, 128))} is not this scheduler (${req.headers.host ?? 'no Host'})`,
    );
  }
}

export class HttpApi {
  readonly prefix = '/api/';
  private readonly auth: HttpAuth;

  constructor(private readonly o: HttpApiCoreOptions) {
    this.auth = new HttpAuth(o);
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://api');
    const found = matchRoute(this.o.routes, req.method ?? 'GET', url.pathname);
    if ('notFound' in found) {
      const why = url.pathname.startsWith(`${PREFIX}/`) ? 'no such resource' : `the API lives under ${PREFIX}/`;
      sendError(res, new HttpError(404, grpc.status.NOT_FOUND, `${req.method} ${url.pathname}: ${why}`));
      return;
    }
    if ('notAllowed' in found) {
      const allow = found.allow.join(', ');
      sendError(
        res,
        new HttpError(405, grpc.status.UNIMPLEMENTED, `${url.pathname} takes ${allow}, not ${req.method}`, {
          Allow: allow,
        }),
      );
      return;
    }
    await this.run(found.route, req, res, found.params, url.searchParams);
  }

  private async run(
    route: Route,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    params: Record<string, string>,
    query: URLSearchParams,
  ): Promise<void> {
    const v = route.variant?.(query);
    const r: Route = v ? { ...route, ...v } : route;
    const method = r.rpc.slice(r.rpc.lastIndexOf('/') + 1);
    const remote = peerOf(req); // now: a socket may be gone by the end
    let audited: AuditedCall | undefined;
    let who = UNAUTHENTICATED_IDENTITY;
    const audit = (request?: unknown) => {
      if (this.o.audit) audited ??= auditCall(this.o.audit, { method: r.rpc, remote, identity: who, request });
      return audited;
    };
    const end = (code: string, message?: string) => {
      audit()?.end(code, message);
      this.o.onRequest?.(method, code);
    };
    try {
      refuseCrossOrigin(req);
      const identity = this.auth.admit(req, r.rpc, (proved) => {
        if (proved) who = describeIdentity(proved);
      });
      who = describeIdentity(identity);
      const input: RouteInput = { req, res, params, query, identity };
      const message = await r.request(input);
      if (audit(message)?.received() === false) {
        throw new MoError(grpc.status.UNAVAILABLE, AUDIT_UNAVAILABLE_MESSAGE);
      }
      const response = await (r.respond as (m: object, i: RouteInput) => Promise<object | undefined>)(message, input);
      if (response === undefined) {
        // A stream: it ends on its own; its admission is what the audit records.
        end('OK');
        return;
      }
      audit()?.response(response);
      end('OK');
      sendJson(res, 200, responseJson(r.responseType!, response));
    } catch (err) {
      const reply = errorReply(err);
      const se = toServiceError(err);
      end(statusName(se.code ?? grpc.status.UNKNOWN), reply.body.message);
      if (res.headersSent) res.destroy();
      else sendJson(res, reply.status, JSON.stringify(reply.body), reply.headers);
    }
  }
}
