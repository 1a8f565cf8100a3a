// Cluster overview: every node's CPU and memory (reserved by mo vs measured on the host), workload
// counts by state, and the pending queue with why each workload waits.
import { bytes, cpu, fraction } from '../format.js';
import { ms, type Node } from '../types.js';
import { Bar, ErrorBox, Pager, Section, State, html, useApp, useLoad, usePager } from '../ui.js';

const QUEUE_PAGE = 20;
/** Node cards on the overview; the Nodes page pages through the rest. */
const OVERVIEW_NODES = 100;

// Lines built in code: htm drops whitespace around line breaks, so words split over lines join.
const summary = (version: string | undefined, nodes: number, queue: number): string =>
  `Scheduler ${version || '—'} · ${nodes} nodes · queue depth ${queue}`;

const nodeLine = (n: Node): string =>
  [`${n.workloadsRunning ?? 0} running`, n.eligible === false ? 'not eligible' : '', n.reason ?? '']
    .filter(Boolean)
    .join(' · ');

/** workloadCounts are keyed "running"; the list filter takes the enum name. */
const workloadState = (name: string): string =>
  name.startsWith('WORKLOAD_STATE_') ? name : `WORKLOAD_STATE_${name.toUpperCase()}`;

export function NodeBars({ node }: { node: Node }) {
  const capCpu = node.capacity?.cpuMillis ?? 0;
  const capMem = ms(node.capacity?.memoryBytes);
  const resCpu = node.reserved?.cpuMillis ?? 0;
  const resMem = ms(node.reserved?.memoryBytes);
  const util = node.metrics?.cpuUtilization ?? 0;
  const memTotal = ms(node.metrics?.memoryTotalBytes);
  const memUsed = memTotal - ms(node.metrics?.memoryAvailableBytes);
  return html`<div class="bars">
    <${Bar} label="CPU reserved" value=${fraction(resCpu, capCpu)} text=${`${cpu(resCpu)} of ${cpu(capCpu)}`} />
    <${Bar} label="CPU measured" value=${util} text=${`${Math.round(util * 100)}%`} />
    <${Bar} label="Memory reserved" value=${fraction(resMem, capMem)} text=${`${bytes(resMem)} of ${bytes(capMem)}`} />
    <${Bar}
      label="Memory measured"
      value=${fraction(memUsed, memTotal)}
      text=${memTotal ? `${bytes(memUsed)} of ${bytes(memTotal)}` : 'no sample'}
    />
  </div>`;
}

export function Overview() {
  const { api } = useApp();
  const status = useLoad((s) => api.cluster(s), [], ['node', 'workload']);
  const pager = usePager();
  const queue = useLoad(
    (s) => api.workloads({ state: 'WORKLOAD_STATE_PENDING', pageSize: QUEUE_PAGE, pageToken: pager.token }, s),
    [pager.token],
    ['workload'],
  );
  const c = status.data;
  const counts = Object.entries(c?.workloadCounts ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const nodes = (c?.nodes ?? []).slice(0, OVERVIEW_NODES);
  return html`<div>
    <h1 tabindex="-1">Cluster</h1>
    <${ErrorBox} error=${status.error} />
    ${c && html`<p class="meta">${summary(c.schedulerVersion, c.nodesTotal ?? nodes.length, c.queueDepth ?? 0)}</p>`}
    <${Section} title="Workloads by state">
      <ul class="counts">
        ${counts.map(
          ([state, n]) =>
            html`<li key=${state}>
              <a href=${`#/workloads?state=${encodeURIComponent(workloadState(state))}`}
                ><${State} state=${state} /> <strong>${n}</strong></a
              >
            </li>`,
        )}
        ${counts.length === 0 && html`<li>No workloads yet.</li>`}
      </ul>
    <//>
    <${Section} title="Nodes">
      <div class="cards">
        ${nodes.map(
          (n) =>
            html`<article class="card" key=${n.id}>
              <h3>
                <a href=${`#/nodes/${encodeURIComponent(n.id)}`}>${n.name || n.id}</a> <${State} state=${n.state} />
              </h3>
              <p class="meta">${nodeLine(n)}</p>
              <${NodeBars} node=${n} />
            </article>`,
        )}
      </div>
      ${(c?.nodesTotal ?? 0) > nodes.length && html`<p><a href="#/nodes">All ${c?.nodesTotal} nodes</a></p>`}
    <//>
    <${Section} title="Pending queue">
      <${ErrorBox} error=${queue.error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Workload</th>
            <th scope="col">Waiting because</th>
            <th scope="col">Since</th>
          </tr>
        </thead>
        <tbody>
          ${(queue.data?.items ?? []).map(
            (w) =>
              html`<tr key=${w.id}>
                <td><a href=${`#/workloads/${encodeURIComponent(w.id)}`}>${w.spec?.name || w.id}</a></td>
                <td>${w.reason || '—'}</td>
                <td>${new Date(ms(w.createdAtMs)).toLocaleTimeString()}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      ${queue.data && queue.data.items.length === 0 && html`<p>Nothing is waiting.</p>`}
      <${Pager} pager=${pager} nextToken=${queue.data?.nextPageToken} total=${queue.data?.total} />
    <//>
  </div>`;
}
