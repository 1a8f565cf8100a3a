import { describe, expect, it } from '@jest/globals';
import { jsonFromQuery, messageToJson, requestFromJson, responseJson, snakeName } from './json.js';

describe('requestFromJson', () => {
  it('gives the object a gRPC handler gets: every field, defaults filled, camelCase', () => {
    const req = requestFromJson<Record<string, unknown>>('StopScheduledWorkloadRequest', { workload_id: 'W1' });
    expect(req).toEqual({ workloadId: 'W1', gracePeriodMs: 0 });
  });

  it('reads proto3 JSON forms: 64-bit integers as strings, enums by number, null as unset', () => {
    const req = requestFromJson<{ gracePeriodMs: number; spec: { argv: string[]; driver: string } | null }>(
      'StopScheduledWorkloadRequest',
      { workloadId: 'W1', gracePeriodMs: '1500' },
    );
    expect(req.gracePeriodMs).toBe(1500);
    const list = requestFromJson<{ states: string[]; name: string }>('ListWorkloadsRequest', {
      states: [3, 'WORKLOAD_STATE_PENDING'],
      name: null,
    });
    expect(list.states).toEqual(['WORKLOAD_STATE_RUNNING', 'WORKLOAD_STATE_PENDING']);
    expect(list.name).toBe('');
  });

  it.each([
    [{ spec: { argv: 'sleep' } }, 'spec.argv: must be a JSON array, got string'],
    [{ spec: { argv: ['true', 5] } }, 'spec.argv[1]: must be a string, got number'],
    [{ spec: { argv: ['true'], labels: { a: 1 } } }, 'spec.labels.a: must be a string, got number'],
    [{ spec: { argv: ['true'], resources: { cpuMillis: 1.5 } } }, 'spec.resources.cpu_millis: must be an integer'],
    [{ spec: { argv: ['true'], resources: { memoryBytes: 2 ** 60 } } }, 'spec.resources.memory_bytes: must be from'],
    [{ count: 2 ** 40 }, 'count: must be from'],
    [{ spec: { argv: ['true'] }, scheduling: { priority: 'URGENT' } }, 'scheduling.priority: must be one of PRIORITY_'],
    [{ spec: { argv: ['true'], shell: true } }, 'spec.shell: unknown field of mo.v1.WorkloadSpec'],
    [{ spec: [] }, 'spec: must be a JSON object, got an array'],
    [{ spec: { argv: ['true'] }, idempotencyKey: 'a', idempotency_key: 'b' }, 'idempotency_key: is given twice'],
  ])('names the field of a bad request: %j', (json, message) => {
    expect(() => requestFromJson('SubmitWorkloadRequest', json)).toThrow(message);
  });

  it('refuses a body that is not an object', () => {
    expect(() => requestFromJson('SubmitWorkloadRequest', [1])).toThrow('(body): must be a JSON object, got an array');
  });

  it('applies the wire bounds gRPC applies, naming the field', () => {
    const argv = Array.from({ length: 5000 }, () => 'x');
    expect(() => requestFromJson('SubmitWorkloadRequest', { spec: { argv } })).toThrow(/spec\.argv/);
  });

  it('reads back a oneof name the codec wrote', () => {
    const req = requestFromJson<{ spec: { lostAfterMs: number } }>('SubmitWorkloadRequest', {
      spec: { argv: ['true'], lostAfterMs: 5000, lostAfter: 'lostAfterMs' },
    });
    expect(req.spec.lostAfterMs).toBe(5000);
  });
});

describe('jsonFromQuery', () => {
  it('maps parameters onto top-level fields: lists by repeat or comma, maps as key=value, bools', () => {
    const q = new URLSearchParams('states=A,B&states=C&labels=team=web,tier=1&omit_events=true&pageSize=5');
    expect(jsonFromQuery('ListWorkloadsRequest', q)).toEqual({
      states: ['A', 'B', 'C'],
      labels: { team: 'web', tier: '1' },
      omit_events: true,
      pageSize: '5',
    });
  });

  it.each([
    ['colour=red', /^colour: is not a query parameter/],
    ['name=a&name=b', /^name: is given more than once/],
    ['omitEvents=maybe', /^omit_events: must be true or false/],
    ['labels=team', /^labels: expected key=value items/],
  ])('refuses %s naming it', (query, message) => {
    expect(() => jsonFromQuery('ListWorkloadsRequest', new URLSearchParams(query))).toThrow(message);
  });
});

describe('JSON out', () => {
  it('writes bytes as base64 and every field of a response', () => {
    expect(messageToJson({ stream: 'LOG_STREAM_STDOUT', data: Buffer.from('hi') })).toBe(
      '{"stream":"LOG_STREAM_STDOUT","data":"aGk="}',
    );
    expect(JSON.parse(responseJson('ListNodesResponse', {}))).toEqual({ nodes: [], nextPageToken: '' });
  });

  it('names fields as the proto does', () => {
    expect(snakeName('gracePeriodMs')).toBe('grace_period_ms');
  });
});
