import { describe, expect, it } from '@jest/globals';
import { parseEventsQuery } from './events.js';

const q = (s: string) => new URLSearchParams(s);

describe('parseEventsQuery', () => {
  it('defaults to every topic, live, pipelines included', () => {
    expect(parseEventsQuery(q(''), undefined)).toEqual({
      watch: {
        workloadId: '',
        pipelineId: '',
        includePipelines: true,
        afterSeq: 0,
        initialState: false,
        replayRetained: false,
      },
      topics: new Set(['workload', 'node', 'pipeline']),
    });
  });

  it('takes topics, a workload, after and initial', () => {
    const r = parseEventsQuery(q('topic=workload&workload=W1&after=42&initial=true'), undefined);
    expect(r).toEqual({
      watch: {
        workloadId: 'W1',
        pipelineId: '',
        includePipelines: false,
        afterSeq: 42,
        initialState: true,
        replayRetained: false,
      },
      topics: new Set(['workload']),
    });
  });

  it('leaves pipeline events out unless their topic is asked for', () => {
    expect(parseEventsQuery(q('topic=node'), undefined).watch.includePipelines).toBe(false);
    expect(parseEventsQuery(q('topic=node,pipeline'), undefined).watch.includePipelines).toBe(true);
  });

  it('prefers Last-Event-ID to ?after= (EventSource resends the first URL with the header)', () => {
    expect(parseEventsQuery(q('after=5'), '9').watch.afterSeq).toBe(9);
  });

  it("follows one pipeline's events on the cluster sequence", () => {
    const r = parseEventsQuery(q('pipeline=P1'), '7');
    expect(r.watch).toMatchObject({ pipelineId: 'P1', includePipelines: true, afterSeq: 7 });
    expect(r.topics).toEqual(new Set(['pipeline']));
  });

  it.each([
    ['topic=weather', undefined, /^topic: unknown topic "weather"/],
    ['topic=node&pipeline=P1', undefined, /^topic: with pipeline= the stream is that pipeline's events/],
    ['topic=pipeline&workload=W1', undefined, /^topic: with workload= /],
    ['after=-1', undefined, /^after: must be an event's seq/],
    ['after=1e3', undefined, /^after: /],
    ['', 'abc', /^Last-Event-ID: /],
    ['initial=yes', undefined, /^initial: must be true or false/],
    ['colour=red', undefined, /^colour: is not a parameter/],
  ])('refuses %j (Last-Event-ID %j) naming the parameter', (query, last, message) => {
    expect(() => parseEventsQuery(q(query), last)).toThrow(message);
  });
});
