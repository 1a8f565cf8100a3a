// LogText: how the log viewer joins a reconnected stream (the last lines asked for again) to what
// it shows, with no byte offset to resume from.
import { describe, expect, it } from '@jest/globals';
import { GAP_MARKER, LogText } from '../web/log-seam.js';

const lines = (from: number, to: number): string =>
  Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}\n`).join('');

/** A LogText that showed `shown`, then reconnected and received `chunks`. */
function rejoin(shown: string, chunks: string[], end = false, max = 1_000_000): LogText {
  const log = new LogText(max);
  log.push(shown);
  log.reconnect();
  for (const c of chunks) log.push(c);
  if (end) log.flush();
  return log;
}

describe('LogText', () => {
  it('appends the first connection as it comes', () => {
    const log = new LogText(100);
    expect(log.push('a\n')).toBe(true);
    expect(log.push('b')).toBe(true);
    expect(log.text).toBe('a\nb');
  });

  it('keeps only the last maxChars', () => {
    const log = new LogText(5);
    log.push('abc\ndef\n');
    expect(log.text).toBe('\ndef\n');
  });

  it.each([
    ['the tail overlaps, new lines follow', lines(1, 10), [lines(6, 14)], lines(1, 14)],
    [
      'the tail arrives in pieces split mid-line',
      lines(1, 10),
      ['line 8\nli', 'ne 9\nline 10\nline', ' 11\n'],
      lines(1, 11),
    ],
    ['nothing was written meanwhile', lines(1, 10), [lines(3, 10)], lines(1, 10)],
    [
      'the shown text ended mid-line',
      'line 1\nline 2\nline 3 par',
      ['line 2\nline 3 partial\nline 4\n'],
      'line 1\nline 2\nline 3 partial\nline 4\n',
    ],
    ['lines repeat: the longest overlap wins', 'x\ntick\ntick\n', ['tick\ntick\ny\n'], 'x\ntick\ntick\ny\n'],
  ])('joins without doubling when %s', (_why, shown, chunks, want) => {
    const log = rejoin(shown, chunks);
    expect(log.text).toBe(want);
    expect(log.gap).toBe(false);
  });

  it('marks the seam when the new tail does not reach back to what is shown', () => {
    const log = rejoin(lines(1, 10), [lines(900, 901)]);
    expect(log.text).toBe(`${lines(1, 10)}${GAP_MARKER}${lines(900, 901)}`);
    expect(log.gap).toBe(true);
  });

  it('starts the marker on a line of its own', () => {
    expect(rejoin('half', ['new\n']).text).toBe(`half\n${GAP_MARKER}new\n`);
  });

  it('holds text that repeats what is shown until it diverges, then appends only the new part', () => {
    const log = new LogText(1000);
    log.push(lines(1, 5));
    log.reconnect();
    expect(log.push('line 3\n')).toBe(false);
    expect(log.push('line 4\n')).toBe(false);
    expect(log.text).toBe(lines(1, 5));
    expect(log.push('line 5\nline 6\n')).toBe(true);
    expect(log.push('line 7\n')).toBe(true); // decided: later text passes straight through
    expect(log.text).toBe(lines(1, 7));
  });

  it('drops held text at a normal end when all of it was already shown', () => {
    const log = rejoin(lines(1, 5), ['line 2\nline 3\n'], true);
    expect(log.text).toBe(lines(1, 5));
    expect(log.gap).toBe(false);
  });

  it('does not take a match that starts mid-line for the overlap', () => {
    // "ne 2\n" ends the shown text but is not a whole line: the new tail's first line is new.
    const log = rejoin('line 1\nline 2\n', ['ne 2\nmore\n']);
    expect(log.gap).toBe(true);
  });

  it('joins with no seam logic when nothing was shown before the reconnect', () => {
    const log = rejoin('', ['line 1\n']);
    expect(log.text).toBe('line 1\n');
    expect(log.gap).toBe(false);
  });
});
