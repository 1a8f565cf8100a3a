// A dev cluster's claim on its span of ports, host-wide, so a second `mo dev` whose ports would
// overlap is refused before it starts anything, with the first one named. A claim is a listening
// Linux abstract unix socket per hundred ports the span touches (`@mo-dev-ports/76`): exclusive
// without a lock file, gone when its process dies however it dies, and scoped like the ports
// themselves (per network namespace). Whoever connects to one reads its holder's description.
import net from 'node:net';
import { UsageError } from '../errors.js';
import {
  autoBlocks,
  daemonPortsOf,
  DEV_AUTO_BAND,
  formatRange,
  slotsOf,
  spanOf,
  type PortRange,
} from './cluster-ports.js';

/** What a claim's holder says about itself. */
export interface ClaimHolder {
  pid: number;
  ports: string;
  dataDir: string;
}

const ASK_TIMEOUT_MS = 1000;

function socketName(slot: number): string {
  return `\0mo-dev-ports/${slot}`;
}

/** Listens on one slot; false if another process holds it. */
function listenSlot(slot: number, me: ClaimHolder): Promise<net.Server | false> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((s) => s.end(`${JSON.stringify(me)}\n`));
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(false) : reject(err)));
    server.listen({ path: socketName(slot) }, () => {
      // Held for as long as mo dev runs, but never the reason it keeps running.
      server.unref();
      resolve(server);
    });
  });
}

/** Asks a slot's holder who it is (undefined if it does not answer). */
function askHolder(slot: number): Promise<ClaimHolder | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const s = net.connect({ path: socketName(slot) });
    s.setTimeout(ASK_TIMEOUT_MS, () => s.destroy());
    s.setEncoding('utf8');
    s.on('data', (d: string) => (text += d));
    s.on('error', () => resolve(undefined));
    s.on('close', () => {
      try {
        resolve(JSON.parse(text) as ClaimHolder);
      } catch {
        resolve(undefined);
      }
    });
  });
}

/** A held claim; release() is idempotent. */
export class PortClaim {
  constructor(
    readonly span: PortRange,
    private readonly servers: net.Server[],
  ) {}

  release(): void {
    for (const s of this.servers.splice(0)) s.close();
  }
}

/** Claims every slot of `span`, or returns the holder of the first slot taken (nothing held then). */
export async function claimSpan(
  span: PortRange,
  me: ClaimHolder,
): Promise<{ claim: PortClaim } | { slot: number; holder: ClaimHolder | undefined }> {
  const servers: net.Server[] = [];
  for (const slot of slotsOf(span)) {
    const server = await listenSlot(slot, me).catch((err: unknown) => {
      for (const s of servers) s.close();
      throw err;
    });
    if (server) {
      servers.push(server);
      continue;
    }
    for (const s of servers) s.close();
    return { slot, holder: await askHolder(slot) };
  }
  return { claim: new PortClaim(span, servers) };
}

/** True if something on this host already listens on 127.0.0.1:port. */
function inUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(true));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

/**
 * The ports of a dev cluster about to start, claimed: its span (from `portBase`, or with 0 the
 * first free block of DEV_AUTO_BAND), checked against other dev clusters and against whatever
 * already listens on its daemon ports. Errors name --port-base and the port.
 */
export async function claimDevPorts(portBase: number, agents: number, dataDir: string): Promise<PortClaim> {
  const me = (span: PortRange): ClaimHolder => ({ pid: process.pid, ports: formatRange(span), dataDir });
  if (portBase === 0) {
    for (const base of autoBlocks()) {
      const r = await claimSpan(spanOf(base), me(spanOf(base)));
      if ('claim' in r) return r.claim;
    }
    throw new UsageError(
      `0: every block of 1000 ports in ${formatRange(DEV_AUTO_BAND)} is taken by other dev clusters: give a --port-base`,
      '--port-base',
    );
  }
  const span = spanOf(portBase);
  const r = await claimSpan(span, me(span));
  if (!('claim' in r)) {
    const h = r.holder;
    const theirs = h ? `another mo dev's ${h.ports} (pid ${h.pid}, data dir ${h.dataDir})` : 'another mo dev';
    const next = h ? Number(/-(\d+)$/.exec(h.ports)?.[1]) + 1 : NaN;
    const hint = Number.isFinite(next) ? `, e.g. --port-base ${Math.ceil(next / 100) * 100}` : '';
    throw new UsageError(
      `${portBase}: its ports ${formatRange(span)} reach into ${r.slot * 100}-${r.slot * 100 + 99}, held by ${theirs}; ` +
        `dev clusters on one host claim whole hundreds of ports and need bases 1000 apart${hint}`,
      '--port-base',
    );
  }
  for (const { port, what } of daemonPortsOf(portBase, agents)) {
    if (await inUse(port)) {
      r.claim.release();
      throw new UsageError(`${portBase}: port ${port} (${what}) is in use on 127.0.0.1`, '--port-base');
    }
  }
  return r.claim;
}
