import { describe, expect, it } from '@jest/globals';
import { QueueWatchSource } from './queue-watch.js';
import { FellBehindError } from './watch-stream.js';

type Ev = { seq: number; size: number };

function source(replay: Ev[], afterSeq = 0, maxQueued = 3, maxQueuedBytes = 100) {
  return new QueueWatchSource<Ev, number>({
    what: 'watch of pipelines',
    afterSeq,
    replay,
    toMessage: (e) => ({ message: e.seq, bytes: e.size }),
    maxQueued,
    maxQueuedBytes,
  });
}
const ev = (seq: number, size = 10): Ev => ({ seq, size });
function drain(src: QueueWatchSource<Ev, number>): number[] {
  const out: number[] = [];
  for (let item = src.next(); item; item = src.next()) out.push(item.message);
  return out;
}

describe('QueueWatchSource', () => {
  it('sends the replay, then live events, each once (a live one the replay had is ignored)', () => {
    const src = source([ev(4), ev(5)], 3);
    src.push(ev(5));
    src.push(ev(6));
    expect(drain(src)).toEqual([4, 5, 6]);
    src.push(ev(7));
    expect(drain(src)).toEqual([7]);
  });

  it.each([
    ['count', [10, 10, 10, 10]],
    ['bytes', [60, 60]],
  ])('cuts off a reader whose live queue passes its bound in %s', (_, sizes) => {
    const src = source([]);
    sizes.forEach((size, i) => src.push(ev(i + 1, size)));
    expect(() => src.next()).toThrow(FellBehindError);
    expect(() => src.next()).toThrow(/fell more than 3 events or 100 bytes behind; watch again with after_seq/);
  });

  it('a reader that keeps up is never cut off, however many events pass', () => {
    const src = source([]);
    for (let seq = 1; seq <= 5000; seq++) {
      src.push(ev(seq));
      expect(src.next()?.message).toBe(seq);
    }
  });
});
