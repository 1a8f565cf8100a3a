// Serves the built dashboard (index.html and its hashed assets) from memory. The file set is read
// once at construction and looked up by exact name, so no request path ever reaches the file
// system: there is nothing to traverse.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gzipSync } from 'node:zlib';

/** Where `pnpm build` puts the static files: dist/web beside this module's dist/. */
export const DASHBOARD_ASSET_DIR = join(dirname(fileURLToPath(import.meta.url)), 'web');

/**
 * Scripts, styles and API calls from this origin only; no inline code, no frames, no plugins.
 * `data:` images are the empty favicon. Style attributes set through the CSSOM (bar widths) are
 * not inline styles in CSP's sense, so 'unsafe-inline' is not needed.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
};

/** Assets carry a content hash in their name (esbuild's [hash]), so they never change under a URL. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current assets: always revalidated. */
const REVALIDATE = 'no-cache';

export interface DashboardOptions {
  /** The built files; default DASHBOARD_ASSET_DIR. */
  readonly assetDir?: string;
}

/** Handles the request and returns true when the path is the dashboard's; false: not ours. */
export type DashboardHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

interface Asset {
  readonly body: Buffer;
  /** The body gzipped once at load (the script shrinks ~3×), when that is smaller. */
  readonly gzip?: Buffer;
  readonly type: string;
  readonly etag: string;
  readonly cache: string;
}

function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const add = (urlPath: string, file: string, cache: string): void => {
    const ext = file.slice(file.lastIndexOf('.'));
    const type = CONTENT_TYPES[ext];
    if (!type) return; // only the kinds we know how to label are served
    const body = readFileSync(file);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    const gzip = gzipSync(body, { level: constants.Z_BEST_COMPRESSION });
    assets.set(urlPath, { body, type, etag, cache, ...(gzip.length < body.length ? { gzip } : {}) });
  };
  add('/', join(dir, 'index.html'), REVALIDATE);
  const assetDir = join(dir, 'assets');
  for (const name of readdirSync(assetDir)) {
    if (statSync(join(assetDir, name)).isFile()) add(`/assets/${name}`, join(assetDir, name), IMMUTABLE);
  }
  return assets;
}

/** Whether Accept-Encoding allows gzip (`gzip;q=0` refuses it). */
export function acceptsGzip(req: IncomingMessage): boolean {
  const header = req.headers['accept-encoding'];
  if (typeof header !== 'string') return false;
  return header.split(',').some((part) => {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (name !== 'gzip' && name !== '*') return false;
    const q = params.map((x) => x.trim()).find((x) => x.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/**
 * A handler for the dashboard's paths: `/` (index.html) and `/assets/*`. Other paths (the API,
 * /metrics, /healthz) return false and are left to the caller. Throws at construction when the
 * dashboard was not built (no index.html), so a broken package fails at start, not per request.
 */
export function createDashboardHandler(options: DashboardOptions = {}): DashboardHandler {
  const assets = loadAssets(options.assetDir ?? DASHBOARD_ASSET_DIR);
  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    if (path !== '/' && path !== '/index.html' && !path.startsWith('/assets/')) return false;
    const asset = assets.get(path === '/index.html' ? '/' : path);
    const headers: Record<string, string> = {
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('method not allowed\n');
      return true;
    }
    if (!asset) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end('not found\n');
      return true;
    }
    Object.assign(headers, { etag: asset.etag, 'cache-control': asset.cache, 'content-type': asset.type });
    if (asset.gzip) headers.vary = 'Accept-Encoding';
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    const body = asset.gzip && acceptsGzip(req) ? asset.gzip : asset.body;
    if (body !== asset.body) headers['content-encoding'] = 'gzip';
    res.writeHead(200, { ...headers, 'content-length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}

let shared: DashboardHandler | undefined;

/** The built-in dashboard, loaded on first use: `if (dashboardHandler(req, res)) return;`. */
export function dashboardHandler(req: IncomingMessage, res: ServerResponse): boolean {
  shared ??= createDashboardHandler();
  return shared(req, res);
}
