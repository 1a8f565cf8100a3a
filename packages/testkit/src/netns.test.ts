// The network-namespace test bed on the real kernel: hosts reach each other and the host
// namespace (with docker's FORWARD DROP policy present), a partition is silent both ways, a cut
// link drops the carrier, both heal, and close (or the next run's sweep) leaves nothing behind.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { bedNames } from './netns-plan.js';
import { createNetnsBed, netnsUnavailable, type NetnsBed, type NetnsHost } from './netns.js';
import { requireTool } from './wait.js';

const why = netnsUnavailable();
const available = requireTool(!why, `a network-namespace test bed (${why})`);
const maybe = available ? describe : describe.skip;

/** "connected", an error code, or "pending" when nothing came back within `ms` (a silent drop). */
const PROBE = `const s = require('net').connect(+process.argv[2], process.argv[1]);
setTimeout(() => { console.log('pending'); process.exit(0); }, +process.argv[3]);
s.on('connect', () => { console.log('connected'); process.exit(0); });
s.on('error', (e) => { console.log(e.code); process.exit(0); });`;

function probeFrom(host: NetnsHost, address: string, port: number, ms = 1500): Promise<string> {
  return host.exec([process.execPath, '-e', PROBE, address, String(port), String(ms)]).then((s) => s.trim());
}

function probeHere(address: string, port: number, ms = 1500): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, address);
    const timer = setTimeout(() => {
      s.destroy();
      resolve('pending');
    }, ms);
    s.on('connect', () => {
      clearTimeout(timer);
      s.destroy();
      resolve('connected');
    });
    s.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(e.code ?? e.message);
    });
  });
}

/** A TCP listener inside `host` on its address; resolves with the port once it listens. */
async function listenIn(host: NetnsHost): Promise<number> {
  const child = host.spawn(
    [
      process.execPath,
      '-e',
      `const s = require('net').createServer((c) => c.end()); s.listen(0, process.argv[1], () => console.log(s.address().port));`,
      host.address,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', (code) => reject(new Error(`listener in ${host.netns} exited ${code}`)));
  });
}

const links = () => execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
const namespaces = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
const forwardRules = () => execFileSync('iptables', ['-w', '-S', 'FORWARD'], { encoding: 'utf8' });

maybe('a network-namespace test bed', () => {
  let bed: NetnsBed;
  let server: Server;
  let hostPort: number;
  const h0 = () => bed.hosts[0]!;
  const h1 = () => bed.hosts[1]!;

  beforeAll(async () => {
    bed = await createNetnsBed({ hosts: 2 });
    server = createServer((c) => c.end());
    await new Promise<void>((r) => server.listen(0, bed.hostAddress, r));
    hostPort = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    server?.close();
    await bed?.close();
  });

  it('connects its hosts to the host namespace and to each other', async () => {
    expect(bed.subnet).toMatch(/^10\.\d+\.\d+\.0\/24$/);
    expect(h0().address).toBe(bed.hostAddress.replace(/\.1$/, '.2'));
    expect(await probeFrom(h0(), bed.hostAddress, hostPort)).toBe('connected');
    const port1 = await listenIn(h1());
    expect(await probeHere(h1().address, port1)).toBe('connected');
    // Bridged between namespaces: passes docker's FORWARD chain (policy DROP) by the bed's rule.
    expect(await probeFrom(h0(), h1().address, port1)).toBe('connected');
  });

  it('partitions a host silently, both ways, and heals it', async () => {
    const port0 = await listenIn(h0());
    await h0().partition();
    try {
      // Packets vanish: no refusal, no error, on either side.
      expect(await probeFrom(h0(), bed.hostAddress, hostPort)).toBe('pending');
      expect(await probeHere(h0().address, port0)).toBe('pending');
      expect(await probeFrom(h1(), h0().address, port0)).toBe('pending');
    } finally {
      await h0().heal();
    }
    expect(await probeFrom(h0(), bed.hostAddress, hostPort)).toBe('connected');
    expect(await probeHere(h0().address, port0)).toBe('connected');
  });

  it('cuts a host’s link (no carrier inside) and heals it', async () => {
    await h1().cutLink();
    try {
      expect(execFileSync('ip', ['-n', h1().netns, 'link', 'show', h1().nsVeth], { encoding: 'utf8' })).toMatch(
        /NO-CARRIER/,
      );
      expect(await probeFrom(h1(), bed.hostAddress, hostPort, 500)).not.toBe('connected');
    } finally {
      await h1().heal();
    }
    expect(await probeFrom(h1(), bed.hostAddress, hostPort)).toBe('connected');
  });
});

maybe('a test bed’s cleanup', () => {
  it('close, even mid-partition, kills what runs inside (started by the bed or not) and removes every namespace, link, rule and lock', async () => {
    const bed = await createNetnsBed({ hosts: 1 });
    const h = bed.hosts[0]!;
    const server = createServer((c) => c.on('data', () => undefined));
    await new Promise<void>((r) => server.listen(0, bed.hostAddress, r));
    try {
      // A connection with data in flight when the partition starts: its socket must not keep the
      // namespace (and so the veth) alive after close.
      const port = (server.address() as { port: number }).port;
      const talker = h.spawn(
        [
          process.execPath,
          '-e',
          `const s = require('net').connect(+process.argv[2], process.argv[1], () => console.log('up'));
           setInterval(() => s.write('x'.repeat(1000)), 50);`,
          bed.hostAddress,
          String(port),
        ],
        { stdio: ['ignore', 'pipe', 'ignore'] },
      );
      await new Promise((r) => talker.stdout!.once('data', r));
      const untracked = spawn('ip', ['netns', 'exec', h.netns, 'sleep', '600'], { stdio: 'ignore', detached: true });
      untracked.unref();
      await h.partition();
      const base = bed.bridge.slice(0, -2);
      const lock = `/run/mo-netns/${bed.subnet.replace(/\.0\/24$/, '')}`;
      expect(links()).toContain(bed.bridge);
      expect(forwardRules()).toContain(base);
      expect(existsSync(lock)).toBe(true);
      const exits = [talker, untracked].map((c) => new Promise((r) => c.once('exit', r)));
      await bed.close();
      await Promise.all(exits);
      await bed.close(); // idempotent
      expect(namespaces()).not.toContain(base);
      expect(links()).not.toContain(base);
      expect(forwardRules()).not.toContain(base);
      expect(existsSync(lock)).toBe(false);
    } finally {
      server.close();
      await bed.close().catch(() => undefined);
    }
  });

  it('sweeps what a dead run left behind when the next bed is made', async () => {
    // A pid that is surely gone: a process that has exited.
    const gone = spawn('true');
    await new Promise((r) => gone.once('exit', r));
    const n = bedNames(gone.pid!, 0);
    execFileSync('ip', ['netns', 'add', n.netns(0)]);
    execFileSync('ip', ['link', 'add', n.bridge, 'type', 'bridge']);
    const rule = ['FORWARD', '-i', n.bridge, '-o', n.bridge, '-j', 'ACCEPT', '-m', 'comment', '--comment', n.base];
    execFileSync('iptables', ['-w', '-I', ...rule]);
    const lock = `/run/mo-netns/leftover-${n.base}`;
    writeFileSync(lock, `${gone.pid} ${n.base}\n`, { flag: 'wx' });
    try {
      const bed = await createNetnsBed();
      await bed.close();
      expect(namespaces()).not.toContain(n.base);
      expect(links()).not.toContain(n.base);
      expect(forwardRules()).not.toContain(n.base);
      expect(existsSync(lock)).toBe(false);
    } finally {
      // If the sweep failed, do not leave the plants behind either.
      for (const args of [
        ['ip', 'netns', 'del', n.netns(0)],
        ['ip', 'link', 'del', n.bridge],
        ['iptables', '-w', '-D', ...rule],
      ]) {
        try {
          execFileSync(args[0]!, args.slice(1), { stdio: 'ignore' });
        } catch {
          // swept, as it should be
        }
      }
    }
  });

  it('gives two beds at once their own names and subnets', async () => {
    const [a, b] = await Promise.all([createNetnsBed({ hosts: 1 }), createNetnsBed({ hosts: 1 })]);
    try {
      expect(a.subnet).not.toBe(b.subnet);
      expect(a.bridge).not.toBe(b.bridge);
      expect(a.hosts[0]!.netns).not.toBe(b.hosts[0]!.netns);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
