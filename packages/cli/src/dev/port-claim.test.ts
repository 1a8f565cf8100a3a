import { describe, expect, it } from '@jest/globals';
import net from 'node:net';
import { claimDevPorts, claimSpan } from './port-claim.js';
import { spanOf } from './cluster-ports.js';

// Real abstract sockets, in slots far from any base a dev cluster or another test uses.
const BASE = 63_000;

describe('claimSpan', () => {
  it('refuses an overlapping span while the first is held, naming its holder; frees on release', async () => {
    const first = await claimSpan(spanOf(BASE), { pid: 11, ports: '63000-63999', dataDir: '/a' });
    if (!('claim' in first)) throw new Error('first claim refused');
    const second = await claimSpan(spanOf(BASE + 500), { pid: 12, ports: '63500-64499', dataDir: '/b' });
    expect(second).toEqual({ slot: 635, holder: { pid: 11, ports: '63000-63999', dataDir: '/a' } });
    // Refused whole: the slots above the conflict (640-644) were not taken either.
    const above = await claimSpan({ first: 64_000, last: 64_499 }, { pid: 13, ports: '', dataDir: '' });
    expect('claim' in above).toBe(true);
    if ('claim' in above) above.claim.release();
    first.claim.release();
    first.claim.release(); // idempotent
    const again = await claimSpan(spanOf(BASE + 500), { pid: 12, ports: '63500-64499', dataDir: '/b' });
    expect('claim' in again).toBe(true);
    if ('claim' in again) again.claim.release();
  });
});

describe('claimDevPorts', () => {
  it('refuses a second cluster on the same base with a message naming the port base and the first', async () => {
    const claim = await claimDevPorts(BASE, 2, '/data/one');
    await expect(claimDevPorts(BASE, 2, '/data/two')).rejects.toThrow(
      new RegExp(
        `^--port-base: ${BASE}: its ports 63000-63999 reach into 63000-63099, held by another mo dev's ` +
          `63000-63999 \\(pid ${process.pid}, data dir /data/one\\); .* e\\.g\\. --port-base 64000$`,
      ),
    );
    claim.release();
  });

  it('refuses a base whose daemon port something else listens on, naming it', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      // The agent dev-0's gRPC port is base+10.
      await expect(claimDevPorts(port - 10, 1, '/d')).rejects.toThrow(
        `--port-base: ${port - 10}: port ${port} (agent dev-0 gRPC) is in use on 127.0.0.1`,
      );
      // Refused whole: the span is not left claimed.
      const again = await claimSpan(spanOf(port - 10), { pid: 1, ports: '', dataDir: '' });
      expect('claim' in again).toBe(true);
      if ('claim' in again) again.claim.release();
    } finally {
      server.close();
    }
  });

  it('gives two --port-base 0 clusters different blocks', async () => {
    const a = await claimDevPorts(0, 2, '/a');
    const b = await claimDevPorts(0, 2, '/b');
    expect(a.span.first).not.toBe(b.span.first);
    expect(Math.abs(a.span.first - b.span.first)).toBeGreaterThanOrEqual(1000);
    a.release();
    b.release();
  });
});
