import { describe, expect, it } from '@jest/globals';
import { buildPsRequest, parseStates } from './ps.js';

const LIVE = ['WORKLOAD_STATE_PENDING', 'WORKLOAD_STATE_STARTING', 'WORKLOAD_STATE_RUNNING', 'WORKLOAD_STATE_UNKNOWN'];

describe('buildPsRequest', () => {
  it.each([
    [{}, { states: LIVE }],
    [{ all: true }, {}],
    [{ all: true, state: ['failed'] }, { states: ['WORKLOAD_STATE_FAILED'] }],
    [
      { name: 'web', label: ['a=1', 'b=2'] },
      { states: LIVE, name: 'web', labels: { a: '1', b: '2' } },
    ],
  ])('turns %j into a request', (flags, expected) => {
    expect(buildPsRequest(flags)).toEqual({ ...expected, omitEvents: true });
  });

  it('filters by the node id looked up', () => {
    expect(buildPsRequest({ all: true }, 'n-1')).toEqual({ nodeId: 'n-1', omitEvents: true });
  });

  it.each([
    [{ label: ['nope'] }, '--label: expected k=v'],
    [{ name: '' }, '--name: is empty'],
    [{ state: ['run'] }, '--state: expected pending, starting'],
  ])('refuses %j', (flags, message) => {
    expect(() => buildPsRequest(flags)).toThrow(message);
  });
});

describe('parseStates', () => {
  it('takes repeated flags and comma lists, any case, each state once', () => {
    expect(parseStates(['running,Pending', 'RUNNING', ' lost '])).toEqual([
      'WORKLOAD_STATE_RUNNING',
      'WORKLOAD_STATE_PENDING',
      'WORKLOAD_STATE_LOST',
    ]);
  });

  it('names the bad word', () => {
    expect(() => parseStates(['running,', 'x'])).toThrow(
      '--state: expected pending, starting, running, unknown, succeeded, failed, stopped, lost; got ""',
    );
  });
});
