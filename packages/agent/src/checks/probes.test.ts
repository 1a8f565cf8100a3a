// Each probe against real loopback servers and real processes: what it reports, that its timeout
// and an abort bound it, and that it leaves nothing behind.
import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeExec, probeHttp, probeTcp, runProbe } from './probes.js';
import type { CheckSpec } from './state.js';

const never = new AbortController().signal;
const servers: (Server | HttpServer)[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    if ('closeAllConnections' in s) s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function listen<S extends Server | HttpServer>(server: S): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

/** A port nothing listens on: one just closed. */
async function closedPort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

function httpServer(handler: Parameters<typeof createHttpServer>[1]) {
  return listen(createHttpServer(handler));
}

const http = (port: number, path = '/', expectStatus = 0, timeoutMs = 2000) =>
  probeHttp({ host: '127.0.0.1', port, path, expectStatus, timeoutMs }, never);

describe('probeHttp', () => {
  it('passes on 2xx and 3xx (no redirect followed), fails on 4xx and 5xx', async () => {
    const port = await httpServer((req, res) => {
      const status = Number(req.url!.slice(1));
      if (status === 302) res.setHeader('location', 'http://127.0.0.1:1/');
      res.writeHead(status).end('x');
    });
    expect(await http(port, '/200')).toEqual({ ok: true, detail: 'HTTP 200' });
    expect(await http(port, '/204')).toEqual({ ok: true, detail: 'HTTP 204' });
    expect(await http(port, '/302')).toEqual({ ok: true, detail: 'HTTP 302' });
    expect(await http(port, '/404')).toEqual({ ok: false, detail: 'HTTP 404' });
    expect(await http(port, '/503')).toEqual({ ok: false, detail: 'HTTP 503' });
  });

  it('with expectStatus, passes on that status only', async () => {
    const port = await httpServer((req, res) => res.writeHead(Number(req.url!.slice(1))).end());
    expect(await http(port, '/418', 418)).toEqual({ ok: true, detail: 'HTTP 418' });
    expect(await http(port, '/200', 418)).toEqual({ ok: false, detail: 'HTTP 200' });
  });

  it('asks for the path given (a path without its slash gets one)', async () => {
    const seen: string[] = [];
    const port = await httpServer((req, res) => (seen.push(req.url!), res.end()));
    await http(port, '/healthz?deep=1');
    await http(port, 'ready');
    expect(seen).toEqual(['/healthz?deep=1', '/ready']);
  });

  it('reads a few KiB of an endless body, then hangs up with the status as the answer', async () => {
    const port = await httpServer((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(1024, 'a');
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    expect(await http(port)).toEqual({ ok: true, detail: 'HTTP 200' });
  });

  it('reaches an IPv6 address (the Host header bracketed)', async () => {
    const hosts: string[] = [];
    const server = createHttpServer((req, res) => (hosts.push(req.headers.host ?? ''), res.end()));
    servers.push(server);
    const listening = await new Promise<boolean>((r) => {
      server.once('error', () => r(false));
      server.listen(0, '::1', () => r(true));
    });
    if (!listening) return; // no IPv6 loopback on this host
    const { port } = server.address() as AddressInfo;
    const r = await probeHttp({ host: '::1', port, path: '/', expectStatus: 0, timeoutMs: 2000 }, never);
    expect(r).toEqual({ ok: true, detail: 'HTTP 200' });
    expect(hosts).toEqual([`[::1]:${port}`]);
  });

  it('says why it could not connect', async () => {
    expect(await http(await closedPort())).toEqual({ ok: false, detail: 'connect ECONNREFUSED' });
  });

  it('fails with a timeout when the server never answers, within about the timeout', async () => {
    const port = await httpServer(() => undefined);
    const started = Date.now();
    expect(await http(port, '/', 0, 200)).toEqual({ ok: false, detail: 'timeout after 200 ms' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('stops at once on abort', async () => {
    const port = await httpServer(() => undefined);
    const ac = new AbortController();
    const p = probeHttp({ host: '127.0.0.1', port, path: '/', expectStatus: 0, timeoutMs: 60_000 }, ac.signal);
    ac.abort();
    expect(await p).toEqual({ ok: false, detail: 'cancelled' });
  });
});

describe('probeTcp', () => {
  it('passes when a connection is accepted, fails with the reason when refused', async () => {
    const port = await listen(createTcpServer((s) => s.destroy()));
    expect(await probeTcp({ host: '127.0.0.1', port, timeoutMs: 2000 }, never)).toEqual({
      ok: true,
      detail: 'connected',
    });
    const closed = await closedPort();
    expect(await probeTcp({ host: '127.0.0.1', port: closed, timeoutMs: 2000 }, never)).toEqual({
      ok: false,
      detail: 'connect ECONNREFUSED',
    });
  });
});

describe('probeExec', () => {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  const exec = (command: string[], timeoutMs = 5000, extraEnv: Record<string, string> = {}) =>
    probeExec({ command, timeoutMs, env: { ...env, ...extraEnv } }, never);

  it('passes on exit 0 and fails on any other, with the exit code and the last stderr line', async () => {
    expect(await exec(['true'])).toEqual({ ok: true, detail: 'exit 0' });
    expect(await exec(['sh', '-c', 'exit 1'])).toEqual({ ok: false, detail: 'exit 1' });
    expect(await exec(['sh', '-c', 'echo first >&2; echo "  db down  " >&2; echo >&2; exit 3'])).toEqual({
      ok: false,
      detail: 'exit 3: db down',
    });
  });

  it('bounds the detail to 256 characters', async () => {
    const r = await exec(['sh', '-c', `printf '%0500d\\n' 0 >&2; exit 2`]);
    expect(r.ok).toBe(false);
    expect(r.detail.length).toBeLessThanOrEqual(256);
    expect(r.detail).toMatch(/^exit 2: 0+…$/);
  });

  it('runs with the environment given, not the agent’s', async () => {
    process.env.MO_CHECKS_TEST_LEAK = '1';
    try {
      const r = await exec(['sh', '-c', 'test "$MO_PORT_HTTP" = 8080 && test -z "$MO_CHECKS_TEST_LEAK"'], 5000, {
        MO_PORT_HTTP: '8080',
      });
      expect(r).toEqual({ ok: true, detail: 'exit 0' });
    } finally {
      delete process.env.MO_CHECKS_TEST_LEAK;
    }
  });

  it('runs as the uid and gid given (the workload’s user), when the agent may switch', async () => {
    if (process.getuid?.() !== 0) return; // only root may run a check as another user
    const r = await probeExec(
      {
        command: ['sh', '-c', 'test "$(id -u):$(id -g)" = 65534:65534'],
        timeoutMs: 5000,
        env,
        uid: 65534,
        gid: 65534,
        cwd: '/',
      },
      never,
    );
    expect(r).toEqual({ ok: true, detail: 'exit 0' });
  });

  it('fails (does not throw) when the command cannot be run', async () => {
    expect(await exec(['/nonexistent/mo-check'])).toEqual({ ok: false, detail: 'spawn ENOENT' });
    expect(await exec([])).toEqual({ ok: false, detail: 'no command' });
  });

  it('at the timeout, kills the whole process group, children included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mo-checks-'));
    try {
      const pids = join(dir, 'pids');
      // A child in the background and one in the foreground, both holding stderr open.
      const script = `sleep 30 & echo $! >> ${pids}; sh -c 'echo $$ >> ${pids}; exec sleep 30'`;
      const r = await exec(['sh', '-c', script], 300);
      expect(r).toEqual({ ok: false, detail: 'timeout after 300 ms (killed)' });
      const started = (await readFile(pids, 'utf8')).trim().split('\n').map(Number);
      expect(started).toHaveLength(2);
      for (const pid of started) await expectGone(pid);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('on abort, kills the group and resolves once it is reaped', async () => {
    const ac = new AbortController();
    const p = probeExec({ command: ['sleep', '30'], timeoutMs: 60_000, env }, ac.signal);
    ac.abort();
    expect(await p).toEqual({ ok: false, detail: 'cancelled' });
  });
});

describe('runProbe', () => {
  const spec = (over: Partial<CheckSpec>): CheckSpec => ({
    name: 'c',
    kind: 'tcp',
    port: 'http',
    path: '/',
    expectStatus: 0,
    command: [],
    intervalMs: 100,
    timeoutMs: 1000,
    successThreshold: 1,
    failureThreshold: 1,
    restartAfter: 0,
    initialDelayMs: 0,
    ...over,
  });

  it('resolves the named port, and fails when the instance has no port by that name', async () => {
    const port = await httpServer((_req, res) => res.end());
    const ctx = {
      resolvePort: (n: string) => (n === 'http' ? { host: '127.0.0.1', port } : undefined),
      exec: { env: {} },
    };
    expect(await runProbe(spec({ kind: 'http' }), ctx, never)).toEqual({ ok: true, detail: 'HTTP 200' });
    expect(await runProbe(spec({ kind: 'tcp' }), ctx, never)).toEqual({ ok: true, detail: 'connected' });
    expect(await runProbe(spec({ kind: 'tcp', port: 'admin' }), ctx, never)).toEqual({
      ok: false,
      detail: 'no port named "admin"',
    });
  });
});

/**
 * The process is dead: gone, or a zombie. A killed grandchild is reparented to init, and whether
 * init reaps it is the host's business (this sandbox's pid 1 does not), so a zombie counts as dead.
 */
async function expectGone(pid: number): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    // The state is the field after the parenthesised command name.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (!stat || state === 'Z') return;
    if (Date.now() > deadline) throw new Error(`process ${pid} still running (state ${state})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
