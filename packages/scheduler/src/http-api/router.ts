// The HTTP API's routes: a method and a path pattern (`/api/v1/workloads/:id/stop`) each, and the
// pure matcher that picks one, or says why none: no such path (404) or not that method (405, with
// the methods the path takes).
export interface RouteMatch<R> {
  route: R;
  /** The pattern's `:name` segments, URL-decoded. */
  params: Record<string, string>;
}

export type RouteLookup<R> = RouteMatch<R> | { notFound: true } | { notAllowed: true; allow: string[] };

export interface RoutePattern {
  method: string;
  path: string;
}

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) {
      if (g === '') return undefined;
      let value: string;
      try {
        value = decodeURIComponent(g);
      } catch {
        return undefined; // malformed %-escape: no route has such a path
      }
      params[w.slice(1)] = value;
    } else if (w !== g) {
      return undefined;
    }
  }
  return params;
}

/** The route for `method` and `path` (no query; a trailing slash is ignored). */
export function matchRoute<R extends RoutePattern>(routes: readonly R[], method: string, path: string): RouteLookup<R> {
  const p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const allow = new Set<string>();
  for (const route of routes) {
    const params = matchPath(route.path, p);
    if (!params) continue;
    if (route.method === method) return { route, params };
    allow.add(route.method);
  }
  if (allow.size === 0) return { notFound: true };
  return { notAllowed: true, allow: [...allow].sort() };
}
