import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectHostFacts } from './facts.js';
import { readBootId } from './proc.js';

describe('collectHostFacts', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mo-host-facts-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('describes this machine, with only the process driver when no engine answers', async () => {
    // No timed assertion (the hardware probe is a child process: seconds on a loaded machine); a
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

  it('reports docker as available with the engine version', async () => {
    const socketPath = join(dir, 'docker.sock');
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ Version: '99.0', ApiVersion: '1.99' }));
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      const facts = await collectHostFacts({ nodeName: 'n', agentVersion: 'v', dockerSocket: socketPath });
      expect(facts.dockerAvailable).toBe(true);
      expect(facts.dockerVersion).toBe('99.0');
      expect(facts.drivers).toEqual(['process', 'docker']);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
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
