// How each action (actions.ts) changes the pipeline record, and the event it announces. Pure: the
// record is changed in place (it is the engine's working state), nothing else is touched; the
// manager records the event and does the rest (submits, stops, timers).
import type { PipelineAction } from './actions.js';
import { stepOf, type PipelineRecord, type StepRecord } from './record.js';

export interface EventNote {
  /** '' = the pipeline itself. */
  stepId: string;
  state: string;
  reason: string;
}

export function applyToRecord(p: PipelineRecord, a: PipelineAction, now: number): EventNote | undefined {
  const step = (id: string): StepRecord => stepOf(p, id)!;
  switch (a.do) {
    case 'start-pipeline':
      p.startedAtMs = now;
      return setPipeline(p, 'running', 'running');
    case 'set-pipeline':
      return setPipeline(p, a.state, a.reason);
    case 'finish':
      p.endedAtMs = now;
      return setPipeline(p, a.state, a.reason);
    case 'mark-ending':
      p.ending = a.ending;
      p.reason = a.reason;
      return a.announce
        ? { stepId: '', state: a.ending === 'failed' ? 'failing' : 'cancelling', reason: a.reason }
        : undefined;
    case 'set-step': {
      const s = step(a.stepId);
      if (a.outputs) s.outputs = { ...a.outputs };
      return setStep(s, a.state, a.reason, a.ended ? now : undefined);
    }
    case 'start-attempt': {
      const s = step(a.stepId);
      s.attempt++;
      s.startedAtMs = now;
      s.notBeforeMs = 0;
      s.workloadId = '';
      delete s.stopping;
      delete s.exit;
      return setStep(s, 'running', a.reason);
    }
    case 'retry-later': {
      const s = step(a.stepId);
      delete s.stopping;
      s.notBeforeMs = a.notBeforeMs;
      return setStep(s, 'retrying', a.reason);
    }
    case 'fail-step': {
      const s = step(a.stepId);
      delete s.stopping;
      return setStep(s, 'failed', a.reason, now);
    }
    case 'stop-step':
      step(a.stepId).stopping = a.why;
      return undefined;
    case 'record-approval':
      step(a.stepId).approval = a.approval;
      return undefined;
    case 'compensate':
      p.compensations.push({ stepId: a.stepId, workloadId: '', state: 'running', reason: 'starting' });
      return { stepId: a.stepId, state: 'compensating', reason: `running the compensation of ${a.stepId}` };
    case 'compensation-ended': {
      const c = p.compensations.find((x) => x.stepId === a.stepId)!;
      c.state = a.state;
      c.reason = a.reason;
      delete c.timedOut;
      return undefined;
    }
    case 'stop-compensation':
      p.compensations.find((x) => x.stepId === a.stepId)!.timedOut = true;
      return undefined;
    case 'event':
      return { stepId: a.stepId, state: a.state, reason: a.reason };
    case 'relaunch-step':
    case 'rearm-retry':
    case 'relaunch-compensation':
    case 'advance':
    case 'go-down':
    case 'admit':
      return undefined;
  }
}

function setPipeline(p: PipelineRecord, state: PipelineRecord['state'], reason: string): EventNote {
  p.state = state;
  p.reason = reason;
  return { stepId: '', state, reason };
}

function setStep(s: StepRecord, state: StepRecord['state'], reason: string, endedAtMs?: number): EventNote {
  s.state = state;
  s.reason = reason;
  if (endedAtMs !== undefined) s.endedAtMs = endedAtMs;
  return { stepId: s.id, state, reason };
}
