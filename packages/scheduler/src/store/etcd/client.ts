// The connection to etcd: etcd3's connection pool and raw RPC clients (KV, Lease, Watch), with
// every unary call bounded by one deadline. etcd3's own fault handling (3 retries × a per-attempt
// deadline, plus a 5 s circuit breaker per member) is replaced by `call`: retry transient errors
// and slow attempts on another random member until one absolute deadline, then fail UNAVAILABLE.
// A write retried after an ambiguous failure is safe here: every write is a fenced txn of
// idempotent puts/deletes sent one at a time (etcd-store.ts).
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { noop } from 'cockatiel';
import type { Etcd3, IOptions, KVClient, LeaseClient, WatchClient } from 'etcd3';
import { readFileSync } from 'node:fs';
import { sleep } from '@mo/api/timers';
import { EtcdUnavailableError } from './errors.js';
import type { ResolvedEtcdOptions } from './options.js';

/** etcd errors worth another try on another member (elections, overload, a dead member). */
const TRANSIENT = /leader changed|no leader|request timed out|too many requests|timeout|not capable|stopped/i;

type Etcd3Module = typeof import('etcd3');
let loaded: Promise<Etcd3Module> | undefined;

/**
 * etcd3 is loaded on first use, not with the store's module: a scheduler on SQLite never loads
 * it (nor its proto files, which it reads from its package directory at load time).
 */
export function loadEtcd3(): Promise<Etcd3Module> {
  loaded ??= import('etcd3').then(
    // A CommonJS package: Node's import gives its exports by name and as `default`, the release's
    // bundle (scripts/package.sh) as `default` only.
    (m) => (m as { default?: Etcd3Module }).default ?? m,
    (err: unknown) => {
      loaded = undefined;
      throw new Error(`cannot load the etcd client (the etcd3 package): ${(err as Error).message}`, { cause: err });
    },
  );
  return loaded;
}

export function isTransient(lib: Etcd3Module, err: unknown): boolean {
  if (err instanceof lib.GRPCUnavailableError || err instanceof lib.GRPCCancelledError) return true;
  // The member's own deadline (our grpc-timeout, measured there) can fire first: it answers
  // UNKNOWN "context deadline exceeded", which is a timeout like ours.
  if (err instanceof Error && /deadline exceeded/i.test(err.message)) return true;
  if (err instanceof lib.EtcdError) return TRANSIENT.test(err.message);
  return false;
}

/** A call's deadline is shared among up to this many attempts, each at least MIN_ATTEMPT_MS. */
const ATTEMPTS_PER_DEADLINE = 3;
const MIN_ATTEMPT_MS = 1000;

/**
 * Watches carry etcd's `hasleader` metadata (clientv3's WithRequireLeader): a member cut off from
 * its quorum ends them, so the stream is reopened on a member that has a leader instead of
 * staying silent.
 */
export const requireLeader: Interceptor = (options, nextCall) =>
  new InterceptingCall(nextCall(options), {
    start(metadata, listener, next) {
      metadata.set('hasleader', 'true');
      next(metadata, listener);
    },
  });

/** Largest response accepted (a page of records, a watch batch); etcd's own request cap is 1.5 MiB. */
const MAX_RECEIVE_BYTES = 64 * 1024 * 1024;

export class EtcdConnection {
  readonly client: Etcd3;
  readonly kv: KVClient;
  readonly lease: LeaseClient;
  readonly watch: WatchClient;
  closed = false;

  /** Loads etcd3 (once) and makes the connection; the first call dials. */
  static async open(options: ResolvedEtcdOptions): Promise<EtcdConnection> {
    return new EtcdConnection(await loadEtcd3(), options);
  }

  private constructor(
    private readonly lib: Etcd3Module,
    readonly options: ResolvedEtcdOptions,
  ) {
    const tls = options.tls;
    const settings: IOptions = {
      hosts: options.endpoints,
      credentials: tls && {
        rootCertificate: readTlsFile('caFile', tls.caFile),
        certChain: readTlsFile('certFile', tls.certFile),
        privateKey: readTlsFile('keyFile', tls.keyFile),
      },
      faultHandling: { host: () => noop, global: noop },
      grpcOptions: {
        'grpc.max_receive_message_length': MAX_RECEIVE_BYTES,
        // A member that stops answering (frozen, partitioned) is noticed on open streams. etcd
        // refuses pings more often than its --grpc-keepalive-min-time (5 s).
        'grpc.keepalive_time_ms': 10_000,
        'grpc.keepalive_timeout_ms': 5_000,
      },
    };
    try {
      this.client = new lib.Etcd3(settings);
    } catch (err) {
      // grpc-js parses the PEM here: a wrong file surfaces as an OpenSSL message.
      const what = tls ? `EtcdOptions.tls (${tls.caFile}, ${tls.certFile}, ${tls.keyFile})` : 'EtcdOptions';
      throw new TypeError(`${what}: cannot make an etcd client: ${(err as Error).message}`, { cause: err });
    }
    this.kv = this.client.kv;
    this.lease = this.client.leaseClient;
    this.watch = this.client.watchClient;
  }

  /**
   * Runs `fn` with a call deadline, retrying transient failures (on another random member, after
   * a short pause) until `timeoutMs` has passed; then rejects with EtcdUnavailableError.
   * Other errors (a refused request) are passed through as etcd3 cast them.
   */
  async call<T>(
    what: string,
    fn: (options: { deadline: number }) => Promise<T>,
    timeoutMs = this.options.requestTimeoutMs,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    // Each attempt gets a share of the time, so a frozen member (no answer, no error) costs one
    // share and the next attempt goes to another random member.
    const attemptMs = Math.max(MIN_ATTEMPT_MS, Math.floor(timeoutMs / ATTEMPTS_PER_DEADLINE));
    let last: unknown;
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new EtcdUnavailableError(what, this.options.endpoints, 'the etcd client is closed');
      try {
        return await fn({ deadline: Math.min(deadline, Date.now() + attemptMs) });
      } catch (err) {
        last = err;
        if (!(err instanceof this.lib.GRPCDeadlineExceededError) && !isTransient(this.lib, err)) throw err;
        if (Date.now() >= deadline) break;
        this.options.logger?.debug('etcd call failed; retrying', { what, attempt, err: err as Error });
        await sleep(Math.min(50 * 2 ** attempt, 500, Math.max(0, deadline - Date.now())));
        if (Date.now() >= deadline) break;
      }
    }
    throw new EtcdUnavailableError(
      what,
      this.options.endpoints,
      `no answer within ${timeoutMs} ms (${describe(last)})`,
      {
        cause: last,
      },
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.close();
  }
}

function readTlsFile(field: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new TypeError(`EtcdOptions.tls.${field}: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The exclusive end of the range of every key starting with `prefix` (etcd's prefix idiom). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // every key (the prefix was all 0xff)
}
