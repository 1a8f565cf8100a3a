// Leader election on etcd, the way etcd's own concurrency package does it, on raw RPCs: a
// candidate grants a lease and creates the leader key with it in a txn guarded by
// createRevision(key) == 0; the key's create revision is the epoch that fences every write of the
// leader (etcd-store.ts). A loser watches the key and tries again when it is deleted (resigned,
// or its lease expired).
//
// The leader keeps its lease alive itself (etcd3's Lease reports a loss only after 2 × TTL: a
// frozen leader would keep scheduling for ~10 s after a standby took over). Invariant: the leader
// believes it leads only until (send time of its last acknowledged keepalive) + TTL, which is never
// later than etcd's own expiry of the lease (etcd counts from when the keepalive arrived). So when
// etcd is unreachable or without quorum, `lost` resolves before any standby can be elected.
import type { IEvent } from 'etcd3';
import type { Logger } from '@mo/api';
import { after, sleep, type Timer } from '@mo/api/timers';
import type { EtcdConnection } from './client.js';
import { EtcdClosedError } from './errors.js';
import { watchRange } from './watch.js';

export interface Leadership {
  /** The leader key's create revision (decimal string): the epoch that fences every write. */
  readonly epoch: string;
  /** Resolves (never rejects) with why, once leadership is lost; at once after resign(). */
  readonly lost: Promise<string>;
  /** Gives up leadership now (deletes the key, revokes the lease): a standby takes over in ~ms. */
  resign(): Promise<void>;
}

export interface Election {
  /** Campaigns until elected (blocks while another leads). Rejects if the cluster is closed meanwhile. */
  campaign(value: string): Promise<Leadership>;
  /** Calls back with the leader's value (undefined while none) now and on every change; returns an unsubscribe. */
  observe(onLeader: (value: string | undefined) => void): () => void;
}

/** Keepalives per TTL (etcd's clients send one every TTL/3). */
const RENEWALS_PER_TTL = 3;
/** Pause after a failed keepalive or campaign step before the next try. */
const RETRY_MS = 200;

export class EtcdLeadership implements Leadership {
  readonly lost: Promise<string>;
  private resolveLost!: (why: string) => void;
  private lostReason: string | undefined;
  private expiry: Timer;
  private stopWatch: (() => void) | undefined;
  private readonly abort = new AbortController();

  constructor(
    private readonly conn: EtcdConnection,
    private readonly key: Buffer,
    readonly leaseId: string,
    readonly epoch: string,
    renewedAt: number,
    private readonly ttlMs: number,
  ) {
    this.lost = new Promise((resolve) => (this.resolveLost = resolve));
    this.expiry = this.armExpiry(renewedAt);
    void this.keepAlive();
    this.watchKey(String(BigInt(epoch) + 1n));
  }

  /** Why leadership was lost, or undefined while it holds. */
  get lostBecause(): string | undefined {
    return this.lostReason;
  }

  /** Marks leadership lost (idempotent); `revoke` also ends the lease now, so a standby need not wait. */
  lose(why: string, revoke = true): void {
    if (this.lostReason !== undefined) return;
    this.lostReason = why;
    this.expiry.cancel();
    this.abort.abort();
    this.stopWatch?.();
    this.log()?.warn('etcd leadership lost', { epoch: this.epoch, reason: why });
    this.resolveLost(why);
    if (revoke && !this.conn.closed) void this.revoke().catch(() => undefined);
  }

  async resign(): Promise<void> {
    const held = this.lostReason === undefined;
    this.lose('resigned', false);
    if (!held || this.conn.closed) return;
    try {
      // Delete only our own key (a successor's must stay), then end the lease.
      await this.conn.call('resign the leadership', (o) =>
        this.conn.kv.txn(
          {
            compare: [{ key: this.key, target: 'Create', result: 'Equal', create_revision: this.epoch }],
            success: [{ request_delete_range: { key: this.key } }],
          },
          o,
        ),
      );
      await this.revoke();
    } catch (err) {
      this.log()?.warn('resigning: etcd did not answer; the lease will expire by itself', { err: err as Error });
    }
  }

  private async revoke(): Promise<void> {
    await this.conn.call('revoke the election lease', (o) => this.conn.lease.leaseRevoke({ ID: this.leaseId }, o));
  }

  private armExpiry(renewedAt: number): Timer {
    return after(renewedAt + this.ttlMs - Date.now(), () =>
      this.lose(`its etcd lease was not renewed for ${this.ttlMs} ms (etcd unreachable or without quorum)`),
    );
  }

  private async keepAlive(): Promise<void> {
    let wait = this.ttlMs / RENEWALS_PER_TTL;
    while (this.lostReason === undefined) {
      await sleep(wait, this.abort.signal);
      if (this.lostReason !== undefined || this.abort.signal.aborted) return;
      const sentAt = Date.now();
      try {
        // A short attempt: a frozen member costs little before the next try (another random member).
        const ttl = await keepAliveOnce(this.conn, this.leaseId, sentAt + Math.min(this.ttlMs / 4, 1000));
        if (this.lostReason !== undefined) return;
        if (!(Number(ttl) > 0)) return this.lose('its etcd lease expired or was revoked', false);
        this.expiry.cancel();
        this.expiry = this.armExpiry(sentAt);
        wait = this.ttlMs / RENEWALS_PER_TTL;
      } catch (err) {
        this.log()?.debug('etcd lease keepalive failed; retrying', { err: err as Error });
        wait = RETRY_MS / 4;
      }
    }
  }

  /** Lost as soon as the key is deleted or re-created by another candidate. */
  private watchKey(from: string): void {
    if (this.lostReason !== undefined) return;
    this.stopWatch = watchRange(this.conn, {
      key: this.key,
      startRevision: from,
      onEvents: (events: IEvent[]) => {
        for (const e of events) {
          if (e.type === 'Delete') return this.lose('the leader key was deleted', false);
          if (e.kv.create_revision !== this.epoch) return this.lose('another scheduler holds the leader key', false);
        }
      },
      onCompacted: () => void this.recheck(),
    });
  }

  /** After a compaction cut the watch: read the key once, then watch again from there. */
  private async recheck(): Promise<void> {
    while (this.lostReason === undefined) {
      try {
        const r = await this.conn.call('read the leader key', (o) => this.conn.kv.range({ key: this.key }, o));
        const kv = r.kvs[0];
        if (!kv || kv.create_revision !== this.epoch) return this.lose('the leader key was deleted', false);
        return this.watchKey(String(BigInt(r.header.revision) + 1n));
      } catch {
        await sleep(RETRY_MS, this.abort.signal);
      }
    }
  }

  private log(): Logger | undefined {
    return this.conn.options.logger;
  }
}

/** One keepalive on its own short stream (a random member); resolves with the lease's remaining TTL. */
async function keepAliveOnce(conn: EtcdConnection, id: string, deadline: number): Promise<string> {
  const s = await conn.lease.leaseKeepAlive({ deadline });
  return new Promise<string>((resolve, reject) => {
    s.on('data', (r) => {
      resolve(r.TTL);
      s.cancel();
    });
    s.on('error', reject);
    s.on('end', () => reject(new Error('the keepalive stream ended without an answer')));
    s.write({ ID: id });
  });
}

export class EtcdElection implements Election {
  readonly leaderships = new Set<EtcdLeadership>();

  constructor(
    private readonly conn: EtcdConnection,
    private readonly key: Buffer,
    private readonly ttlMs: number,
    private readonly closed: AbortSignal,
  ) {}

  async campaign(value: string): Promise<Leadership> {
    const log = this.conn.options.logger;
    const ttlSeconds = Math.ceil(this.ttlMs / 1000);
    for (;;) {
      if (this.closed.aborted) throw new EtcdClosedError('campaign');
      try {
        const sentAt = Date.now();
        const grant = await this.conn.call('grant an election lease', (o) =>
          this.conn.lease.leaseGrant({ TTL: ttlSeconds }, o),
        );
        const res = await this.conn
          .call('campaign for leadership', (o) =>
            this.conn.kv.txn(
              {
                compare: [{ key: this.key, target: 'Create', result: 'Equal', create_revision: 0 }],
                success: [{ request_put: { key: this.key, value: Buffer.from(value), lease: grant.ID } }],
                failure: [{ request_range: { key: this.key } }],
              },
              o,
            ),
          )
          .catch((err: unknown) => {
            // The key may have been created with this lease before the answer was lost: end it.
            void this.conn
              .call('revoke a campaign lease', (o) => this.conn.lease.leaseRevoke({ ID: grant.ID }, o))
              .catch(() => undefined);
            throw err;
          });
        if (res.succeeded) {
          if (this.closed.aborted) {
            void this.conn.lease.leaseRevoke({ ID: grant.ID }).catch(() => undefined);
            throw new EtcdClosedError('campaign');
          }
          const leadership = new EtcdLeadership(this.conn, this.key, grant.ID, res.header.revision, sentAt, this.ttlMs);
          this.leaderships.add(leadership);
          void leadership.lost.then(() => this.leaderships.delete(leadership));
          log?.info('elected the leader', { epoch: leadership.epoch });
          return leadership;
        }
        void this.conn.lease.leaseRevoke({ ID: grant.ID }).catch(() => undefined);
        const holder = res.responses[0]?.response_range.kvs[0];
        if (holder) await this.untilChanged(holder.mod_revision);
      } catch (err) {
        if (this.closed.aborted) throw new EtcdClosedError('campaign');
        log?.warn('campaign: etcd did not answer; trying again', { err: err as Error });
        await sleep(RETRY_MS * 5, this.closed);
      }
    }
  }

  /** Resolves when the leader key changes after `modRevision` (or the watch was cut, or we close). */
  private untilChanged(modRevision: string): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        stop();
        this.closed.removeEventListener('abort', done);
        resolve();
      };
      const stop = watchRange(this.conn, {
        key: this.key,
        startRevision: String(BigInt(modRevision) + 1n),
        onEvents: () => done(),
        onCompacted: () => done(),
      });
      this.closed.addEventListener('abort', done, { once: true });
    });
  }

  observe(onLeader: (value: string | undefined) => void): () => void {
    let cancelled = false;
    let stopWatch: (() => void) | undefined;
    let last: string | undefined | null = null; // null: nothing reported yet
    const report = (v: string | undefined) => {
      if (cancelled || v === last) return;
      last = v;
      onLeader(v);
    };
    const start = async (): Promise<void> => {
      while (!cancelled && !this.closed.aborted) {
        try {
          const r = await this.conn.call('read the leader key', (o) => this.conn.kv.range({ key: this.key }, o));
          if (cancelled) return;
          report(r.kvs[0]?.value.toString());
          stopWatch = watchRange(this.conn, {
            key: this.key,
            startRevision: String(BigInt(r.header.revision) + 1n),
            onEvents: (events) => {
              for (const e of events) report(e.type === 'Delete' ? undefined : e.kv.value.toString());
            },
            onCompacted: () => void start(),
          });
          return;
        } catch {
          await sleep(RETRY_MS * 5, this.closed);
        }
      }
    };
    void start();
    const cancel = () => {
      cancelled = true;
      stopWatch?.();
    };
    this.closed.addEventListener('abort', cancel, { once: true });
    return cancel;
  }
}
