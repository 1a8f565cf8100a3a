import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from '@jest/globals';
import {
  InvalidArgumentError,
  NotFoundError,
  fromServiceError,
  toServiceError,
  truncateForError,
  UnavailableError,
  NodeUnreachableError,
  parseNodeUnreachable,
  tidyConnectError,
} from './errors.js';

describe('error mapping', () => {
  it('maps an invalid field to INVALID_ARGUMENT with the field path first', () => {
    const e = toServiceError(new InvalidArgumentError('spec.argv', 'must not be empty'));
    expect(e.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(e.details).toBe('spec.argv: must not be empty');
  });

  it('maps a missing object to NOT_FOUND naming it', () => {
    const e = toServiceError(new NotFoundError('workload_id', 'workload', 'x1'));
    expect(e.code).toBe(grpc.status.NOT_FOUND);
    expect(e.details).toBe('workload_id: no workload "x1"');
  });

  it("cuts the id a caller asked for in NOT_FOUND, not the server's reason", () => {
    const long = 'x'.repeat(1_000_000);
    const e = new NotFoundError('workload_id', 'logs of workload', long, 'it never ran: no node fits');
    expect(e.message).toBe(`workload_id: no logs of workload "${truncateForError(long)}" (it never ran: no node fits)`);
    expect(e.message.length).toBeLessThan(200);
  });

  it('hides nothing but marks unknown errors INTERNAL', () => {
    const e = toServiceError(new Error('boom'));
    expect(e.code).toBe(grpc.status.INTERNAL);
    expect(e.details).toContain('boom');
  });

  it('turns an unreachable server into UnavailableError carrying the address', () => {
    const e = fromServiceError({ code: grpc.status.UNAVAILABLE, details: 'connect ECONNREFUSED' }, '127.0.0.1:1');
    expect(e).toBeInstanceOf(UnavailableError);
    expect(e.message).toContain('127.0.0.1:1');
  });
});

describe('truncateForError', () => {
  it('keeps a short string as it is', () => {
    expect(truncateForError('web-1')).toBe('web-1');
    expect(truncateForError('x'.repeat(128))).toBe('x'.repeat(128));
  });

  it('cuts a long string to at most 128 characters and says how long it was', () => {
    const out = truncateForError('y'.repeat(3_000_000));
    expect(out.length).toBeLessThanOrEqual(128);
    expect(out).toMatch(/^y+…\(3000000 chars\)$/);
  });

  it('takes another maximum and never splits a surrogate pair', () => {
    const s = 'a' + '😀'.repeat(100);
    for (let max = 1; max < 40; max++) {
      const out = truncateForError(s, max);
      expect(out.length).toBeLessThanOrEqual(max);
      expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    }
  });
});

describe('NodeUnreachableError', () => {
  it('crosses the wire as UNAVAILABLE and comes back as itself, naming the node', () => {
    const sent = toServiceError(new NodeUnreachableError('node-2', '127.0.0.1:7610', 'it is down'));
    expect(sent.code).toBe(grpc.status.UNAVAILABLE);
    const back = fromServiceError(sent, '127.0.0.1:7600');
    expect(back).toBeInstanceOf(NodeUnreachableError);
    expect(back).toMatchObject({
      node: 'node-2',
      address: '127.0.0.1:7610',
      message: 'node node-2 is unreachable at 127.0.0.1:7610: it is down',
    });
  });

  it('keeps a plain UNAVAILABLE as the server being unreachable', () => {
    const back = fromServiceError({ code: grpc.status.UNAVAILABLE, details: 'connect ECONNREFUSED' }, 's:1');
    expect(back).toBeInstanceOf(UnavailableError);
    expect(back).not.toBeInstanceOf(NodeUnreachableError);
  });

  it('drops grpc-js noise from the reason', () => {
    const e = new NodeUnreachableError(
      'n',
      '',
      'No connection established. Last error: Error: connect ECONNREFUSED 1.2.3.4:5. Resolution note: ',
    );
    expect(e.message).toBe('node n is unreachable: connect ECONNREFUSED 1.2.3.4:5');
    expect(parseNodeUnreachable(e.message)).toEqual({ node: 'n', address: '', why: 'connect ECONNREFUSED 1.2.3.4:5' });
  });

  it.each([
    [
      'No connection established. Last error: getaddrinfo ENOTFOUND h. Resolution note: DNS failed',
      'getaddrinfo ENOTFOUND h',
    ],
    ['Deadline exceeded after 1.0s', 'Deadline exceeded after 1.0s'],
  ])('tidies %j into %j', (detail, tidy) => {
    expect(tidyConnectError(detail)).toBe(tidy);
  });
});
