import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectHostFacts, probeDocker } from './host-facts.js';
import { readBootId } from './proc.js';

describe('collectHostFacts', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mo-host-facts-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('describes this machine, with only the process driver when no engine answers', async () => {
    // No timed assertion (the host probe is a child process: seconds on a loaded machine); a
    // missing socket fails at connect, without waiting for the probe's timeout.
    const facts = await collectHostFacts({
      nodeName: 'node-a',
      agentVersion: '1.2.3',
      dockerSocket: join(dir, 'no-such-docker.sock'),
    });
    expect(facts.nodeName).toBe('node-a');
    expect(facts.agentVersion).toBe('1.2.3');
    expect(facts.hostname).not.toBe('');
    expect(facts.cpuModel).not.toBe('');
    expect(facts.cpuCores).toBeGreaterThanOrEqual(1);
    expect(facts.memoryTotalBytes).toBeGreaterThan(0);
    expect(facts.os).not.toBe('');
    expect(facts.kernel).not.toBe('');
    expect(facts.arch).not.toBe('');
    expect(facts.bootId).toBe(readBootId());
    expect(facts.dockerAvailable).toBe(false);
    expect(facts.dockerVersion).toBe('');
    expect(facts.drivers).toEqual(['process']);
  });

  describe('with an engine answering on a unix socket', () => {
    let server: http.Server;
    let socketPath: string;
    let status = 200;
    beforeAll(async () => {
      socketPath = join(dir, 'docker.sock');
      server = http.createServer((req, res) => {
        if (req.method === 'GET' && req.url === '/version' && status === 200) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ Version: '99.0', ApiVersion: '1.99' }));
        } else {
          res.writeHead(status === 200 ? 404 : status);
          res.end();
        }
      });
      await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('reports docker as available with the engine version', async () => {
      status = 200;
      const facts = await collectHostFacts({ nodeName: 'n', agentVersion: 'v', dockerSocket: socketPath });
      expect(facts.dockerAvailable).toBe(true);
      expect(facts.dockerVersion).toBe('99.0');
      expect(facts.drivers).toEqual(['process', 'docker']);
    });

    it('treats an engine that answers with an error as unavailable', async () => {
      status = 500;
      expect(await probeDocker(socketPath)).toEqual({ available: false, version: '' });
    });
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

  it('finds the socket through DOCKER_HOST=unix://... when no socket is given', async () => {
    const socketPath = join(dir, 'env-docker.sock');
    const server = http.createServer((_req, res) => res.end(JSON.stringify({ Version: '42.1' })));
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = `unix://${socketPath}`;
    try {
      const facts = await collectHostFacts({ nodeName: 'n', agentVersion: 'v' });
      expect(facts.dockerAvailable).toBe(true);
      expect(facts.dockerVersion).toBe('42.1');
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
