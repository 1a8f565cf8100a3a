// An HTTP response under the gRPC stream machinery: a reader that takes nothing is cut off by
// BoundedWriter's stall bound (its connection destroyed, its slot released and counted), and what
// it has not taken stays bounded.
import { describe, expect, it } from '@jest/globals';
import { BoundedWriter, StreamLimits } from '@mo/api';
import { EventEmitter } from 'node:events';
import type http from 'node:http';
import { ResponseCall } from './stream-call.js';

/** A response whose socket never takes anything (write callbacks never fire). */
class StalledResponse extends EventEmitter {
  headersSent = false;
  writableEnded = false;
  destroyed = false;
  written = 0;
  writeHead() {
    this.headersSent = true;
    return this;
  }
  write(chunk: string | Buffer) {
    this.written += chunk.length;
    return false;
  }
  end() {
    this.writableEnded = true;
  }
  destroy() {
    this.destroyed = true;
    this.emit('close');
  }
}

describe('ResponseCall under BoundedWriter', () => {
  it('cuts off a reader that takes nothing, releasing its stream slot', async () => {
    const limits = new StreamLimits({ watch: 1 }, { stallTimeoutMs: 50 });
    const slot = limits.acquire('watch');
    const res = new StalledResponse();
    const errors: unknown[] = [];
    const call = new ResponseCall<undefined, string>(undefined, res as unknown as http.ServerResponse, {
      head: () => res.writeHead(),
      encode: (s) => s,
      onError: (e) => errors.push(e),
    });
    call.once('cancelled', slot.release);
    const out = new BoundedWriter<string>(call as unknown as ConstructorParameters<typeof BoundedWriter<string>>[0], {
      what: 'events',
      slot,
      maxBufferedBytes: 1024,
    });
    const line = 'x'.repeat(600);
    await out.write(line, line.length); // under the bound: returns at once
    const blocked = out.write(line, line.length); // over it: waits for room that never comes
    await expect(blocked).rejects.toThrow(/^events: /); // the producer stops
    expect(res.destroyed).toBe(true);
    expect(res.written).toBe(1200); // nothing more was produced for it
    // RESOURCE_EXHAUSTED, said to the reader (in-band for SSE) before its connection is closed.
    expect(errors).toEqual([
      expect.objectContaining({
        code: 8,
        details: expect.stringMatching(/^events: the reader took nothing for 50 ms/),
      }),
    ]);
    expect(limits.stats().find((s) => s.kind === 'watch')).toMatchObject({ open: 0, cutOff: 1 });
  });
});
