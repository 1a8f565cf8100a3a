// The etcd store's options, their defaults and validation in one place, and the `--store` flag's
// URL (`etcd://h1:2379,h2:2379[/prefix]`). Pure: unit-tested in options.test.ts.
import type { Logger } from '@mo/api';

export interface EtcdOptions {
  /** Client URLs of the etcd members: 'http://host:port' (or https with `tls`). */
  endpoints: string[];
  /** Key prefix of this mo cluster, default '/mo/'; several clusters may share one etcd. */
  prefix?: string;
  /**
   * Election lease TTL in ms, default 5000 (a standby takes over ≤ 5 s after the leader dies);
   * at least 2000 (etcd refuses shorter leases), rounded up to whole seconds (etcd's unit).
   */
  leaseTtlMs?: number;
  /** Client TLS to etcd: the CA that signed the members' certificates, and a client pair. */
  tls?: { caFile: string; certFile: string; keyFile: string };
  logger?: Logger;
  /** How long one commit (or load, or grant) may wait for etcd before failing UNAVAILABLE. Default 5000. */
  requestTimeoutMs?: number;
  /**
   * etcd's --max-txn-ops (default 128): ops per transaction, one of them the store's own (so a
   * commit holds at most 127 records). Raise it only with the server's flag.
   */
  maxTxnOps?: number;
  /** etcd's --max-request-bytes (default 1.5 MiB): the size of one transaction request. */
  maxRequestBytes?: number;
}

export interface ResolvedEtcdOptions {
  endpoints: string[];
  prefix: string;
  leaseTtlMs: number;
  tls: EtcdOptions['tls'];
  logger: Logger | undefined;
  requestTimeoutMs: number;
  maxTxnOps: number;
  maxRequestBytes: number;
}

export const ETCD_DEFAULTS = {
  prefix: '/mo/',
  leaseTtlMs: 5000,
  requestTimeoutMs: 5000,
  maxTxnOps: 128,
  maxRequestBytes: 1.5 * 1024 * 1024,
} as const;

/** Fills defaults and checks every field; errors name the field and say what is expected. */
export function resolveEtcdOptions(o: EtcdOptions): ResolvedEtcdOptions {
  if (!Array.isArray(o.endpoints) || o.endpoints.length === 0) {
    throw new TypeError('EtcdOptions.endpoints: give at least one etcd client URL, e.g. http://127.0.0.1:2379');
  }
  for (const e of o.endpoints) {
    if (typeof e !== 'string' || !/^https?:\/\/[^/\s]+$/.test(e)) {
      throw new TypeError(`EtcdOptions.endpoints: ${JSON.stringify(e)} is not http(s)://host:port`);
    }
  }
  const secure = o.endpoints.filter((e) => e.startsWith('https:')).length;
  if (secure !== 0 && secure !== o.endpoints.length) {
    throw new TypeError('EtcdOptions.endpoints: mixes http and https URLs; use one scheme for every member');
  }
  const prefix = o.prefix ?? ETCD_DEFAULTS.prefix;
  if (typeof prefix !== 'string' || !prefix.startsWith('/') || !prefix.endsWith('/')) {
    throw new TypeError(`EtcdOptions.prefix: ${JSON.stringify(prefix)} must start and end with '/' (e.g. /mo/)`);
  }
  const leaseTtlMs = o.leaseTtlMs ?? ETCD_DEFAULTS.leaseTtlMs;
  if (!Number.isFinite(leaseTtlMs) || leaseTtlMs < 2000) {
    throw new TypeError(`EtcdOptions.leaseTtlMs: ${leaseTtlMs} is below 2000 ms (etcd's shortest useful lease)`);
  }
  const requestTimeoutMs = o.requestTimeoutMs ?? ETCD_DEFAULTS.requestTimeoutMs;
  positiveInt('requestTimeoutMs', requestTimeoutMs);
  const maxTxnOps = o.maxTxnOps ?? ETCD_DEFAULTS.maxTxnOps;
  positiveInt('maxTxnOps', maxTxnOps);
  if (maxTxnOps < 2) throw new TypeError(`EtcdOptions.maxTxnOps: ${maxTxnOps} is below 2 (one op is the store's own)`);
  const maxRequestBytes = o.maxRequestBytes ?? ETCD_DEFAULTS.maxRequestBytes;
  positiveInt('maxRequestBytes', maxRequestBytes);
  if (o.tls !== undefined) {
    for (const f of ['caFile', 'certFile', 'keyFile'] as const) {
      if (typeof o.tls[f] !== 'string' || o.tls[f] === '')
        throw new TypeError(`EtcdOptions.tls.${f}: give a file path`);
    }
  }
  return {
    endpoints: [...o.endpoints],
    prefix,
    leaseTtlMs,
    tls: o.tls,
    logger: o.logger,
    requestTimeoutMs,
    maxTxnOps,
    maxRequestBytes,
  };
}

function positiveInt(field: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) throw new TypeError(`EtcdOptions.${field}: ${v} is not a positive integer`);
}

/**
 * The `--store` flag: `sqlite` (the default) or `etcd://h1:2379,h2:2379[/prefix]`. The etcd form
 * names members as host:port (http; https when TLS is configured is the caller's choice of
 * scheme) and an optional key prefix (default /mo/).
 */
export function parseStoreUrl(url: string): { kind: 'sqlite' } | { kind: 'etcd'; endpoints: string[]; prefix: string } {
  const bad = (why: string) => new TypeError(`--store: ${JSON.stringify(url)} ${why}`);
  if (url === 'sqlite') return { kind: 'sqlite' };
  const m = /^etcd:\/\/([^/]*)(\/.*)?$/.exec(url);
  if (!m) throw bad("is neither 'sqlite' nor etcd://host:port[,host:port…][/prefix]");
  const hosts = m[1]!.split(',');
  const endpoints: string[] = [];
  for (const h of hosts) {
    const hp = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(h);
    if (!hp || Number(hp[2]) < 1 || Number(hp[2]) > 65535) {
      throw bad(`has a member ${JSON.stringify(h)} that is not host:port (e.g. etcd://10.0.0.1:2379,10.0.0.2:2379)`);
    }
    endpoints.push(`http://${h}`);
  }
  let prefix = m[2] ?? '/mo/';
  if (prefix === '/') throw bad('has an empty key prefix; leave it out for the default /mo/');
  if (!prefix.endsWith('/')) prefix += '/';
  if (/\/\/|\s/.test(prefix)) throw bad(`has a key prefix ${JSON.stringify(prefix)} with an empty segment or a space`);
  return { kind: 'etcd', endpoints, prefix };
}
