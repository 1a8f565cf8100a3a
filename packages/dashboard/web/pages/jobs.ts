// Jobs (issue 17): the list of services and batch jobs, and a job's detail: its deployment's
// progress (desired / placed / healthy), its instances with their health and addresses, its
// versions, and scale / revert / stop for a token that may operate. Live: refetched on job and
// workload events.
import { fraction, time } from '../format.js';
import type { Job, JobInstance, PortMapping } from '../types.js';
import { Bar, ErrorBox, Pager, Section, State, canOperate, html, useAction, useApp, useLoad, usePager } from '../ui.js';

const PAGE_SIZE = 50;

/** A health, or a dash when there are no checks (HEALTH_UNSPECIFIED). */
export function Health({ health }: { health: string | undefined }) {
  if (!health || health.endsWith('UNSPECIFIED')) return html`<span class="meta">no checks</span>`;
  return html`<${State} state=${health} />`;
}

/** "http 10.0.0.2:3001" per named port (host ports of a docker port published by number too). */
export function addresses(host: string | undefined, ports: PortMapping[] | undefined): string {
  return (
    (ports ?? []).map((p) => `${p.name ? `${p.name} ` : ''}${host || p.hostIp || '?'}:${p.hostPort ?? 0}`).join(', ') ||
    '—'
  );
}

export function Jobs() {
  const { api } = useApp();
  const pager = usePager();
  const list = useLoad((s) => api.jobs({ pageSize: PAGE_SIZE, pageToken: pager.token }, s), [pager.token], ['job']);
  return html`<div>
    <h1 tabindex="-1">Jobs</h1>
    <${ErrorBox} error=${list.error} />
    <table>
      <thead>
        <tr>
          <th scope="col">Job</th>
          <th scope="col">Type</th>
          <th scope="col">Version</th>
          <th scope="col">Healthy / count</th>
          <th scope="col">Deployment</th>
          <th scope="col">Updated</th>
        </tr>
      </thead>
      <tbody>
        ${(list.data?.items ?? []).map(
          (j) =>
            html`<tr key=${j.name}>
              <td><a href=${`#/jobs/${encodeURIComponent(j.name)}`}>${j.name}</a></td>
              <td>${j.type ?? ''}${j.stopped ? ' (stopped)' : ''}</td>
              <td>${j.version ?? 0}</td>
              <td>${j.healthy ?? 0} / ${j.count ?? 0}</td>
              <td>${j.deployment ? html`<${State} state=${j.deployment.state} />` : '—'}</td>
              <td>${time(j.updatedAtMs)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${list.data && list.data.items.length === 0 && html`<p>No jobs yet. Run one with <code>mo run -f job.yaml</code>.</p>`}
    <${Pager} pager=${pager} nextToken=${list.data?.nextPageToken} />
  </div>`;
}

function Actions({ job, reload }: { job: Job; reload: () => void }) {
  const { api } = useApp();
  const { note, act } = useAction(reload);
  const scale = (e: Event): void => {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).elements.namedItem('count') as HTMLInputElement;
    const n = Number(input.value);
    void act(`scale to ${n}`, () => api.scaleJob(job.name, n));
  };
  return html`<div class="actions">
    ${
      job.type === 'service' &&
      html`<form class="filters" onSubmit=${scale}>
        <label>Count <input name="count" type="number" min="0" max="10000" value=${job.count ?? 0} /></label>
        <button type="submit">Scale</button>
      </form>`
    }
    ${
      !job.stopped &&
      html`<p>
        <button type="button" class="danger" onClick=${() => act('stop', () => api.stopJob(job.name))}>Stop job</button>
      </p>`
    }
    <p aria-live="polite">${note}</p>
  </div>`;
}

function Progress({ job }: { job: Job }) {
  const d = job.deployment;
  if (!d) return html`<p>No deployment yet.</p>`;
  const desired = d.desired ?? 0;
  const batch = job.type === 'batch';
  return html`<div>
    <p>
      Version ${d.version ?? 0}: <${State} state=${d.state} /> ${d.reason ? `— ${d.reason}` : ''}
      <span class="meta"> started ${time(d.startedAtMs)}${d.endedAtMs ? `, ended ${time(d.endedAtMs)}` : ''}</span>
    </p>
    <div class="bars">
      <${Bar} label="Placed" value=${fraction(d.placed ?? 0, desired)} text=${`${d.placed ?? 0} / ${desired}`} />
      <${Bar}
        label=${batch ? 'Succeeded' : 'Healthy'}
        value=${fraction((batch ? d.succeeded : d.healthy) ?? 0, desired)}
        text=${`${(batch ? d.succeeded : d.healthy) ?? 0} / ${desired}`}
      />
      ${(d.unhealthy ?? 0) > 0 && html`<p class="error">${d.unhealthy} unhealthy or failed</p>`}
    </div>
  </div>`;
}

function Instances({ items }: { items: JobInstance[] }) {
  return html`<table>
    <thead>
      <tr>
        <th scope="col">Index</th>
        <th scope="col">Workload</th>
        <th scope="col">Version</th>
        <th scope="col">State</th>
        <th scope="col">Health</th>
        <th scope="col">Node</th>
        <th scope="col">Address</th>
      </tr>
    </thead>
    <tbody>
      ${items.map(
        (i) =>
          html`<tr key=${i.workloadId}>
            <td>${i.index ?? 0}</td>
            <td><a href=${`#/workloads/${encodeURIComponent(i.workloadId)}`}>${i.workloadId.slice(0, 12)}</a></td>
            <td>${i.version ?? 0}</td>
            <td><${State} state=${i.state} /></td>
            <td><${Health} health=${i.health} /></td>
            <td>${i.nodeId ? html`<a href=${`#/nodes/${encodeURIComponent(i.nodeId)}`}>${i.nodeName || i.nodeId}</a>` : '—'}</td>
            <td>${addresses(i.host, i.ports)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function History({ job, reload }: { job: Job; reload: () => void }) {
  const { api, access } = useApp();
  const h = useLoad((s) => api.jobHistory(job.name, s), [job.name, job.version, job.deployment?.state], []);
  const { note, act } = useAction(reload);
  const revert = (version: number) => act(`revert to ${version}`, () => api.revertJob(job.name, version));
  const deployments = h.data?.deployments ?? [];
  return html`<div>
    <${ErrorBox} error=${h.error} />
    <table>
      <thead>
        <tr>
          <th scope="col">Version</th>
          <th scope="col">Submitted</th>
          <th scope="col">Last deployment</th>
          <th scope="col">Changes</th>
          ${canOperate(access) && html`<th scope="col">Action</th>`}
        </tr>
      </thead>
      <tbody>
        ${(h.data?.versions ?? []).map((v) => {
          const d = deployments.find((x) => x.version === v.version);
          const changes = (v.changes ?? []).map((c) => c.path).join(', ');
          return html`<tr key=${v.version}>
            <td>${v.version}${v.version === job.version ? ' (current)' : ''}</td>
            <td>${time(v.submittedAtMs)}</td>
            <td>${d ? html`<${State} state=${d.state} />` : '—'}</td>
            <td>${changes || '—'}</td>
            ${
              canOperate(access) &&
              html`<td>
                ${
                  v.version !== job.version &&
                  html`<button type="button" onClick=${() => revert(v.version ?? 0)}>Revert to ${v.version}</button>`
                }
              </td>`
            }
          </tr>`;
        })}
      </tbody>
    </table>
    <p aria-live="polite">${note}</p>
  </div>`;
}

function summary(job: Job): string {
  const counts = `${job.running ?? 0} running, ${job.healthy ?? 0} healthy, ${job.pending ?? 0} pending`;
  return `${job.type} · version ${job.version ?? 0} · count ${job.count ?? 0} · ${counts}${job.stopped ? ' · stopped' : ''}`;
}

export function JobDetail({ name }: { name: string }) {
  const { api, access } = useApp();
  // Instances change with their workloads (state, health), the job with its own events.
  const j = useLoad((s) => api.job(name, s), [name], ['job', 'workload']);
  const job = j.data;
  return html`<div>
    <p><a href="#/jobs">← Jobs</a></p>
    <h1 tabindex="-1">Job ${name}</h1>
    <${ErrorBox} error=${j.error} />
    ${
      job &&
      html`<p>${summary(job)}</p>
        ${canOperate(access) && html`<${Actions} job=${job} reload=${j.reload} />`}
        <${Section} title="Deployment"><${Progress} job=${job} /><//>
        <${Section} title="Instances">
          <${Instances} items=${job.instances ?? []} />
          ${(job.instances ?? []).length === 0 && html`<p>No instances.</p>`}
        <//>
        <${Section} title="Versions"><${History} job=${job} reload=${j.reload} /><//>`
    }
  </div>`;
}
