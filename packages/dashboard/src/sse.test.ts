import { describe, expect, it } from '@jest/globals';
import { createSseParser, type SseMessage } from './sse.js';

function parse(chunks: string[], lastEventId = ''): { messages: SseMessage[]; lastEventId: string } {
  const messages: SseMessage[] = [];
  const p = createSseParser((m) => messages.push(m), lastEventId);
  for (const c of chunks) p.feed(c);
  return { messages, lastEventId: p.lastEventId };
}

describe('the SSE parser', () => {
  it('reads id, event and data, and dispatches on a blank line', () => {
    const { messages } = parse(['id: 7\nevent: workload\ndata: {"id":"w1"}\n\n']);
    expect(messages).toEqual([{ event: 'workload', data: '{"id":"w1"}', lastEventId: '7' }]);
  });

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('accepts %s line endings', (_name, eol) => {
    const { messages } = parse([`event: node${eol}data: a${eol}data: b${eol}${eol}`]);
    expect(messages).toEqual([{ event: 'node', data: 'a\nb', lastEventId: '' }]);
  });

  it('gives the same messages whatever the chunking, one character at a time included', () => {
    const text = 'id: 1\r\nevent: pipeline\r\ndata: x\r\n\r\n: heartbeat\r\nid: 2\r\ndata: y\r\n\r\n';
    const whole = parse([text]).messages;
    expect(parse(text.split('')).messages).toEqual(whole);
    expect(whole.map((m) => [m.lastEventId, m.event, m.data])).toEqual([
      ['1', 'pipeline', 'x'],
      ['2', 'message', 'y'],
    ]);
  });

  it('ignores comments, unknown fields and a message with no data, but keeps its id', () => {
    const { messages, lastEventId } = parse([': keep-alive\nfoo: bar\nid: 9\n\n']);
    expect(messages).toEqual([]);
    expect(lastEventId).toBe('9');
  });

  it('removes one leading space only, and a field with no colon is an empty value', () => {
    const { messages } = parse(['data:  two spaces\ndata\n\n']);
    expect(messages[0]?.data).toBe(' two spaces\n');
  });

  it('does not dispatch an unterminated message', () => {
    expect(parse(['data: half']).messages).toEqual([]);
  });

  it('starts from a given id, ignores ids with NUL, and reads retry', () => {
    const messages: SseMessage[] = [];
    const p = createSseParser((m) => messages.push(m), '41');
    p.feed('id: a\0b\nretry: 2500\nretry: soon\ndata: z\n\n');
    expect(messages[0]?.lastEventId).toBe('41');
    expect(p.retryMs).toBe(2500);
  });
});
