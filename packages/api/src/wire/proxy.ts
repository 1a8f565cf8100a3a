// HTTP CONNECT proxies for the wire client, chosen from the environment exactly as grpc-js chooses
// them (its http_proxy.ts), so `mo status` and `mo logs` reach a scheduler by the same route:
// grpc_proxy, else https_proxy, else http_proxy (an http: URL; user:password sent as Basic), unless
// the target's host is in no_grpc_proxy, else no_proxy (comma-separated: host or domain suffixes,
// IPv4 CIDRs). The tunnel is a plain net socket with the CONNECT written by hand: node:http would
// cost every `mo status` its load time.
import { connect as netConnect, type Socket } from 'node:net';
import { Duplex } from 'node:stream';

export interface ProxyInfo {
  /** host:port of the proxy. */
  address: string;
  /** user[:password] for Proxy-Authorization. */
  creds?: string;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function ipv4ToInt(ip: string): number | undefined {
  const m = IPV4.exec(ip);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return octets.reduce((acc, o) => ((acc << 8) | o) >>> 0, 0);
}

/** Whether `host` is in a no-proxy list (grpc-js's rules: CIDR for an IPv4 host, else a suffix). */
function excluded(host: string, list: string): boolean {
  const ip = ipv4ToInt(host);
  for (const entry of list.split(',')) {
    const [net, bits] = entry.split('/');
    if (bits !== undefined && ip !== undefined) {
      const base = ipv4ToInt(net!);
      const prefix = Number.parseInt(bits, 10);
      if (base !== undefined && prefix >= 0 && prefix <= 32) {
        const mask = prefix === 0 ? 0 : (-1 << (32 - prefix)) >>> 0;
        if ((ip & mask) >>> 0 === (base & mask) >>> 0) return true;
        continue;
      }
    }
    if (host.endsWith(entry)) return true;
  }
  return false;
}

/** The proxy a call to `target` (host:port) goes through, or undefined for a direct dial. */
/** Every variable proxyFor reads: a connection made under other values may take another route. */
export const PROXY_VARIABLES = ['grpc_proxy', 'https_proxy', 'http_proxy', 'no_grpc_proxy', 'no_proxy'] as const;

export function proxyFor(target: string, env: NodeJS.ProcessEnv): ProxyInfo | undefined {
  const value = env.grpc_proxy || env.https_proxy || env.http_proxy;
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined; // grpc-js logs and dials directly
  }
  if (url.protocol !== 'http:') return undefined;
  const host = target.startsWith('[') ? target.slice(1, target.indexOf(']')) : target.slice(0, target.lastIndexOf(':'));
  const noProxy = env.no_grpc_proxy || env.no_proxy;
  if (noProxy && excluded(host, noProxy)) return undefined;
  const user = url.username && decodeURIComponent(url.username);
  const creds = user && url.password ? `${user}:${decodeURIComponent(url.password)}` : user;
  return { address: `${url.hostname}:${url.port || '80'}`, ...(creds ? { creds } : {}) };
}

/** Largest CONNECT response head read (a proxy's status line and headers). */
const MAX_HEAD = 16 * 1024;

/**
 * A stream to `target` through the proxy: writes wait for the proxy's 200, reads start after its
 * head. Errors name the proxy.
 */
export function tunnel(proxy: ProxyInfo, target: string): Duplex {
  let socket: Socket | undefined;
  let queued: Array<() => void> = [];
  const stream = new Duplex({
    read() {
      socket?.resume();
    },
    write(chunk: Buffer, _enc, done) {
      if (socket) socket.write(chunk, done);
      else queued.push(() => socket!.write(chunk, done));
    },
    final(done) {
      if (socket) socket.end(done);
      else queued.push(() => socket!.end(done));
    },
    destroy(err, done) {
      raw.destroy();
      done(err);
    },
  });
  const [host, port] = splitAddress(proxy.address);
  const raw = netConnect({ host, port });
  raw.setNoDelay(true);
  const auth = proxy.creds ? `Proxy-Authorization: Basic ${Buffer.from(proxy.creds).toString('base64')}\r\n` : '';
  raw.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth}\r\n`);
  let head = Buffer.alloc(0);
  const onHead = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) {
      if (head.length > MAX_HEAD) stream.destroy(new Error(`proxy ${proxy.address}: no CONNECT answer`));
      return;
    }
    raw.off('data', onHead);
    const status = /^HTTP\/1\.[01] (\d{3})([^\r]*)/.exec(head.subarray(0, end).toString('latin1'));
    if (status?.[1] !== '200') {
      const said = status ? `${status[1]}${status[2]}` : 'not HTTP';
      return stream.destroy(new Error(`proxy ${proxy.address} refused CONNECT ${target}: ${said}`));
    }
    socket = raw;
    const rest = head.subarray(end + 4);
    if (rest.length) stream.push(rest);
    raw.on('data', (d: Buffer) => {
      if (!stream.push(d)) raw.pause();
    });
    raw.on('end', () => stream.push(null));
    for (const send of queued) send();
    queued = [];
  };
  raw.on('data', onHead);
  raw.on('error', (err) => stream.destroy(new Error(`proxy ${proxy.address}: ${err.message}`)));
  raw.on('close', () => stream.destroy());
  return stream;
}

function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i);
  return [host.startsWith('[') ? host.slice(1, -1) : host, Number(address.slice(i + 1))];
}
