// Pipelines: a paged list and a pipeline's detail: its DAG (live: refetched on pipeline events),
// its steps, the compensation record, and approve / reject / cancel for a token that may operate.
import { useState } from 'preact/hooks';
import { PipelineGraph } from '../dag.js';
import { exitText, time } from '../format.js';
import type { Pipeline } from '../types.js';
import { ErrorBox, Pager, Section, State, canOperate, html, useApp, useLoad, usePager } from '../ui.js';

const PAGE_SIZE = 50;
const FINISHED = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

export function Pipelines() {
  const { api } = useApp();
  const pager = usePager();
  const list = useLoad(
    (s) => api.pipelines({ pageSize: PAGE_SIZE, pageToken: pager.token }, s),
    [pager.token],
    ['pipeline', 'workload'],
    (d) => (d.spec as { labels?: Record<string, string> } | undefined)?.labels?.['mo.pipeline'] !== undefined,
  );
  return html`<div>
    <h1 tabindex="-1">Pipelines</h1>
    <${ErrorBox} error=${list.error} />
    <table>
      <thead>
        <tr>
          <th scope="col">Pipeline</th>
          <th scope="col">State</th>
          <th scope="col">Steps</th>
          <th scope="col">Updated</th>
        </tr>
      </thead>
      <tbody>
        ${(list.data?.items ?? []).map(
          (p) =>
            html`<tr key=${p.id}>
              <td><a href=${`#/pipelines/${encodeURIComponent(p.id)}`}>${p.name || p.id}</a></td>
              <td><${State} state=${p.state} /></td>
              <td>${(p.steps ?? []).length}</td>
              <td>${time(p.updatedAtMs)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${list.data && list.data.items.length === 0 && html`<p>No pipelines yet.</p>`}
    <${Pager} pager=${pager} nextToken=${list.data?.nextPageToken} total=${list.data?.total} />
  </div>`;
}

function Actions({ p, reload }: { p: Pipeline; reload: () => void }) {
  const { api } = useApp();
  const [note, setNote] = useState('');
  const act = async (what: string, call: () => Promise<unknown>): Promise<void> => {
    setNote(`${what}…`);
    try {
      await call();
      setNote(`${what}: done`);
      reload();
    } catch (e) {
      setNote(`${what} refused: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const gates = (p.steps ?? []).filter((s) => s.state?.endsWith('AWAITING_APPROVAL'));
  const finished = FINISHED.some((s) => p.state?.endsWith(s));
  return html`<div class="actions">
    ${gates.map(
      (s) =>
        html`<p key=${s.id}>
          Step <strong>${s.id}</strong> awaits approval:
          <button type="button" onClick=${() => act(`approve ${s.id}`, () => api.decideStep(p.id, s.id, true))}>
            Approve ${s.id}
          </button>
          <button
            type="button"
            class="danger"
            onClick=${() => act(`reject ${s.id}`, () => api.decideStep(p.id, s.id, false))}
          >
            Reject ${s.id}
          </button>
        </p>`,
    )}
    ${
      !finished &&
      html`<p>
        <button type="button" class="danger" onClick=${() => act('cancel', () => api.cancelPipeline(p.id))}>
          Cancel pipeline
        </button>
      </p>`
    }
    <p aria-live="polite">${note}</p>
  </div>`;
}

export function PipelineDetail({ id }: { id: string }) {
  const { api, access } = useApp();
  const pl = useLoad(
    (s) => api.pipeline(id, s),
    [id],
    // A step is a workload labelled with its pipeline: its changes move the graph too (the
    // scheduler streams pipeline events apart from workload ones).
    ['pipeline', 'workload'],
    (d) => d.id === id || (d.spec as { labels?: Record<string, string> } | undefined)?.labels?.['mo.pipeline'] === id,
  );
  const p = pl.data;
  return html`<div>
    <p><a href="#/pipelines">← Pipelines</a></p>
    <h1 tabindex="-1">Pipeline ${p?.name || id} ${p && html`<${State} state=${p.state} />`}</h1>
    <${ErrorBox} error=${pl.error} />
    ${
      p &&
      html`${p.reason && html`<p>${p.reason}</p>`}
        ${canOperate(access) && html`<${Actions} p=${p} reload=${pl.reload} />`}
        <${Section} title="Graph"
          ><div class="dag-wrap"><${PipelineGraph} steps=${p.steps ?? []} /></div
        ><//>
        <${Section} title="Steps">
          <table>
            <thead>
              <tr>
                <th scope="col">Step</th>
                <th scope="col">State</th>
                <th scope="col">Needs</th>
                <th scope="col">Attempt</th>
                <th scope="col">Exit</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              ${(p.steps ?? []).map(
                (s) =>
                  html`<tr key=${s.id}>
                    <td>
                      ${s.workloadId ? html`<a href=${`#/workloads/${encodeURIComponent(s.workloadId)}`}>${s.id}</a>` : s.id}
                    </td>
                    <td><${State} state=${s.state} /></td>
                    <td>${(s.needs ?? []).join(', ') || '—'}</td>
                    <td>${s.attempt ?? 0}/${s.maxAttempts ?? 1}</td>
                    <td>${exitText(s.exit)}</td>
                    <td>
                      ${s.approval ? `${s.approval.approved ? 'approved' : 'rejected'} by ${s.approval.by}` : s.reason || ''}
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
        <//>
        ${
          (p.compensations ?? []).length > 0 &&
          html`<${Section} title="Compensation">
            <ul>
              ${(p.compensations ?? []).map(
                (c) => html`<li key=${c.stepId}>${c.stepId}: <${State} state=${c.state} /> ${c.reason ?? ''}</li>`,
              )}
            </ul>
          <//>`
        }`
    }
  </div>`;
}
