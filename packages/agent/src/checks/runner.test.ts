// The runner against real loopback servers and real processes, on short intervals. Nothing here
// asserts a duration: each test waits for a condition with a deadline.
import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckRunner, type CheckRunnerOptions } from './runner.js';
import type { CheckSpec, CheckState } from './state.js';

const servers: (Server | HttpServer)[] = [];
const runners: CheckRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
  for (const s of servers.splice(0)) {
    if ('closeAllConnections' in s) s.closeAllConnections();
    if (s.listening) await new Promise((r) => s.close(r));
  }
});

async function listen<S extends Server | HttpServer>(server: S): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

function check(over: Partial<CheckSpec>): CheckSpec {
  return {
    name: 'c',
    kind: 'http',
    port: 'http',
    path: '/',
    expectStatus: 0,
    command: [],
    intervalMs: 50,
    timeoutMs: 1000,
    successThreshold: 1,
    failureThreshold: 2,
    restartAfter: 0,
    initialDelayMs: 0,
    ...over,
  };
}

/** A runner whose callbacks are recorded; stopped after the test. */
function start(checks: CheckSpec[], ports: Record<string, number> = {}, over: Partial<CheckRunnerOptions> = {}) {
  const changes: { name: string; state: CheckState }[] = [];
  const restarts: { name: string; reason: string }[] = [];
  const runner = new CheckRunner({
    checks,
    resolvePort: (name) => (ports[name] === undefined ? undefined : { host: '127.0.0.1', port: ports[name] }),
    exec: { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } },
    onChange: (name, state) => changes.push({ name, state }),
    onRestart: (name, reason) => restarts.push({ name, reason }),
    ...over,
  });
  runners.push(runner);
  const status = (name = 'c') => runner.snapshot().get(name)!;
  return { runner, changes, restarts, status };
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('CheckRunner', () => {
  it('http: healthy while the server answers 200, unhealthy after failureThreshold 503s', async () => {
    let answer = 200;
    const port = await listen(createHttpServer((_req, res) => res.writeHead(answer).end()));
    const { runner, changes, status } = start([check({ failureThreshold: 2 })], { http: port });
    expect(runner.health()).toBe('starting');
    await waitFor(() => status().status === 'healthy', 'healthy');
    expect(runner.health()).toBe('healthy');
    answer = 503;
    await waitFor(() => status().status === 'unhealthy', 'unhealthy');
    expect(changes.map((c) => c.state.status)).toEqual(['healthy', 'unhealthy']);
    const last = changes[1]!.state;
    expect(last.consecutiveFailures).toBe(2);
    expect(last.lastResult).toMatchObject({ ok: false, detail: 'HTTP 503' });
    expect(runner.health()).toBe('unhealthy');
  });

  it('tcp: unhealthy once the port closes', async () => {
    const sockets = new Set<Socket>();
    const server = createTcpServer((s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
    const port = await listen(server);
    const { status } = start([check({ kind: 'tcp', port: 'db', failureThreshold: 1 })], { db: port });
    await waitFor(() => status().status === 'healthy', 'healthy');
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
    await waitFor(() => status().status === 'unhealthy', 'unhealthy');
    expect(status().lastResult?.detail).toBe('connect ECONNREFUSED');
  });

  it('exec: `true` is healthy, `sh -c "exit 1"` unhealthy, and the instance with both unhealthy', async () => {
    const { runner, status } = start([
      check({ name: 'ok', kind: 'exec', command: ['true'] }),
      check({ name: 'bad', kind: 'exec', command: ['sh', '-c', 'exit 1'] }),
    ]);
    await waitFor(() => status('ok').status === 'healthy' && status('bad').status === 'unhealthy', 'both decided');
    expect(status('bad').lastResult?.detail).toBe('exit 1');
    expect(runner.health()).toBe('unhealthy');
  });

  it('a server that never answers fails with a timeout detail', async () => {
    const port = await listen(createHttpServer(() => undefined));
    const { status } = start([check({ timeoutMs: 150, intervalMs: 200, failureThreshold: 1 })], { http: port });
    await waitFor(() => status().status === 'unhealthy', 'unhealthy', 3000);
    expect(status().lastResult).toMatchObject({ ok: false, detail: 'timeout after 150 ms' });
  });

  it('a port the instance does not have fails the check, and the runner goes on', async () => {
    const { status } = start([check({ port: 'nope', failureThreshold: 1 })], {});
    await waitFor(() => status().status === 'unhealthy', 'unhealthy');
    expect(status().lastResult?.detail).toBe('no port named "nope"');
  });

  it('goes on from stored states (an agent restart), not from starting', async () => {
    const port = await listen(createHttpServer((_req, res) => res.writeHead(503).end()));
    const stored: CheckState = {
      status: 'healthy',
      consecutivePasses: 7,
      consecutiveFailures: 0,
      lastResult: { ok: true, detail: 'HTTP 200', atMs: 1, durationMs: 1 },
      since: 1,
    };
    const results: CheckState[] = [];
    const { status, restarts } = start(
      [check({ failureThreshold: 2, restartAfter: 2 })],
      { http: port },
      {
        resume: { c: stored },
        onResult: (_check, state) => results.push(state),
      },
    );
    expect(status()).toEqual(stored);
    await waitFor(() => status().status === 'unhealthy', 'unhealthy after two failures');
    // Healthy, then one failure (still healthy), then the second: never `starting` on the way.
    expect(results.slice(0, 2).map((r) => r.status)).toEqual(['healthy', 'unhealthy']);
    expect(results[0]).toMatchObject({ status: 'healthy', consecutiveFailures: 1, consecutivePasses: 0 });
    await waitFor(() => restarts.length === 1, 'the restart');
    expect(restarts[0]!.reason).toBe('check "c" failed 2 times in a row: HTTP 503');
  });

  it('restartAfter asks for a restart once per failure streak', async () => {
    let answer = 503;
    const port = await listen(createHttpServer((_req, res) => res.writeHead(answer).end()));
    const { restarts, status } = start([check({ failureThreshold: 1, restartAfter: 2 })], { http: port });
    await waitFor(() => status().consecutiveFailures >= 5, 'a long failure streak');
    expect(restarts).toEqual([{ name: 'c', reason: 'check "c" failed 2 times in a row: HTTP 503' }]);
    answer = 200;
    await waitFor(() => status().status === 'healthy', 'healthy again');
    answer = 500;
    await waitFor(() => status().consecutiveFailures >= 3, 'a second streak');
    expect(restarts).toHaveLength(2);
  });

  it('never overlaps runs of one check, even when a probe is slower than the interval', async () => {
    let inFlight = 0;
    let most = 0;
    let runs = 0;
    const slow = async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 80));
      inFlight--;
      runs++;
      return { ok: true, detail: 'slow' };
    };
    start([check({ intervalMs: 10 })], {}, { probe: slow });
    await waitFor(() => runs >= 4, 'four runs');
    expect(most).toBe(1);
  });

  it('waits initialDelayMs before the first probe', async () => {
    let runs = 0;
    const probe = async () => (runs++, { ok: true, detail: '' });
    const { runner } = start([check({ initialDelayMs: 60_000 }), check({ name: 'now' })], {}, { probe });
    await waitFor(() => runs >= 3, 'the undelayed check to run');
    // Every run so far was the undelayed check's.
    expect(runner.snapshot().get('c')!.lastResult).toBeUndefined();
  });

  it('stop() cancels timers and probes in flight: no process, socket or timer left, no callback after', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mo-checks-'));
    try {
      const pidFile = join(dir, 'pid');
      const silent = await listen(createHttpServer(() => undefined));
      const open = await listen(createTcpServer((s) => s.on('error', () => undefined)));
      const baseline = resources();
      const { runner, changes, restarts } = start(
        [
          check({ name: 'exec', kind: 'exec', command: ['sh', '-c', `echo $$ > ${pidFile}; exec sleep 30`] }),
          check({ name: 'http', timeoutMs: 30_000, intervalMs: 30_000 }),
          check({ name: 'tcp', kind: 'tcp', port: 'tcp', failureThreshold: 1, restartAfter: 1 }),
          check({ name: 'later', initialDelayMs: 60_000 }),
        ],
        { http: silent, tcp: open },
      );
      const pid = Number(await waitForFile(pidFile));
      await waitFor(() => changes.some((c) => c.name === 'tcp'), 'the tcp check to pass');
      // The measure sees what is in flight (the process, the sockets, the timers)…
      expect(sameOrFewer(resources(), baseline)).toBe(false);
      await runner.stop();
      await runner.stop(); // idempotent
      expect(isRunning(pid)).toBe(false);
      const seen = [changes.length, restarts.length];
      await new Promise((r) => setTimeout(r, 200));
      expect([changes.length, restarts.length]).toEqual(seen);
      // …and none of it after. Server-side sockets close a moment after the client's: wait for them, not for ours.
      await waitFor(() => sameOrFewer(resources(), baseline), `resources back to baseline: ${resources()}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects two checks of one name', () => {
    expect(() => start([check({}), check({})])).toThrow('duplicate check name "c"');
  });
});

/** Handles that would keep running: sockets, processes, timers (Jest's own are in the baseline). */
function resources(): string[] {
  return process
    .getActiveResourcesInfo()
    .filter((r) => ['TCPSocketWrap', 'ProcessWrap', 'PipeWrap', 'Timeout'].includes(r))
    .sort();
}

function sameOrFewer(now: string[], baseline: string[]): boolean {
  const count = (list: string[], r: string) => list.filter((x) => x === r).length;
  return now.every((r) => count(now, r) <= count(baseline, r));
}

async function waitForFile(path: string): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const text = await readFile(path, 'utf8').catch(() => '');
    if (text.trim()) return text.trim();
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${path}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return true;
}
