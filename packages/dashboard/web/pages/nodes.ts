// Nodes: a paged list and a node's detail with its bars, facts, eligibility and drain (with drain
// and eligibility buttons for a token that may operate) and the workloads placed on it.
import { useState } from 'preact/hooks';
import { bytes, time } from '../format.js';
import type { Node } from '../types.js';
import { ErrorBox, Pager, Section, State, canOperate, html, useApp, useLoad, usePager } from '../ui.js';
import { NodeBars } from './overview.js';
import { WorkloadTable } from './workloads.js';

const PAGE_SIZE = 50;

export function Nodes() {
  const { api } = useApp();
  const pager = usePager();
  const list = useLoad((s) => api.nodes({ pageSize: PAGE_SIZE, pageToken: pager.token }, s), [pager.token], ['node']);
  return html`<div>
    <h1 tabindex="-1">Nodes</h1>
    <${ErrorBox} error=${list.error} />
    <table>
      <thead>
        <tr>
          <th scope="col">Node</th>
          <th scope="col">State</th>
          <th scope="col">Eligibility</th>
          <th scope="col">Address</th>
          <th scope="col">Running</th>
          <th scope="col">Last heartbeat</th>
        </tr>
      </thead>
      <tbody>
        ${(list.data?.items ?? []).map(
          (n) =>
            html`<tr key=${n.id}>
              <td><a href=${`#/nodes/${encodeURIComponent(n.id)}`}>${n.name || n.id}</a></td>
              <td><${State} state=${n.state} /></td>
              <td>${eligibilityOf(n)}</td>
              <td>${n.address}</td>
              <td>${n.workloadsRunning ?? 0}</td>
              <td>${time(n.lastHeartbeatMs)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <${Pager} pager=${pager} nextToken=${list.data?.nextPageToken} />
  </div>`;
}

/** eligible, ineligible, draining (what is left) or drained. */
export function eligibilityOf(n: Node): string {
  const d = n.drain;
  if (d?.state?.endsWith('DRAINED')) return 'drained';
  if (d?.state?.endsWith('DRAINING')) {
    const left = (d.servicesLeft ?? 0) + (d.batchLeft ?? 0) + (d.workloadsLeft ?? 0);
    return `draining (${left} left)`;
  }
  return n.eligible === false ? 'ineligible' : 'eligible';
}

/** Drain, cancel, and eligibility buttons: what an operate token may do with the node now. */
function NodeActions({ node, reload }: { node: Node; reload: () => void }) {
  const { api } = useApp();
  const [acting, setActing] = useState('');
  const act = (what: string, fn: () => Promise<unknown>) => async (): Promise<void> => {
    setActing(`${what}…`);
    try {
      await fn();
      setActing(`${what}: done`);
      reload();
    } catch (e) {
      setActing(`${what} refused: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const draining = !!node.drain?.state?.endsWith('DRAINING');
  return html`<p>
    ${
      draining
        ? html`<button type="button" onClick=${act('cancel drain', () => api.drainNode(node.id, { cancel: true }))}>
              Cancel drain
            </button>
            <button type="button" class="danger" onClick=${act('force', () => api.drainNode(node.id, { force: true }))}>
              Force drain
            </button>`
        : html`<button type="button" class="danger" onClick=${act('drain', () => api.drainNode(node.id, {}))}>
              Drain (1 h deadline)
            </button>`
    }
    ${
      !draining &&
      (node.eligible === false
        ? html`<button type="button" onClick=${act('make eligible', () => api.setNodeEligibility(node.id, true))}>
            Make eligible
          </button>`
        : html`<button type="button" onClick=${act('make ineligible', () => api.setNodeEligibility(node.id, false))}>
            Make ineligible
          </button>`)
    }
    <span aria-live="polite">${acting}</span>
  </p>`;
}

export function NodeDetail({ id }: { id: string }) {
  const { api, access } = useApp();
  const node = useLoad(
    (s) => api.node(id, s),
    [id],
    ['node'],
    (d) => d.id === id,
  );
  const pager = usePager();
  const work = useLoad(
    (s) => api.workloads({ nodeId: id, pageSize: PAGE_SIZE, pageToken: pager.token }, s),
    [id, pager.token],
    ['workload'],
    (d) => d.nodeId === id,
  );
  const n = node.data;
  return html`<div>
    <p><a href="#/nodes">← Nodes</a></p>
    <h1 tabindex="-1">Node ${n?.name || id} ${n && html`<${State} state=${n.state} />`}</h1>
    <${ErrorBox} error=${node.error} />
    ${
      n &&
      html`<dl class="facts">
          <dt>Id</dt>
          <dd><code>${n.id}</code></dd>
          <dt>Address</dt>
          <dd>${n.address || '—'}</dd>
          <dt>Eligible</dt>
          <dd>${n.eligible === false ? 'no' : 'yes'}${n.reason ? ` (${n.reason})` : ''}</dd>
          <dt>Drain</dt>
          <dd>
            ${
              n.drain
                ? `${eligibilityOf(n)}, started ${time(n.drain.startedAtMs)}, ` +
                  (n.drain.drainedAtMs ? `ended ${time(n.drain.drainedAtMs)}` : `deadline ${time(n.drain.deadlineMs)}`)
                : '—'
            }
          </dd>
          <dt>Host</dt>
          <dd>
            ${n.facts ? `${n.facts.os ?? ''} ${n.facts.arch ?? ''}, ${n.facts.cpuCores ?? 0} cores, ${bytes(n.facts.memoryTotalBytes)}` : '—'}
          </dd>
          <dt>Agent</dt>
          <dd>${n.facts?.agentVersion || '—'}</dd>
          <dt>Labels</dt>
          <dd>
            ${
              Object.entries(n.labels ?? {})
                .map(([k, v]) => `${k}=${v}`)
                .join(', ') || '—'
            }
          </dd>
          <dt>Last heartbeat</dt>
          <dd>${time(n.lastHeartbeatMs)}</dd>
        </dl>
        <${NodeBars} node=${n} />
        ${canOperate(access) && html`<${NodeActions} node=${n} reload=${node.reload} />`}`
    }
    <${Section} title="Workloads on this node">
      <${ErrorBox} error=${work.error} />
      <${WorkloadTable} items=${work.data?.items ?? []} />
      <${Pager} pager=${pager} nextToken=${work.data?.nextPageToken} total=${work.data?.total} />
    <//>
  </div>`;
}
