// A Server-Sent Events parser (the WHATWG "event stream interpretation"), fed decoded text in
// arbitrary chunks. The dashboard reads /api/v1/events with fetch, not EventSource, because
// EventSource cannot send an Authorization header; this is the half of EventSource it needs.
// Pure (no DOM, no Node): the browser bundle and the unit tests share it.

export interface SseMessage {
  /** The `event:` field; "message" when the server sent none. */
  readonly event: string;
  /** The `data:` lines joined with "\n". */
  readonly data: string;
  /** The last `id:` seen so far (ids persist across messages, as in EventSource). */
  readonly lastEventId: string;
}

export interface SseParser {
  /** Feeds a chunk of text; calls onMessage for each message it completes. */
  feed(text: string): void;
  /** The id to resume from (send as Last-Event-ID on reconnect). */
  readonly lastEventId: string;
  /** The server's last `retry:` in ms, if it sent one. */
  readonly retryMs: number | undefined;
}

export function createSseParser(onMessage: (m: SseMessage) => void, lastEventId = ''): SseParser {
  let buffer = '';
  // A chunk that ends in CR may be half of a CRLF: the LF that follows must not end a second line.
  let skipLeadingLf = false;
  let data: string[] = [];
  let event = '';
  let id = lastEventId;
  let retryMs: number | undefined;

  const dispatch = (): void => {
    if (data.length > 0) onMessage({ event: event || 'message', data: data.join('\n'), lastEventId: id });
    data = [];
    event = '';
  };

  const line = (text: string): void => {
    if (text === '') return dispatch();
    if (text.startsWith(':')) return; // a comment: the server's heartbeat
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        data.push(value);
        break;
      case 'event':
        event = value;
        break;
      case 'id':
        if (!value.includes('\0')) id = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) retryMs = Number(value);
        break;
      default: // unknown fields are ignored, as the spec says
    }
  };

  return {
    feed(text: string) {
      if (skipLeadingLf && text.startsWith('\n')) text = text.slice(1);
      skipLeadingLf = false;
      buffer += text;
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const c = buffer[i];
        if (c !== '\n' && c !== '\r') continue;
        line(buffer.slice(start, i));
        if (c === '\r') {
          if (i + 1 === buffer.length) skipLeadingLf = true;
          else if (buffer[i + 1] === '\n') i++;
        }
        start = i + 1;
      }
      buffer = buffer.slice(start);
    },
    get lastEventId() {
      return id;
    },
    get retryMs() {
      return retryMs;
    },
  };
}
