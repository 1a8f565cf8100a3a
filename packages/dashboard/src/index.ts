/**
 * @mo/dashboard: mo's web dashboard. The browser half (web/, preact + htm, dagre) is built by
 * esbuild into dist/web at `pnpm build`; this module is the server half, which serves it.
 *
 * ```ts
 * import { dashboardHandler } from '@mo/dashboard';
 * http.createServer((req, res) => {
 *   if (dashboardHandler(req, res)) return; // `/` and `/assets/*`
 *   // ... /api/v1, /metrics, /healthz
 * });
 * ```
 *
 * Exports: `dashboardHandler` (the built dashboard, loaded on first use), `createDashboardHandler`
 * (options: another asset dir), `DASHBOARD_ASSET_DIR`, `CONTENT_SECURITY_POLICY`, and the SSE
 * parser the dashboard reads /api/v1/events with (`createSseParser`), useful to any Node client.
 */
export {
  CONTENT_SECURITY_POLICY,
  DASHBOARD_ASSET_DIR,
  acceptsGzip,
  createDashboardHandler,
  dashboardHandler,
  type DashboardHandler,
  type DashboardOptions,
} from './handler.js';
export { createSseParser, type SseMessage, type SseParser } from './sse.js';
