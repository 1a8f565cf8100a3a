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
        includeJobs: true,
        job: '',
        afterSeq: 0,
        initialState: false,
        replayRetained: false,
      },
      topics: new Set(['workload', 'node', 'pipeline', 'job']),
    });
  });

  it('takes topics, a workload, after and initial', () => {
    const r = parseEventsQuery(q('topic=workload&workload=W1&after=42&initial=true'), undefined);
    expect(r).toEqual({
      watch: {
        workloadId: 'W1',
        pipelineId: '',
        includePipelines: false,
        includeJobs: false,
        job: '',
        afterSeq: 42,
        initialState: true,
        replayRetained: false,
      },
      topics: new Set(['workload']),
    });
  });

  it("takes a job: that job's events alone (a reverse proxy's feed)", () => {
    const r = parseEventsQuery(q('job=web'), undefined);
    expect(r.watch).toMatchObject({ job: 'web', includeJobs: true, includePipelines: false });
    expect(r.topics).toEqual(new Set(['job']));
    expect(parseEventsQuery(q('topic=node'), undefined).watch.includeJobs).toBe(false);
    expect(() => parseEventsQuery(q('job=web&topic=node'), undefined)).toThrow(/^topic: with job= /);
    expect(() => parseEventsQuery(q('job=web&workload=W1'), undefined)).toThrow(/^job: cannot be combined/);
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
