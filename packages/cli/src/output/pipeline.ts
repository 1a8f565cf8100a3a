// How pipelines look in a terminal: one pipeline (fields + a step table), a list, event lines.
import type { Pipeline__Output, PipelineEvent__Output } from '@mo/api';
import { exitText, humanDuration, timestamp, truncate } from './format.js';
import { renderFields, renderTable } from './table.js';

/** `PIPELINE_STATE_AWAITING_APPROVAL` -> `awaiting_approval`. */
export function pipelineStateName(state: string): string {
  return state.replace(/^(PIPELINE|STEP)_STATE_/, '').toLowerCase();
}

function took(start: number, end: number, now: number): string {
  if (!start) return '-';
  return humanDuration((end || now) - start);
}

/** The step table of a pipeline (also the live view of `mo pipeline run --wait` on a terminal). */
export function renderSteps(p: Pipeline__Output, now = Date.now()): string {
  const rows = p.steps.map((s) => [
    s.id,
    pipelineStateName(s.state),
    s.maxAttempts > 1 ? `${s.attempt}/${s.maxAttempts}` : String(s.attempt),
    s.nodeName || '-',
    took(s.startedAtMs, s.endedAtMs, now),
    s.needs.join(',') || '-',
    truncate(s.reason, 60),
  ]);
  const table = renderTable(
    [
      { header: 'STEP' },
      { header: 'STATE' },
      { header: 'TRY', align: 'right' },
      { header: 'NODE' },
      { header: 'TIME', align: 'right' },
      { header: 'NEEDS' },
      { header: 'REASON' },
    ],
    rows,
  );
  const comp = p.compensations.map(
    (c) => `  compensation of ${c.stepId}: ${pipelineStateName(c.state)} (${truncate(c.reason, 60)})\n`,
  );
  return table + (comp.length ? `compensations, in the order they ran:\n${comp.join('')}` : '');
}

export function renderPipeline(p: Pipeline__Output, now = Date.now()): string {
  const fields: Array<[string, string]> = [
    ['id', p.id],
    ['name', p.name],
    ['state', pipelineStateName(p.state)],
    ['reason', p.reason],
    ['priority', p.priority.replace('PRIORITY_', '').toLowerCase()],
    ['created', timestamp(p.createdAtMs, now)],
    ['took', took(p.startedAtMs, p.endedAtMs, now)],
  ];
  const details = p.steps.flatMap((s) => {
    const out: string[] = [];
    if (s.exit) out.push(`  ${s.id}: ${exitText(s.exit)}${s.workloadId ? ` (workload ${s.workloadId})` : ''}`);
    if (s.approval) {
      const a = s.approval;
      out.push(`  ${s.id}: ${a.approved ? 'approved' : 'rejected'} by ${a.by}${a.reason ? `: ${a.reason}` : ''}`);
    }
    for (const [k, v] of Object.entries(s.outputs)) out.push(`  ${s.id}.outputs.${k} = ${truncate(v, 80)}`);
    return out;
  });
  return (
    renderFields(fields) +
    '\n' +
    renderSteps(p, now) +
    (details.length ? `\n${details.map((d) => `${d}\n`).join('')}` : '')
  );
}

export function renderPipelineList(pipelines: readonly Pipeline__Output[], total: number, now = Date.now()): string {
  if (pipelines.length === 0) return 'no pipelines\n';
  const rows = pipelines.map((p) => {
    const done = p.steps.filter((s) => pipelineStateName(s.state) === 'succeeded').length;
    return [
      p.id,
      p.name,
      pipelineStateName(p.state),
      `${done}/${p.steps.length}`,
      took(p.startedAtMs, p.endedAtMs, now),
      truncate(p.reason, 50),
    ];
  });
  const table = renderTable(
    [
      { header: 'ID' },
      { header: 'NAME' },
      { header: 'STATE' },
      { header: 'STEPS', align: 'right' },
      { header: 'TIME', align: 'right' },
      { header: 'REASON' },
    ],
    rows,
  );
  return total > pipelines.length ? `${table}(${pipelines.length} of ${total})\n` : table;
}

/** One plain line per event (what `watch` and a non-terminal `run --wait` print). */
export function renderEventLine(e: PipelineEvent__Output): string {
  const time = new Date(Number(e.atMs)).toISOString().slice(11, 23);
  const who = e.stepId ? `step ${e.stepId}` : `pipeline ${e.pipeline?.name ?? e.pipelineId}`;
  return `${time} #${e.seq} ${who}: ${e.state}${e.reason && e.reason !== e.state ? ` (${e.reason})` : ''}\n`;
}
