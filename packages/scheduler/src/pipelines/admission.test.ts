// Admission as a pure decision over the pipelines held.
import { describe, expect, it } from '@jest/globals';
import { pickAdmissions } from './admission.js';
import { pipelineOf, stepsOf } from './fixtures.js';
import type { PipelineRecord } from './record.js';

let next = 0;
function pipeline(state: PipelineRecord['state'], head = ''): PipelineRecord {
  const p = pipelineOf(stepsOf({ a: '' }), head);
  p.id = `p${++next}`;
  p.state = state;
  p.createdAtMs = next;
  return p;
}
const ids = (ps: PipelineRecord[]) => ps.map((p) => p.id);

describe('pickAdmissions', () => {
  it('starts the highest priority first, then the oldest, within the free slots', () => {
    next = 0;
    const old = pipeline('pending');
    const low = pipeline('pending', 'priority: low');
    const high = pipeline('pending', 'priority: high');
    const young = pipeline('pending');
    expect(ids(pickAdmissions([old, low, high, young], 3))).toEqual([high.id, old.id, young.id]);
    expect(ids(pickAdmissions([old, low, high, young], 10))).toEqual([high.id, old.id, young.id, low.id]);
  });

  it('counts running, gated and compensating pipelines against the limit, not ended ones', () => {
    next = 0;
    const held = ['running', 'awaiting_approval', 'compensating'].map((s) => pipeline(s as PipelineRecord['state']));
    const ended = ['succeeded', 'failed', 'cancelled'].map((s) => pipeline(s as PipelineRecord['state']));
    const waiting = pipeline('pending');
    expect(pickAdmissions([...held, ...ended, waiting], 3)).toEqual([]);
    expect(ids(pickAdmissions([...held, ...ended, waiting], 4))).toEqual([waiting.id]);
  });

  it('runs one pipeline per concurrency key at a time; others with the key wait, others pass them', () => {
    next = 0;
    const running = pipeline('running', 'concurrency: prod');
    const prod = pipeline('pending', 'concurrency: prod');
    const free = pipeline('pending');
    expect(ids(pickAdmissions([running, prod, free], 10))).toEqual([free.id]);
    running.state = 'succeeded';
    const prod2 = pipeline('pending', 'concurrency: prod');
    expect(ids(pickAdmissions([running, prod, free, prod2], 10))).toEqual([prod.id, free.id]);
  });
});
