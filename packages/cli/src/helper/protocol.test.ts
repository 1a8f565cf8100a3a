import { describe, expect, it } from '@jest/globals';
import { MAX_REQUEST_BYTES, encodeRequest, frame, parseRequest, requestLength } from './protocol.js';

const body = (strings: string[]) => Buffer.from(strings.map((s) => `${s}\0`).join(''));

describe('CLI helper protocol', () => {
  it('reads back what the front writes: arguments verbatim (spaces, empty, unicode), the environment', () => {
    const req = {
      cwd: '/home/a b',
      args: ['start', '--', 'sh', '-c', 'echo "x y"', '', 'ü'],
      env: { A: '1', B: 'x=y' },
    };
    const bytes = encodeRequest(req);
    expect(requestLength(bytes.subarray(0, 4))).toBe(bytes.length - 4);
    expect(parseRequest(bytes.subarray(4))).toEqual(req);
  });

  it('keeps the first of a repeated name and skips entries without "=", as a process does', () => {
    const env = parseRequest(body(['mo-cli/1', '/', '0', '3', 'A=1', 'A=2', 'junk'])).env;
    expect({ ...env }).toEqual({ A: '1' });
  });

  it.each([
    [['other/1', '/', '0', '0'], /not a mo-cli\/1 request/],
    [['mo-cli/1', 'rel', '0', '0'], /cwd is not absolute/],
    [['mo-cli/1', '/', 'x', '0'], /argc is not a count/],
    [['mo-cli/1', '/', '2', 'a'], /argument missing/],
    [['mo-cli/1', '/', '0', '0', 'extra'], /trailing data/],
    [['mo-cli/1', '/', '0', '99999999'], /envc is not a count/],
  ])('refuses %j', (strings, message) => {
    expect(() => parseRequest(body(strings))).toThrow(message);
  });

  it('refuses a body that does not end in NUL and a length over the bound', () => {
    expect(() => parseRequest(Buffer.from('mo-cli/1\0/'))).toThrow(/NUL-terminated/);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(MAX_REQUEST_BYTES + 1);
    expect(() => requestLength(head)).toThrow(/over/);
  });

  it('frames an answer as a type byte, a big-endian length and the bytes', () => {
    expect([...frame('O', Buffer.from('hi'))]).toEqual([0x4f, 0, 0, 0, 2, 0x68, 0x69]);
    expect([...frame('A')]).toEqual([0x41, 0, 0, 0, 0]);
  });
});
