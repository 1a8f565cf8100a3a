// Pipelines: a paged list and a pipeline's detail: its DAG (live: refetched on pipeline events),
// the chosen step's logs (`?step=ID` in the address, so a step's logs can be linked and Back
// works), its steps, the compensation record, and approve / reject / cancel for a token that may
// operate.
import { PipelineGraph } from '../dag.js';
import { exitText, time } from '../format.js';
import { LogViewer } from '../logs.js';
import type { Pipeline, PipelineStep } from '../types.js';
import { ErrorBox, Pager, Section, State, canOperate, html, useAction, useApp, useLoad, usePager } from '../ui.js';

const PAGE_SIZE = 50;
const FINISHED = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
/** Step states in which its workload may still write logs. */
const STEP_ACTIVE = ['RUNNING', 'RETRYING'];

const stepHref = (pipelineId: string, step: PipelineStep): string =>
  `#/pipelines/${encodeURIComponent(pipelineId)}?step=${encodeURIComponent(step.id)}`;

/** The chosen step's logs, or why there are none yet. */
function StepLogs({ p, stepId }: { p: Pipeline; stepId: string }) {
  const step = (p.steps ?? []).find((s) => s.id === stepId);
  const title = `Logs of step ${stepId}`;
  if (!step) return html`<${Section} title=${title}><p>This pipeline has no step ${stepId}.</p><//>`;
  if (!step.workloadId) {
    return html`<${Section} title=${title}>
      <p>Step ${stepId} has not run yet (<${State} state=${step.state} />): no logs to show.</p>
    <//>`;
  }
  // Keyed by its workload: a retried step's new attempt is a new log.
  return html`<${LogViewer}
    key=${`${stepId}/${step.workloadId}`}
    title=${title}
    source=${{ pipelineId: p.id, stepId }}
    active=${STEP_ACTIVE.some((s) => step.state?.endsWith(s))}
    label=${`step ${stepId} logs`}
  />`;
}

export function Pipelines() {
  const { api } = useApp();
  const pager = usePager();
  const list = useLoad(
    (s) => api.pipelines({ pageSize: PAGE_SIZE, pageToken: pager.token }, s),
    [pager.token],
    ['pipeline'],
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
  const { note, act } = useAction(reload);
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

export function PipelineDetail({ id, step }: { id: string; step?: string | undefined }) {
  const { api, access } = useApp();
  const pl = useLoad(
    (s) => api.pipeline(id, s),
    [id],
    // Pipeline events (the pipeline's and each step's changes) come on the same stream as the rest.
    ['pipeline'],
    (d) => d.pipelineId === id,
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
        <${Section} title="Graph">
          <div class="dag-wrap">
            <${PipelineGraph} steps=${p.steps ?? []} stepHref=${(s: PipelineStep) => stepHref(p.id, s)} chosen=${step} />
          </div>
        <//>
        ${
          step
            ? html`<${StepLogs} p=${p} stepId=${step} />`
            : html`<p class="meta">Choose a step in the graph or the table to see its logs.</p>`
        }
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
                <th scope="col">Logs</th>
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
                    <td>
                      ${
                        s.id === step
                          ? html`<strong aria-current="true">shown</strong>`
                          : html`<a href=${stepHref(p.id, s)} aria-label=${`Logs of step ${s.id}`}>logs</a>`
                      }
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
