import { describe, expect, it } from '@jest/globals';
import { parseEventsQuery } from './events.js';

const q = (s: string) => new URLSearchParams(s);

describe('parseEventsQuery', () => {
  it('defaults to workload and node events, live', () => {
    expect(parseEventsQuery(q(''), undefined)).toEqual({
      kind: 'cluster',
      watch: { workloadId: '', afterSeq: 0, initialState: false, replayRetained: false },
      topics: new Set(['workload', 'node']),
    });
  });

  it('takes topics, a workload, after and initial', () => {
    const r = parseEventsQuery(q('topic=workload&workload=W1&after=42&initial=true'), undefined);
    expect(r).toEqual({
      kind: 'cluster',
      watch: { workloadId: 'W1', afterSeq: 42, initialState: true, replayRetained: false },
      topics: new Set(['workload']),
    });
  });

  it('prefers Last-Event-ID to ?after= (EventSource resends the first URL with the header)', () => {
    expect(parseEventsQuery(q('after=5'), '9').watch.afterSeq).toBe(9);
  });

  it('opens a pipeline stream on its own sequence', () => {
    expect(parseEventsQuery(q('topic=pipeline&pipeline=P1'), '7')).toEqual({
      kind: 'pipelines',
      watch: { pipelineId: 'P1', afterSeq: 7 },
    });
  });

  it.each([
    ['topic=weather', undefined, /^topic: unknown topic "weather"/],
    ['topic=pipeline,node', undefined, /^topic: pipeline events are numbered apart/],
    ['pipeline=P1', undefined, /^pipeline: filters pipeline events/],
    ['topic=pipeline&workload=W1', undefined, /^workload: /],
    ['after=-1', undefined, /^after: must be an event's seq/],
    ['after=1e3', undefined, /^after: /],
    ['', 'abc', /^Last-Event-ID: /],
    ['initial=yes', undefined, /^initial: must be true or false/],
    ['colour=red', undefined, /^colour: is not a parameter/],
  ])('refuses %j (Last-Event-ID %j) naming the parameter', (query, last, message) => {
    expect(() => parseEventsQuery(q(query), last)).toThrow(message);
  });
});
