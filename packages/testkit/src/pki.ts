// The test run's certificates: one CA per run (in the run dir jest's global setup makes, else a
// temp dir of this process), the scheduler's, an admin client's, and one per agent node, made on
// first use. Every daemon testkit starts gets TLS from here unless asked for plaintext, and the
// clients it hands out carry these certificates. Safe with two jest workers at once: each set of
// files is made in a private temp dir and renamed into place whole (the first rename wins).
import {
  channelCredentials,
  clientTls,
  TlsSource,
  type CertRole,
  type ClientOptions,
  type ClientTls,
  type ExpectedPeer,
} from '@mo/api';
import { createCa, createCertificate, readCa, writePair, type KeyPair } from '@mo/pki';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { tempDataDir } from './daemon.js';

export interface TestPair {
  cert: string;
  key: string;
}

export interface TestPki {
  dir: string;
  /** The CA certificate's path (ca-key.pem beside it). */
  ca: string;
  scheduler: TestPair;
  /** An admin client certificate (CN test-admin). */
  client: TestPair;
}

let made: TestPki | undefined;

/** Where the run's PKI lives: MO_TEST_PKI_DIR, else <MO_TEST_RUN_DIR>/pki, else a temp dir of this process. */
function pkiDir(): string {
  if (process.env.MO_TEST_PKI_DIR) return process.env.MO_TEST_PKI_DIR;
  const run = process.env.MO_TEST_RUN_DIR;
  const dir = run ? join(run, 'pki') : join(tempDataDir('mo-test-pki-'), 'pki');
  process.env.MO_TEST_PKI_DIR = dir; // daemons and child processes of this one find the same
  return dir;
}

function layout(dir: string): TestPki {
  const pair = (base: string) => ({ cert: join(dir, `${base}.pem`), key: join(dir, `${base}-key.pem`) });
  return { dir, ca: join(dir, 'ca.pem'), scheduler: pair('scheduler'), client: pair('client') };
}

/** Renames a fully written temp dir into place; if another process got there first, keeps theirs. */
function publish(tmp: string, dir: string): void {
  try {
    renameSync(tmp, dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    rmSync(tmp, { recursive: true, force: true });
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
  }
}

const tmpName = (dir: string) => `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;

/** Makes the run's CA, scheduler and admin client certificates if they are not there yet. */
export async function ensureTestPki(): Promise<TestPki> {
  if (made) return made;
  const dir = pkiDir();
  if (!existsSync(join(dir, 'ca.pem'))) {
    const tmp = tmpName(dir);
    const ca = await createCa({ commonName: `mo test CA ${process.pid}` });
    writePair(tmp, 'ca', ca);
    // The scheduler's certificate names loopback too, for stock tools that check host names.
    writePair(
      tmp,
      'scheduler',
      await createCertificate(ca, { role: { kind: 'scheduler' }, sans: ['localhost', '127.0.0.1'] }),
    );
    writePair(
      tmp,
      'client',
      await createCertificate(ca, { role: { kind: 'client', name: 'test-admin', access: 'admin' } }),
    );
    mkdirSync(join(tmp, 'agents'));
    publish(tmp, dir);
  }
  made = layout(dir);
  return made;
}

/** The run's PKI, once ensureTestPki() (or jest's global setup) made it. */
export function testPki(): TestPki {
  if (made) return made;
  const dir = pkiDir();
  if (!existsSync(join(dir, 'ca.pem'))) {
    throw new Error(`no test PKI in ${dir}: await ensureTestPki() first (jest's global setup makes one)`);
  }
  made = layout(dir);
  return made;
}

/** A certificate for role `role` signed by the run's CA, made once per run (agents: one per node). */
export async function testCertificate(
  role: CertRole,
  options: { days?: number; notBefore?: Date } = {},
): Promise<TestPair> {
  const pki = await ensureTestPki();
  const base =
    role.kind === 'agent'
      ? `agent-${role.node}`
      : role.kind === 'client'
        ? `client-${role.name}-${role.access}`
        : 'scheduler';
  const special = options.days !== undefined || options.notBefore !== undefined;
  const dir = join(pki.dir, 'agents', special ? `${base}-${process.pid}-${Date.now()}` : base);
  const pair = { cert: join(dir, 'cert.pem'), key: join(dir, 'cert-key.pem') };
  if (existsSync(pair.cert)) return pair;
  const tmp = tmpName(dir);
  writePair(tmp, 'cert', await createCertificate(readCa(pki.dir), { role, ...options }));
  publish(tmp, dir);
  return pair;
}

/** An agent's certificate for its node. */
export function agentCertificate(node: string): Promise<TestPair> {
  return testCertificate({ kind: 'agent', node });
}

/** Daemon flags for a pair of the run's PKI. */
export function tlsFlags(pair: TestPair): string[] {
  return ['--tls-ca', testPki().ca, '--tls-cert', pair.cert, '--tls-key', pair.key];
}

const tlsCache = new Map<string, ClientTls>();

/** A ClientTls from files of the run's PKI (read once). */
export function testTls(pair: TestPair): ClientTls {
  const key = `${pair.cert}\n${pair.key}`;
  let tls = tlsCache.get(key);
  if (!tls) {
    tls = clientTls({ ca: readFileSync(testPki().ca), cert: readFileSync(pair.cert), key: readFileSync(pair.key) });
    tlsCache.set(key, tls);
  }
  return tls;
}

/**
 * Options for a client of a testkit scheduler (or any other): the run's admin client certificate.
 * `extra` may add a deadline, a token, or replace the pair.
 */
export function testClientOptions(extra: ClientOptions & { pair?: TestPair } = {}): ClientOptions {
  const { pair, ...rest } = extra;
  return { tls: testTls(pair ?? testPki().client), ...rest };
}

/**
 * Options for a client that identifies itself by a bearer token alone: TLS that checks the
 * scheduler against the run's CA, no client certificate (without a token: no credentials at all).
 */
export function testTokenOptions(token?: string, extra: ClientOptions = {}): ClientOptions {
  return { tls: clientTls({ ca: readFileSync(testPki().ca) }), ...(token !== undefined ? { token } : {}), ...extra };
}

/**
 * Options for an AgentClient of a testkit agent: the scheduler's certificate (an agent serves
 * NodeAgent to the scheduler alone), expecting the agent of `node` (any agent when omitted).
 */
export function testAgentClientOptions(node?: string, extra: ClientOptions = {}): ClientOptions {
  const peer: ExpectedPeer = node === undefined ? { kind: 'agent' } : { kind: 'agent', node };
  return { tls: testTls(testPki().scheduler), peer, ...extra };
}

/** A reloadable server TLS source for an in-process test server in the role of `pair`. */
export function testServerTls(pair: TestPair): TlsSource {
  return new TlsSource({ ca: testPki().ca, cert: pair.cert, key: pair.key });
}

/** The node name an agent started with these flags and environment runs as. */
export function agentNodeName(args: readonly string[], env: Record<string, string> | undefined): string {
  const i = args.lastIndexOf('--node-name');
  if (i >= 0 && args[i + 1]) return args[i + 1]!;
  const eq = [...args].reverse().find((a) => a.startsWith('--node-name='));
  if (eq) return eq.slice('--node-name='.length);
  return env?.MO_NODE_NAME ?? process.env.MO_NODE_NAME ?? hostname();
}

export type { KeyPair };

/** createMoServer options for an in-process test server in the role of `pair` (default: the scheduler's). */
export function testServerOptions(pair?: TestPair): { tls: TlsSource } {
  return { tls: testServerTls(pair ?? testPki().scheduler) };
}

/**
 * grpc-js channel credentials for a raw client of a test server: `pair` (default the admin
 * client's), expecting `peer` (default the scheduler).
 */
export function testChannelCredentials(
  pair?: TestPair,
  peer: ExpectedPeer = { kind: 'scheduler' },
): ReturnType<typeof channelCredentials> {
  return channelCredentials(testTls(pair ?? testPki().client), peer);
}

/**
 * A fetch() of a daemon's HTTPS endpoint (/metrics, /healthz) with the run's CA and a client
 * certificate (`pair`, default the admin client's; null: none). Node's fetch cannot present a
 * client certificate without undici's own API, so this is node:https under a Response.
 */
export function testFetch(url: string, options: { pair?: TestPair | null; method?: string } = {}): Promise<Response> {
  const pair = options.pair === undefined ? testPki().client : options.pair;
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: options.method ?? 'GET',
        ca: readFileSync(testPki().ca),
        ...(pair ? { cert: readFileSync(pair.cert), key: readFileSync(pair.key) } : {}),
        checkServerIdentity: () => undefined, // any daemon of the run's CA
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
          const body = res.statusCode === 204 || options.method === 'HEAD' ? null : Buffer.concat(chunks);
          resolve(new Response(body, { status: res.statusCode ?? 0, headers }));
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
