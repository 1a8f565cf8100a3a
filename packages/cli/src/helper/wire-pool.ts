// The CLI helper's connections: a call's WireSchedulerClient is kept for a few seconds after the
// call and handed to the next call that would dial the same way, so a script's calls after its
// first skip the TLS handshake on both sides. "The same way" is everything the connection was
// made from, compared by value: the address, the deadline, the token, the proxy variables and the
// TLS files' bytes as this call read them (a rotated certificate is a new connection).
import { after, type Timer } from '@mo/api/timers';
import { PROXY_VARIABLES, type WireSchedulerClient } from '@mo/api/wire';
import { createHash } from 'node:crypto';

const IDLE_MS = 10_000;
const MAX_CLIENTS = 16;

interface Entry {
  client: WireSchedulerClient;
  users: number;
  idle: Timer | undefined;
}

export class WirePool {
  private readonly entries = new Map<string, Entry>();

  /** Runs `fn` with the pooled client made from `parts` (by `make` when there is none). */
  async use<T>(
    parts: WireParts,
    make: () => WireSchedulerClient,
    fn: (c: WireSchedulerClient) => Promise<T>,
  ): Promise<T> {
    const key = wireKey(parts);
    let e = this.entries.get(key);
    if (!e) {
      this.evict();
      e = { client: make(), users: 0, idle: undefined };
      this.entries.set(key, e);
    }
    const entry = e;
    entry.users++;
    entry.idle?.cancel();
    try {
      return await fn(entry.client);
    } finally {
      entry.users--;
      if (entry.users === 0) entry.idle = after(IDLE_MS, () => this.drop(key, entry));
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** Closes every client (the helper is leaving). */
  close(): void {
    for (const [key, e] of this.entries) this.drop(key, e);
  }

  private drop(key: string, e: Entry): void {
    if (this.entries.get(key) === e) this.entries.delete(key);
    e.idle?.cancel();
    e.client.close();
  }

  /** At the bound, the first idle client goes (in use ones stay: the bound is soft). */
  private evict(): void {
    if (this.entries.size < MAX_CLIENTS) return;
    for (const [key, e] of this.entries) {
      if (e.users === 0) return this.drop(key, e);
    }
  }
}

/** What a connection is made from. */
export interface WireParts {
  address: string;
  deadlineMs: number;
  token?: string;
  env: NodeJS.ProcessEnv;
  tls?: { ca: Buffer; cert?: Buffer; key?: Buffer };
}

/** The pool key of a connection made from `parts`. */
export function wireKey(parts: WireParts): string {
  const h = createHash('sha256');
  const proxy = PROXY_VARIABLES.map((k) => parts.env[k] ?? '');
  for (const s of [parts.address, String(parts.deadlineMs), parts.token ?? '', ...proxy]) h.update(`${s}\0`);
  if (parts.tls) for (const b of [parts.tls.ca, parts.tls.cert, parts.tls.key]) h.update(b ?? '').update('\0');
  else h.update('insecure');
  return h.digest('hex');
}
