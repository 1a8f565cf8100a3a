// The test bed's links on the real kernel: daemons in three namespaces reach each other and the
// host namespace; one link partitioned silently (both ways) leaves every other link up and heals
// alone; an impaired link delays (and drops) what crosses it, and clears; close, mid-fault, leaves
// no namespace, link, qdisc, rule or delay process.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { createNetnsBed, impairUnavailable, netnsUnavailable, type NetnsBed, type NetnsHost } from './netns.js';
import { isAlive, requireTool } from './wait.js';

const why = netnsUnavailable();
const available = requireTool(!why, `a network-namespace test bed (${why})`);
const whyNotImpair = available ? impairUnavailable() : why;
const impairable = available && requireTool(!whyNotImpair, `an impairable link (${whyNotImpair})`);
const maybe = available ? describe : describe.skip;
const maybeImpair = impairable ? it : it.skip;

/** "connected <ms>", an error code, or "pending" when nothing came back within `ms` (a silent drop). */
const PROBE = `const t = process.hrtime.bigint();
const s = require('net').connect(+process.argv[2], process.argv[1]);
setTimeout(() => { console.log('pending'); process.exit(0); }, +process.argv[3]);
s.on('connect', () => { console.log('connected', Number(process.hrtime.bigint() - t) / 1e6); process.exit(0); });
s.on('error', (e) => { console.log(e.code); process.exit(0); });`;

/** How a connection from `from` (a host, or the host namespace) to address:port ends. */
async function probe(from: NetnsHost | 'here', address: string, port: number, ms = 1500): Promise<string> {
  const argv = [process.execPath, '-e', PROBE, address, String(port), String(ms)];
  const out = from === 'here' ? execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8' }) : await from.exec(argv);
  return out.trim();
}
const outcome = (s: string) => s.split(' ')[0];
const connectMs = (s: string) => Number(s.split(' ')[1]);

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

const sh = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' });

maybe('the links of a three-host bed', () => {
  let bed: NetnsBed;
  let server: Server;
  let hostPort: number;
  let portA: number;
  const a = () => bed.hosts[0]!;
  const b = () => bed.hosts[1]!;
  const c = () => bed.hosts[2]!;

  beforeAll(async () => {
    bed = await createNetnsBed({ hosts: 3 });
    server = createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, bed.hostAddress, r));
    hostPort = (server.address() as { port: number }).port;
    portA = await listenIn(a());
  });
  afterAll(async () => {
    server?.close();
    await bed?.close();
  });

  it('lets a daemon in one namespace be reached from the others and from the host namespace, and reach the host', async () => {
    for (const from of [b(), c(), 'here'] as const)
      expect(outcome(await probe(from, a().address, portA))).toBe('connected');
    for (const from of [a(), b(), c()]) expect(outcome(await probe(from, bed.hostAddress, hostPort))).toBe('connected');
  });

  it('partitions A from B silently, both ways, while C and the host namespace still reach A; heals that link alone', async () => {
    const portB = await listenIn(b());
    await a().partitionFrom(b());
    try {
      expect(await probe(b(), a().address, portA)).toBe('pending');
      expect(await probe(a(), b().address, portB)).toBe('pending');
      expect(outcome(await probe(c(), a().address, portA))).toBe('connected');
      expect(outcome(await probe('here', a().address, portA))).toBe('connected');
      expect(outcome(await probe(a(), bed.hostAddress, hostPort))).toBe('connected');
      // Another fault heals on its own, and leaves this one in place.
      await a().partitionFrom(bed.hostAddress);
      expect(await probe('here', a().address, portA)).toBe('pending');
      await a().healFrom(bed.hostAddress);
      expect(outcome(await probe('here', a().address, portA))).toBe('connected');
      expect(await probe(b(), a().address, portA)).toBe('pending');
    } finally {
      await a().healFrom(b());
    }
    expect(outcome(await probe(b(), a().address, portA))).toBe('connected');
    expect(outcome(await probe(a(), b().address, portB))).toBe('connected');
  });

  maybeImpair(
    'delays every packet in and out of an impaired host: a connect to it takes at least 2 × delayMs',
    async () => {
      const delayMs = 200;
      await a().impair({ delayMs });
      try {
        // The SYN waits on the way in, the SYN-ACK on the way out: a lower bound, never a speed target.
        const slow = await probe(c(), a().address, portA, 10_000);
        expect(outcome(slow)).toBe('connected');
        expect(connectMs(slow)).toBeGreaterThanOrEqual(2 * delayMs);
        // Its other links too (the host namespace), not the links between other hosts.
        const fromHere = await probe('here', a().address, portA, 10_000);
        expect(connectMs(fromHere)).toBeGreaterThanOrEqual(2 * delayMs);
      } finally {
        await a().clearImpairment();
      }
      expect(outcome(await probe(c(), a().address, portA))).toBe('connected');
    },
  );

  maybeImpair('drops what crosses an impaired link with lossPercent 100, and heal() clears it', async () => {
    await a().impair({ lossPercent: 100 });
    try {
      expect(await probe(c(), a().address, portA)).toBe('pending');
      expect(outcome(await probe(b(), c().address, await listenIn(c())))).toBe('connected');
    } finally {
      await a().heal();
    }
    expect(outcome(await probe(c(), a().address, portA))).toBe('connected');
  });
});

maybe('a bed closed mid-fault', () => {
  it('leaves no namespace, veth, bridge, qdisc, rule or delay process', async () => {
    const bed = await createNetnsBed({ hosts: 2 });
    const base = bed.bridge.slice(0, -2);
    let inside: number[] = [];
    try {
      const [a, b] = bed.hosts as [NetnsHost, NetnsHost];
      await a.partitionFrom(b, bed.hostAddress);
      if (impairable) await b.impair({ delayMs: 50, jitterMs: 10, lossPercent: 1 });
      inside = sh('ip', 'netns', 'pids', b.netns).split('\n').filter(Boolean).map(Number);
      expect(sh('ip', 'netns', 'exec', a.netns, 'iptables', '-w', '-S')).toContain(`-s ${b.address}/32 -j DROP`);
      if (impairable) expect(inside.length).toBe(1); // the delay queue
    } finally {
      await bed.close();
    }
    expect(sh('ip', 'netns', 'list')).not.toContain(base);
    expect(sh('ip', '-o', 'link', 'show')).not.toContain(base);
    expect(sh('tc', 'qdisc', 'show')).not.toContain(base);
    expect(sh('iptables', '-w', '-S')).not.toContain(base);
    for (const pid of inside) expect(await isAlive(pid)).toBe(false);
  });
});
