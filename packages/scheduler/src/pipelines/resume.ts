// After a scheduler restart: what a pipeline that was under way picks up again. Running steps and
// a running compensation are submitted again with the same idempotency key (so their workload is
// adopted, never duplicated), retry timers are armed again at their recorded time, and the
// pipeline is re-evaluated. Pure (actions.ts).
import type { PipelineAction } from './actions.js';
import { PIPELINE_TERMINAL, type PipelineRecord } from './record.js';

export function decideResume(p: PipelineRecord): PipelineAction[] {
  if (PIPELINE_TERMINAL.has(p.state) || p.state === 'pending') return [];
  const actions: PipelineAction[] = [];
  for (const s of p.steps) {
    if (s.state === 'running') actions.push({ do: 'relaunch-step', stepId: s.id });
    else if (s.state === 'retrying') actions.push({ do: 'rearm-retry', stepId: s.id });
  }
  const c = p.compensations.at(-1);
  if (p.state === 'compensating' && c?.state === 'running')
    actions.push({ do: 'relaunch-compensation', stepId: c.stepId });
  actions.push({ do: 'advance' });
  return actions;
}
