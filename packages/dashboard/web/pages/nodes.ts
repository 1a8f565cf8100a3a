// Nodes: a paged list and a node's detail with its bars, facts and the workloads placed on it.
import { bytes, time } from '../format.js';
import { ErrorBox, Pager, Section, State, html, useApp, useLoad, usePager } from '../ui.js';
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

export function NodeDetail({ id }: { id: string }) {
  const { api } = useApp();
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
        <${NodeBars} node=${n} />`
    }
    <${Section} title="Workloads on this node">
      <${ErrorBox} error=${work.error} />
      <${WorkloadTable} items=${work.data?.items ?? []} />
      <${Pager} pager=${pager} nextToken=${work.data?.nextPageToken} total=${work.data?.total} />
    <//>
  </div>`;
}
