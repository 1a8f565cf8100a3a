// An HTTP CONNECT proxy from the environment (grpc_proxy / https_proxy / http_proxy, no_proxy) is
// used by every mo command alike: the wire client (`mo status`, `mo nodes`, `mo ps`, `mo start`,
// `mo stop`) picks it by grpc-js's rules, so those reach the scheduler by the same route as the
// commands on grpc-js (`mo pipeline list`). A real proxy in this process, a real scheduler.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runMo, startSchedulerProcess, type SchedulerProcess } from '@mo/testkit';
import { createServer, type Server } from 'node:http';
import { connect as netConnect } from 'node:net';

let scheduler: SchedulerProcess;
let proxy: Server;
let proxyUrl: string;
/** Each CONNECT the proxy saw: its target and Proxy-Authorization. */
const seen: Array<{ target: string; auth: string | undefined }> = [];
let refuse = false;

beforeAll(async () => {
  scheduler = await startSchedulerProcess();
  proxy = createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, client, head) => {
    seen.push({ target: req.url ?? '', auth: req.headers['proxy-authorization'] });
    if (refuse) return client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    const [host, port] = [
      req.url!.slice(0, req.url!.lastIndexOf(':')),
      Number(req.url!.slice(req.url!.lastIndexOf(':') + 1)),
    ];
    const upstream = netConnect({ host, port }, () => {
      client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const a = proxy.address();
  proxyUrl = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});

afterAll(async () => {
  proxy?.closeAllConnections();
  proxy?.close();
  await scheduler?.kill();
});

const env = (extra: NodeJS.ProcessEnv) => ({ MO_SCHEDULER_ADDR: scheduler.grpcAddress, ...extra });

describe('mo through an HTTP CONNECT proxy', () => {
  it('takes https_proxy for the wire commands and the grpc-js ones alike, with its credentials', async () => {
    seen.length = 0;
    const status = await runMo(['status'], { env: env({ https_proxy: `http://u%40x:p%3Aw@${proxyUrl.slice(7)}` }) });
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    const pipelines = await runMo(['pipeline', 'list'], {
      env: env({ https_proxy: `http://u%40x:p%3Aw@${proxyUrl.slice(7)}` }),
    });
    expect(pipelines.code).toBe(0);
    const basic = `Basic ${Buffer.from('u@x:p:w').toString('base64')}`;
    expect(seen.map((s) => s.target)).toEqual([scheduler.grpcAddress, expect.stringContaining(scheduler.grpcAddress)]);
    expect(seen.map((s) => s.auth)).toEqual([basic, basic]);
  });

  it('prefers grpc_proxy, and dials directly for a host in no_proxy (a CIDR or a suffix)', async () => {
    seen.length = 0;
    expect(
      (await runMo(['nodes'], { env: env({ grpc_proxy: proxyUrl, https_proxy: 'http://127.0.0.1:1' }) })).code,
    ).toBe(0);
    expect(seen).toHaveLength(1);
    for (const noProxy of ['127.0.0.0/8', 'localhost,0.0.1']) {
      seen.length = 0;
      const r = await runMo(['status'], { env: env({ https_proxy: proxyUrl, no_proxy: noProxy }) });
      expect(r.code).toBe(0);
      expect(seen).toEqual([]);
    }
  });

  it('says which proxy refused the tunnel', async () => {
    refuse = true;
    try {
      const r = await runMo(['status'], { env: env({ https_proxy: proxyUrl }) });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`proxy ${proxyUrl.slice(7)} refused CONNECT ${scheduler.grpcAddress}: 403 Forbidden`);
    } finally {
      refuse = false;
    }
  });
});
