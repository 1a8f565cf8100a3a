// Every call the dashboard makes to the scheduler's /api/v1, in one place, so the contract can be
// adapted here alone. Errors arrive as {"code":"PERMISSION_DENIED","message":"…"}.
import { ApiError } from './errors.js';
import type {
  Access,
  ClusterStatus,
  FollowLogsOptions,
  LogSource,
  Deployment,
  Job,
  JobVersionInfo,
  Node,
  Page,
  Pipeline,
  ScheduledWorkload,
} from './types.js';

export { ApiError };

const BASE = '/api/v1';

export interface ListQuery {
  pageSize?: number;
  pageToken?: string;
  state?: string;
  name?: string;
  nodeId?: string;
}

function query(q: ListQuery): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    // The list requests' field is `states` (repeated); the pages filter by one.
    if (v !== undefined && v !== '') params.set(k === 'state' ? 'states' : k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** An error response as an ApiError: its JSON {code, message}, or the raw text (a proxy's page). */
function apiError(status: number, text: string): ApiError {
  try {
    const e = JSON.parse(text) as { code?: string; message?: string };
    return new ApiError(status, e.code ?? `HTTP_${status}`, e.message ?? text);
  } catch {
    return new ApiError(status, `HTTP_${status}`, text);
  }
}

export class Api {
  constructor(private readonly token: string) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, ...extra };
  }

  private async call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const res = await fetch(BASE + path, {
      method,
      headers: this.headers(body === undefined ? {} : { 'content-type': 'application/json' }),
      body: body === undefined ? null : JSON.stringify(body),
      signal: signal ?? null,
    });
    const text = await res.text();
    if (!res.ok) throw apiError(res.status, text || res.statusText);
    return (text ? JSON.parse(text) : {}) as T;
  }

  cluster(signal?: AbortSignal): Promise<ClusterStatus> {
    return this.call('GET', '/cluster', undefined, signal);
  }

  async workloads(q: ListQuery, signal?: AbortSignal): Promise<Page<ScheduledWorkload>> {
    const r = await this.call<{ workloads?: ScheduledWorkload[]; total?: number; nextPageToken?: string }>(
      'GET',
      `/workloads${query(q)}`,
      undefined,
      signal,
    );
    return { items: r.workloads ?? [], total: r.total, nextPageToken: r.nextPageToken ?? '' };
  }

  workload(id: string, signal?: AbortSignal): Promise<ScheduledWorkload> {
    return this.call('GET', `/workloads/${encodeURIComponent(id)}`, undefined, signal);
  }

  stopWorkload(id: string): Promise<unknown> {
    return this.call('POST', `/workloads/${encodeURIComponent(id)}/stop`, {});
  }

  async nodes(q: ListQuery, signal?: AbortSignal): Promise<Page<Node>> {
    const r = await this.call<{ nodes?: Node[]; nextPageToken?: string }>(
      'GET',
      `/nodes${query(q)}`,
      undefined,
      signal,
    );
    return { items: r.nodes ?? [], nextPageToken: r.nextPageToken ?? '' };
  }

  node(id: string, signal?: AbortSignal): Promise<Node> {
    return this.call('GET', `/nodes/${encodeURIComponent(id)}`, undefined, signal);
  }

  async pipelines(q: ListQuery, signal?: AbortSignal): Promise<Page<Pipeline>> {
    const r = await this.call<{ pipelines?: Pipeline[]; total?: number; nextPageToken?: string }>(
      'GET',
      `/pipelines${query(q)}`,
      undefined,
      signal,
    );
    return { items: r.pipelines ?? [], total: r.total, nextPageToken: r.nextPageToken ?? '' };
  }

  pipeline(id: string, signal?: AbortSignal): Promise<Pipeline> {
    return this.call('GET', `/pipelines/${encodeURIComponent(id)}`, undefined, signal);
  }

  /** Approve or reject a step awaiting approval (the body is ApproveStepRequest's fields). */
  decideStep(pipelineId: string, stepId: string, approve: boolean, reason = ''): Promise<unknown> {
    const verb = approve ? 'approve' : 'reject';
    const step = `/pipelines/${encodeURIComponent(pipelineId)}/steps/${encodeURIComponent(stepId)}`;
    return this.call('POST', `${step}/${verb}`, { reason });
  }

  cancelPipeline(pipelineId: string, reason = ''): Promise<unknown> {
    return this.call('POST', `/pipelines/${encodeURIComponent(pipelineId)}/cancel`, { reason });
  }

  async jobs(q: ListQuery, signal?: AbortSignal): Promise<Page<Job>> {
    const r = await this.call<{ jobs?: Job[]; nextPageToken?: string }>('GET', `/jobs${query(q)}`, undefined, signal);
    return { items: r.jobs ?? [], nextPageToken: r.nextPageToken ?? '' };
  }

  job(name: string, signal?: AbortSignal): Promise<Job> {
    return this.call('GET', `/jobs/${encodeURIComponent(name)}`, undefined, signal);
  }

  jobHistory(name: string, signal?: AbortSignal): Promise<{ versions?: JobVersionInfo[]; deployments?: Deployment[] }> {
    return this.call('GET', `/jobs/${encodeURIComponent(name)}/history`, undefined, signal);
  }

  scaleJob(name: string, count: number): Promise<unknown> {
    return this.call('POST', `/jobs/${encodeURIComponent(name)}/scale`, { count });
  }

  revertJob(name: string, version: number): Promise<unknown> {
    return this.call('POST', `/jobs/${encodeURIComponent(name)}/revert`, { version });
  }

  /** Drains a node (`cancel`: ends the drain, eligible again); deadlineMs 0 is the default 1 h. */
  drainNode(node: string, body: { deadlineMs?: number; force?: boolean; cancel?: boolean }): Promise<unknown> {
    return this.call('POST', `/nodes/${encodeURIComponent(node)}/drain`, body);
  }

  setNodeEligibility(node: string, eligible: boolean): Promise<unknown> {
    return this.call('POST', `/nodes/${encodeURIComponent(node)}/eligibility`, { eligible });
  }

  stopJob(name: string): Promise<unknown> {
    return this.call('POST', `/jobs/${encodeURIComponent(name)}/stop`, {});
  }

  /**
   * The token's access (`GET /api/v1/whoami`), to show only the actions it may take (the server
   * decides each call either way); a refused token rejects with its ApiError.
   */
  async access(signal?: AbortSignal): Promise<Access> {
    const r = await this.call<{ access?: string }>('GET', '/whoami', undefined, signal);
    const a = (r.access ?? '').toLowerCase().replace(/^access_level_/, '');
    return a === 'admin' || a === 'operate' ? a : 'read';
  }

  /** Opens the live event stream (SSE); events.ts reads it. */
  events(lastEventId: string, signal: AbortSignal): Promise<Response> {
    const headers = this.headers({ accept: 'text/event-stream' });
    if (lastEventId) headers['last-event-id'] = lastEventId;
    return fetch(`${BASE}/events`, { headers, signal, cache: 'no-store' });
  }

  /**
   * Follows a workload's or a step's logs (`follow=true`), calling onText with decoded text. Resolves
   * when the stream ends normally (the workload ended); throws ApiError for an error answer, and
   * fetch's TypeError when the connection breaks (the server ends a failed stream without the
   * chunked body's end). Takes NDJSON of LogChunk ({stream, data: base64}) when the server labels
   * it so, else raw text.
   */
  async followLogs(
    source: LogSource,
    onText: (text: string) => void,
    signal: AbortSignal,
    options: FollowLogsOptions = {},
  ): Promise<void> {
    const path =
      'workloadId' in source
        ? `/workloads/${encodeURIComponent(source.workloadId)}/logs`
        : `/pipelines/${encodeURIComponent(source.pipelineId)}/steps/${encodeURIComponent(source.stepId)}/logs`;
    const q = new URLSearchParams({ follow: 'true' });
    if (options.tailLines) q.set('tailLines', String(options.tailLines));
    const res = await fetch(`${BASE}${path}?${q}`, { headers: this.headers(), signal, cache: 'no-store' });
    if (!res.ok || !res.body) throw apiError(res.status, await res.text());
    options.onOpen?.();
    const ndjson = (res.headers.get('content-type') ?? '').includes('ndjson');
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    let pending = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const text = decoder.decode(value, { stream: true });
      if (!ndjson) {
        if (text) onText(text);
        continue;
      }
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        const chunk = JSON.parse(line) as { data?: string };
        const bytes = Uint8Array.from(atob(chunk.data ?? ''), (c) => c.charCodeAt(0));
        onText(new TextDecoder().decode(bytes));
      }
    }
    const rest = decoder.decode();
    if (rest && !ndjson) onText(rest);
  }
}
