// Real etcd for tests: Debian's etcd-server (3.4) at /usr/bin/etcd, one member or three, on free
// ports, each member in its own data dir under a temp dir removed on close. A member can run in a
// network namespace (`wrap` + `hosts`) for the multi-host bed. Members are killed, paused and
// restarted by the tests (quorum loss, a frozen leader); close() SIGKILLs what SIGTERM did not
// stop in time (a member without quorum can ignore SIGTERM for seconds). Recipe: /work/shared/TESTBED.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './pipelines.js';
import { sleep } from '@mo/api/timers';
import { isAlive, waitFor } from './wait.js';

export const ETCD_BIN = '/usr/bin/etcd';

/** True when Debian's etcd-server is installed (pass to `requireTool`). */
export function etcdFound(): boolean {
  return existsSync(ETCD_BIN);
}

export interface StartEtcdOptions {
  /** 1 (default) or 3 members. */
  members?: 1 | 3;
  /** Parent of the members' data dirs (default: a new temp dir, removed on close). */
  dataDir?: string;
  /** Per member, an argv prefix to run it with (e.g. `['ip', 'netns', 'exec', ns]`). */
  wrap?: ReadonlyArray<readonly string[] | undefined>;
  /** Per member, the IPv4 address it listens on (default 127.0.0.1). */
  hosts?: ReadonlyArray<string | undefined>;
  /** Election timeout in ms (etcd's default 1000); heartbeat is a tenth of it. */
  electionTimeoutMs?: number;
  /**
   * Client TLS: members serve https with this pair (its SANs must name the hosts) and require a
   * client certificate signed by the CA (`--client-cert-auth`). Peers stay plain http.
   */
  tls?: { caFile: string; certFile: string; keyFile: string };
  /** etcd's --max-txn-ops (default 128); give the store the same (EtcdOptions.maxTxnOps). */
  maxTxnOps?: number;
  /** etcd's --max-request-bytes (default 1.5 MiB); give the store the same (EtcdOptions.maxRequestBytes). */
  maxRequestBytes?: number;
}

export interface EtcdMember {
  readonly name: string;
  /** `http://address:port` (https with `tls`) */
  readonly clientUrl: string;
  /** The running process's pid (changes on restart; undefined while stopped). */
  readonly pid: number | undefined;
  /** Sends a signal (SIGKILL: a crash; SIGSTOP/SIGCONT: a frozen member). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** GET on the member's client URL (TLS included); resolves with the body. */
  get(path: string): Promise<string>;
  /** Whether this member is etcd's Raft leader now (its /metrics `etcd_server_is_leader`). */
  isRaftLeader(): Promise<boolean>;
  /** Starts the member again on its data dir and ports (after kill); resolves once it answers. */
  restart(): Promise<void>;
}

export interface EtcdServer {
  /** The client URLs of every member, for EtcdOptions.endpoints. */
  readonly endpoints: string[];
  readonly members: EtcdMember[];
  /** The index of the member that is etcd's Raft leader (waits until one is). */
  raftLeader(timeoutMs?: number): Promise<number>;
  /** Kills every member (SIGTERM, then SIGKILL after 3 s) and removes the data dirs it made. */
  close(): Promise<void>;
}

const STOP_GRACE_MS = 3000;

export async function startEtcd(options: StartEtcdOptions = {}): Promise<EtcdServer> {
  const count = options.members ?? 1;
  const ownDir = options.dataDir === undefined;
  const root = options.dataDir ?? mkdtempSync(join(tmpdir(), 'mo-etcd-'));
  const token = `mo-test-${process.pid}-${Date.now()}`;
  const plans: MemberPlan[] = [];
  // Every member's client and peer port, distinct (in a bed, members on different hosts could share
  // one, but on loopback they cannot).
  const ports = await freePorts(2 * count);
  for (let i = 0; i < count; i++) {
    const host = options.hosts?.[i] ?? '127.0.0.1';
    const name = `m${i + 1}`;
    plans.push({
      name,
      host,
      clientPort: ports[2 * i]!,
      peerPort: ports[2 * i + 1]!,
      dataDir: join(root, name),
      wrap: options.wrap?.[i] ?? [],
    });
  }
  const cluster = plans.map((p) => `${p.name}=http://${p.host}:${p.peerPort}`).join(',');
  const members = plans.map((p) => new Member(p, cluster, token, options));
  const close = async () => {
    await Promise.allSettled(members.map((m) => m.stop()));
    if (ownDir) rmSync(root, { recursive: true, force: true });
  };
  try {
    for (const m of members) mkdirSync(m.plan.dataDir, { recursive: true });
    members.forEach((m) => m.spawn());
    await Promise.all(members.map((m) => m.waitHealthy()));
  } catch (err) {
    await close();
    throw err;
  }
  const raftLeader = (timeoutMs = 10_000) =>
    waitFor(
      "etcd's Raft leader",
      async () => {
        const leads = await Promise.all(members.map((m) => m.isRaftLeader().catch(() => false)));
        const i = leads.indexOf(true);
        return i >= 0 ? i : undefined;
      },
      { timeoutMs, intervalMs: 100 },
    );
  return { endpoints: members.map((m) => m.clientUrl), members, raftLeader, close };
}

interface MemberPlan {
  name: string;
  host: string;
  clientPort: number;
  peerPort: number;
  dataDir: string;
  wrap: readonly string[];
}

class Member implements EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  private readonly tls: StartEtcdOptions['tls'];
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private stderr = '';

  constructor(
    readonly plan: MemberPlan,
    private readonly cluster: string,
    private readonly token: string,
    private readonly options: StartEtcdOptions,
  ) {
    this.tls = options.tls;
    this.name = plan.name;
    this.clientUrl = `${this.tls ? 'https' : 'http'}://${plan.host}:${plan.clientPort}`;
  }

  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  spawn(): void {
    const p = this.plan;
    const peerUrl = `http://${p.host}:${p.peerPort}`;
    const args = [
      ...['--name', p.name, '--data-dir', p.dataDir],
      ...['--listen-client-urls', this.clientUrl, '--advertise-client-urls', this.clientUrl],
      ...['--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl],
      ...['--initial-cluster', this.cluster, '--initial-cluster-state', 'new'],
      ...['--initial-cluster-token', this.token],
      ...['--logger', 'zap', '--log-level', 'error'],
    ];
    if (this.tls) {
      args.push('--cert-file', this.tls.certFile, '--key-file', this.tls.keyFile);
      args.push('--trusted-ca-file', this.tls.caFile, '--client-cert-auth');
    }
    const { electionTimeoutMs, maxTxnOps, maxRequestBytes } = this.options;
    if (electionTimeoutMs !== undefined) {
      args.push('--election-timeout', String(electionTimeoutMs));
      args.push('--heartbeat-interval', String(Math.max(10, Math.round(electionTimeoutMs / 10))));
    }
    if (maxTxnOps !== undefined) args.push('--max-txn-ops', String(maxTxnOps));
    if (maxRequestBytes !== undefined) args.push('--max-request-bytes', String(maxRequestBytes));
    const argv = [...p.wrap, ETCD_BIN, ...args];
    this.stderr = '';
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.child = child;
  }

  /** Waits until the member reports itself healthy (it has a leader), or fails with its stderr. */
  async waitHealthy(timeoutMs = 20_000): Promise<void> {
    const child = this.child!;
    await waitFor(
      `etcd member ${this.name} at ${this.clientUrl} to be healthy`,
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`etcd member ${this.name} exited (${child.exitCode ?? child.signalCode}): ${this.stderr}`);
        }
        const body = JSON.parse(await this.get('/health')) as { health?: string };
        return body.health === 'true' || undefined;
      },
      { timeoutMs, intervalMs: 50 },
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; stderr: ${this.stderr}`, { cause: err });
    });
  }

  /** GET on the client URL (with the client certificate when TLS is on); the body. */
  get(path: string): Promise<string> {
    const tls = this.tls;
    return new Promise((resolve, reject) => {
      const req = (tls ? httpsGet : httpGet)(
        `${this.clientUrl}${path}`,
        {
          timeout: 1000,
          ...(tls && {
            ca: readFileSync(tls.caFile),
            cert: readFileSync(tls.certFile),
            key: readFileSync(tls.keyFile),
          }),
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve(body));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
      req.on('error', reject);
    });
  }

  async isRaftLeader(): Promise<boolean> {
    if (this.pid === undefined) return false;
    return /^etcd_server_is_leader 1$/m.test(await this.get('/metrics'));
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || this.pid === undefined) return;
    child.kill(signal);
    if (signal === 'SIGKILL') await this.exited;
  }

  async restart(): Promise<void> {
    await this.stop();
    this.spawn();
    // Alone (quorum still lost) a restarted member is not healthy: wait only until it listens.
    await waitFor(`etcd member ${this.name} to listen on ${this.clientUrl}`, async () => {
      if (this.pid === undefined) throw new Error(`etcd member ${this.name} exited: ${this.stderr}`);
      await this.get('/version');
      return true;
    });
  }

  /** SIGTERM (after SIGCONT, in case it is paused), then SIGKILL if it is still there. */
  async stop(): Promise<void> {
    const child = this.child;
    const pid = this.pid;
    if (!child || pid === undefined) return;
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    const graceOver = new AbortController(); // unref'd grace timer, cancelled once the member exits
    const done = await Promise.race([
      this.exited.then(() => true),
      sleep(STOP_GRACE_MS, graceOver.signal).then(() => false),
    ]);
    graceOver.abort();
    if (!done && (await isAlive(pid))) child.kill('SIGKILL');
    await this.exited;
  }
}
