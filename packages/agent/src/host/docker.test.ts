import { afterAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeDocker } from './docker.js';

const dir = mkdtempSync(join(tmpdir(), 'mo-probe-docker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('probeDocker', () => {
  it('treats an engine that answers with an error as unavailable', async () => {
    const socketPath = join(dir, 'failing.sock');
    const failing = http.createServer((_req, res) => {
      res.writeHead(500);
      res.end();
    });
    await new Promise<void>((resolve) => failing.listen(socketPath, resolve));
    try {
      expect(await probeDocker(socketPath)).toEqual({ available: false, version: '' });
    } finally {
      failing.closeAllConnections();
      await new Promise((resolve) => failing.close(resolve));
    }
  });

  it('gives up after about a second on an engine that never answers', async () => {
    const socketPath = join(dir, 'hung.sock');
    const hung = http.createServer(() => {
      // never respond
    });
    await new Promise<void>((resolve) => hung.listen(socketPath, resolve));
    try {
      const started = Date.now();
      expect(await probeDocker(socketPath)).toEqual({ available: false, version: '' });
      const elapsed = Date.now() - started;
      // It waited for its timeout (~1 s), and gave up rather than hang (the bound is loose: a
      // loaded machine delays the timer, not the verdict).
      expect(elapsed).toBeGreaterThanOrEqual(900);
      expect(elapsed).toBeLessThan(10_000);
    } finally {
      hung.closeAllConnections();
      await new Promise((resolve) => hung.close(resolve));
    }
  });
});
