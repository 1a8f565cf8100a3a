// Fixtures for the decision tests (dag.test.ts, attempts.test.ts, saga.test.ts, ...): pipeline
// records built from a YAML spec by the real parser, put in any state; a one-line rendering of a
// plan; and `settle`, which applies a plan to the record and follows its chained decisions, as
// PipelineManager.apply does, with none of the I/O. Not used by the engine.
import type { PipelineAction } from './actions.js';
import { decideGoDown } from './cancel.js';
import { decideAdvance } from './dag.js';
import { newPipelineRecord, stepOf, type PipelineRecord, type StepRecord, type StepStateName } from './record.js';
import { parsePipelineSpec } from './spec.js';
import { applyToRecord, type EventNote } from './transitions.js';

/**
 * A pipeline from YAML: `steps` is the body of the spec's `steps:` list (each item's lines
 * indented by 2), `head` any top-level fields. Running (admitted), every step waiting.
 */
export function pipelineOf(steps: string, head = ''): PipelineRecord {
  const text = `name: p\n${head}${head && !head.endsWith('\n') ? '\n' : ''}steps:\n${steps}`;
  const p = newPipelineRecord('p1', parsePipelineSpec(text), text, '', 0);
  p.state = 'running';
  p.reason = 'running';
  return p;
}

/** Steps `a`, `b`, ... each a list item of `command: [true]` plus `extra` lines (YAML, by id). */
export function stepsOf(extra: Record<string, string>): string {
  return Object.entries(extra)
    .map(
      ([id, more]) => `  - id: ${id}\n    command: ["true"]\n${more ? `    ${more.split('\n').join('\n    ')}\n` : ''}`,
    )
    .join('');
}

/** Puts steps in the given states (or fields). */
export function withSteps(
  p: PipelineRecord,
  steps: Record<string, StepStateName | Partial<StepRecord>>,
): PipelineRecord {
  for (const [id, v] of Object.entries(steps)) {
    const s = stepOf(p, id);
    if (!s) throw new Error(`no step ${id}`);
    Object.assign(s, typeof v === 'string' ? { state: v } : v);
  }
  return p;
}

/** One short line per action: `start a`, `skip c`, `gate d`, `stop b`, `compensate a`, `finish failed`. */
export function planOf(actions: readonly PipelineAction[]): string[] {
  const verbs: Partial<Record<StepStateName, string>> = {
    skipped: 'skip',
    awaiting_approval: 'gate',
    cancelled: 'cancel',
    succeeded: 'succeed',
    failed: 'fail',
  };
  return actions.map((a) => {
    switch (a.do) {
      case 'set-step':
        return `${verbs[a.state] ?? `set ${a.state}`} ${a.stepId}`;
      case 'start-attempt':
        return `start ${a.stepId}`;
      case 'retry-later':
        return `retry ${a.stepId}`;
      case 'fail-step':
        return `fail ${a.stepId}`;
      case 'stop-step':
        return `stop ${a.stepId} (${a.why})`;
      case 'set-pipeline':
        return `pipeline ${a.state}`;
      case 'finish':
        return `finish ${a.state}`;
      case 'mark-ending':
        return `${a.announce ? 'announce' : 'mark'} ${a.ending}`;
      case 'go-down':
        return `go-down ${a.ending}`;
      case 'event':
        return `event ${a.state}`;
      case 'start-pipeline':
      case 'advance':
      case 'admit':
        return a.do;
      default:
        return `${a.do} ${a.stepId}`;
    }
  });
}

/**
 * Applies `actions` to `p` and follows `advance` and `go-down` with their decisions, depth first,
 * as the manager does. Returns every action applied, in order, and the events announced.
 */
export function settle(
  p: PipelineRecord,
  actions: readonly PipelineAction[],
  now = 0,
): { applied: PipelineAction[]; events: EventNote[] } {
  const applied: PipelineAction[] = [];
  const events: EventNote[] = [];
  const run = (list: readonly PipelineAction[]) => {
    for (const a of list) {
      applied.push(a);
      const e = applyToRecord(p, a, now);
      if (e) events.push(e);
      if (a.do === 'advance') run(decideAdvance(p));
      else if (a.do === 'go-down') run(decideGoDown(p, a.ending, a.reason));
    }
  };
  run(actions);
  return { applied, events };
}
