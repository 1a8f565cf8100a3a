// Every call the dashboard makes to the scheduler's /api/v1, in one place, so the contract can be
// adapted here alone. Errors arrive as {"code":"PERMISSION_DENIED","message":"…"}.
import type { Access, ClusterStatus, Node, Page, Pipeline, ScheduledWorkload } from './types.js';

const BASE = '/api/v1';

/** Thrown when the API answers with an error status; code is the gRPC-style code name. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

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
    if (!res.ok) {
      let code = `HTTP_${res.status}`;
      let message = text || res.statusText;
      try {
        const e = JSON.parse(text) as { code?: string; message?: string };
        code = e.code ?? code;
        message = e.message ?? message;
      } catch {
        // not JSON (a proxy's page): keep the raw text
      }
      throw new ApiError(res.status, code, message);
    }
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
   * Follows a workload's logs, calling onText with decoded text until the stream ends. Takes
   * NDJSON of LogChunk ({stream, data: base64}) when the server labels it so, else raw text.
   */
  async followLogs(id: string, onText: (text: string) => void, signal: AbortSignal): Promise<void> {
    const res = await fetch(`${BASE}/workloads/${encodeURIComponent(id)}/logs?follow=true`, {
      headers: this.headers(),
      signal,
    });
    if (!res.ok || !res.body) throw new ApiError(res.status, `HTTP_${res.status}`, await res.text());
    const ndjson = (res.headers.get('content-type') ?? '').includes('ndjson');
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    let pending = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const text = decoder.decode(value, { stream: true });
      if (!ndjson) {
        onText(text);
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
  }
}
