// Workloads: a filtered, paged list (the server filters and pages, so 1,000 workloads cost one
// page), and a workload's detail with its events, ports, exit, earlier allocations and live logs.
import { useState } from 'preact/hooks';
import { exitText, time } from '../format.js';
import { LogViewer } from '../logs.js';
import { ms, type ScheduledWorkload } from '../types.js';
import { ErrorBox, Pager, Section, State, canOperate, html, useApp, useLoad, usePager } from '../ui.js';
import { Health } from './jobs.js';

const PAGE_SIZE = 50;
const STATES = ['PENDING', 'STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'STOPPED', 'LOST', 'UNKNOWN'];
/** States in which a workload may still write logs (UNKNOWN: its agent is out of touch, for now). */
const ACTIVE = ['PENDING', 'STARTING', 'RUNNING', 'UNKNOWN'];

export function WorkloadTable({ items }: { items: ScheduledWorkload[] }) {
  return html`<table>
    <thead>
      <tr>
        <th scope="col">Name</th>
        <th scope="col">State</th>
        <th scope="col">Node</th>
        <th scope="col">Reason</th>
        <th scope="col">Updated</th>
      </tr>
    </thead>
    <tbody>
      ${items.map(
        (w) =>
          html`<tr key=${w.id}>
            <td><a href=${`#/workloads/${encodeURIComponent(w.id)}`}>${w.spec?.name || w.id}</a></td>
            <td><${State} state=${w.state} /></td>
            <td>
              ${w.nodeId ? html`<a href=${`#/nodes/${encodeURIComponent(w.nodeId)}`}>${w.nodeName || w.nodeId}</a>` : '—'}
            </td>
            <td>${w.reason || ''}</td>
            <td>${time(w.updatedAtMs)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function Workloads({ query }: { query: URLSearchParams }) {
  const { api } = useApp();
  const [state, setState] = useState(query.get('state') ?? '');
  const [name, setName] = useState(query.get('name') ?? '');
  const pager = usePager();
  const list = useLoad(
    (s) => api.workloads({ state, name, pageSize: PAGE_SIZE, pageToken: pager.token }, s),
    [state, name, pager.token],
    ['workload'],
  );
  const onState = (e: Event): void => {
    setState((e.target as HTMLSelectElement).value);
    pager.reset();
  };
  const onName = (e: Event): void => {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).elements.namedItem('name') as HTMLInputElement;
    setName(input.value.trim());
    pager.reset();
  };
  return html`<div>
    <h1 tabindex="-1">Workloads</h1>
    <form class="filters" onSubmit=${onName}>
      <label
        >State
        <select name="state" value=${state} onChange=${onState}>
          <option value="">any</option>
          ${STATES.map((s) => html`<option value=${`WORKLOAD_STATE_${s}`}>${s.toLowerCase()}</option>`)}
        </select>
      </label>
      <label>Name <input name="name" type="search" value=${name} /></label>
      <button type="submit">Filter</button>
    </form>
    <${ErrorBox} error=${list.error} />
    <${WorkloadTable} items=${list.data?.items ?? []} />
    ${list.data && list.data.items.length === 0 && html`<p>No workloads match.</p>`}
    <${Pager} pager=${pager} nextToken=${list.data?.nextPageToken} total=${list.data?.total} />
  </div>`;
}

export function WorkloadDetail({ id }: { id: string }) {
  const { api, access } = useApp();
  const w = useLoad(
    (s) => api.workload(id, s),
    [id],
    ['workload'],
    (d) => d.id === id,
  );
  const [acting, setActing] = useState('');
  const stop = async (): Promise<void> => {
    setActing('stopping…');
    try {
      await api.stopWorkload(id);
      setActing('stop requested');
      w.reload();
    } catch (e) {
      setActing(`stop refused: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const d = w.data;
  const active = !!d && ACTIVE.some((s) => d.state?.endsWith(s));
  // A new allocation (a restart, a reschedule) writes a new log: the viewer follows it afresh.
  const logKey = d?.allocationId ?? '';
  return html`<div>
    <p><a href="#/workloads">← Workloads</a></p>
    <h1 tabindex="-1">Workload ${d?.spec?.name || id} ${d && html`<${State} state=${d.state} />`}</h1>
    <${ErrorBox} error=${w.error} />
    ${
      d &&
      html`<dl class="facts">
          <dt>Id</dt>
          <dd><code>${d.id}</code></dd>
          <dt>Command</dt>
          <dd><code>${(d.spec?.argv ?? []).join(' ')}</code></dd>
          <dt>Node</dt>
          <dd>
            ${d.nodeId ? html`<a href=${`#/nodes/${encodeURIComponent(d.nodeId)}`}>${d.nodeName || d.nodeId}</a>` : '—'}
          </dd>
          <dt>Reason</dt>
          <dd>${d.reason || '—'}</dd>
          <dt>Attempt</dt>
          <dd>${d.attempt ?? 0} (restarts left: ${d.restartsLeft ?? 0})</dd>
          <dt>Exit</dt>
          <dd>${exitText(d.exit)}</dd>
          <dt>Ports</dt>
          <dd>
            ${
              (d.ports ?? [])
                .map(
                  (p) =>
                    `${p.name ? `${p.name}: ` : ''}${p.hostIp || '0.0.0.0'}:${p.hostPort}` +
                    (p.containerPort ? ` → ${p.containerPort}` : ''),
                )
                .join(', ') || '—'
            }
          </dd>
          ${
            d.job &&
            html`<dt>Job</dt>
              <dd>
                <a href=${`#/jobs/${encodeURIComponent(d.job)}`}>${d.job}</a>[${d.jobIndex ?? 0}], version ${d.jobVersion ?? 0}
              </dd>`
          }
          <dt>Health</dt>
          <dd><${Health} health=${d.health} /></dd>
        </dl>
        ${
          (d.checks ?? []).length > 0 &&
          html`<${Section} title="Checks">
            <table>
              <thead>
                <tr>
                  <th scope="col">Check</th>
                  <th scope="col">Health</th>
                  <th scope="col">In a row</th>
                  <th scope="col">Last result</th>
                  <th scope="col">Checked</th>
                </tr>
              </thead>
              <tbody>
                ${(d.checks ?? []).map(
                  (c) =>
                    html`<tr key=${c.name}>
                      <td>${c.name}</td>
                      <td><${Health} health=${c.health} /></td>
                      <td>${(c.failures ?? 0) > 0 ? `${c.failures} failed` : `${c.successes ?? 0} passed`}</td>
                      <td>${c.detail || ''}</td>
                      <td>${time(c.checkedAtMs)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          <//>`
        }
        ${
          canOperate(access) &&
          active &&
          html`<p>
            <button type="button" class="danger" onClick=${stop}>Stop workload</button>
            <span aria-live="polite">${acting}</span>
          </p>`
        }
        <${Section} title="Events">
          <ol class="events">
            ${(d.events ?? []).map(
              (e, i) =>
                html`<li key=${i}><time>${time(e.atMs)}</time> <${State} state=${e.state} /> ${e.reason ?? ''}</li>`,
            )}
          </ol>
        <//>
        <${Section} title="Previous allocations">
          ${
            (d.previousAllocations ?? []).length === 0
              ? html`<p>None: this is its first allocation.</p>`
              : html`<table>
                  <thead>
                    <tr>
                      <th scope="col">Attempt</th>
                      <th scope="col">Node</th>
                      <th scope="col">Ended as</th>
                      <th scope="col">At</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${(d.previousAllocations ?? []).map(
                      (a) =>
                        html`<tr key=${a.allocationId}>
                          <td>${a.attempt}</td>
                          <td>${a.nodeName || a.nodeId}</td>
                          <td><${State} state=${a.state} /></td>
                          <td>${time(ms(a.endedAtMs))}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
          }
        <//>
        <${LogViewer}
          key=${logKey}
          source=${{ workloadId: id }}
          active=${active}
          label="workload logs"
        />`
    }
  </div>`;
}
