import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from '@jest/globals';
import {
  InvalidArgumentError,
  NotFoundError,
  fromServiceError,
  toServiceError,
  truncateForError,
  UnavailableError,
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
