// The scheduler's bearer tokens: an in-memory index loaded at start, so checking a token costs a
// Map lookup and one SHA-256 (no I/O), written through to the store (kind 'token'). The rules are
// pure (rules.ts); this applies them. Only hashes are stored; a token's text exists in memory only
// while it is made, and goes to the caller (or the bootstrap file) once.
import {
  AlreadyExistsError,
  InvalidArgumentError,
  NotFoundError,
  ResourceExhaustedError,
  hashSecret,
  newId,
  newTokenSecret,
  type TokenCheck,
  type TokenResolver,
} from '@mo/api';
import type { Store } from '../store/store.js';
import {
  MAX_TOKENS,
  checkToken,
  newTokenRecord,
  parseTokenRecord,
  pickEvictable,
  tokenState,
  unrevokedByName,
  validateCreate,
  type TokenRecord,
  type TokenState,
} from './rules.js';

export interface TokenTableOptions {
  store: Store;
  /** Token records kept at most (default MAX_TOKENS). */
  maxTokens?: number;
  /** The clock (tests); default Date.now. */
  now?: () => number;
}

/** Longest id or name a revoke request may carry (ids are 26 characters, names 63). */
const MAX_REF_CHARS = 128;

export class TokenTable {
  private readonly byId = new Map<string, TokenRecord>();
  /** Names of creates whose commit is in flight: a second create of one is refused at once. */
  private readonly pendingNames = new Set<string>();
  /** Revokes in flight by token id: a second revoke of one waits for the first. */
  private readonly revoking = new Map<string, Promise<TokenRecord>>();
  private readonly store: Store;
  private readonly maxTokens: number;
  private readonly now: () => number;

  constructor(options: TokenTableOptions) {
    this.store = options.store;
    this.maxTokens = options.maxTokens ?? MAX_TOKENS;
    this.now = options.now ?? Date.now;
    if (!Number.isSafeInteger(this.maxTokens) || this.maxTokens < 1) {
      throw new TypeError(`TokenTableOptions.maxTokens must be a positive integer, got ${this.maxTokens}`);
    }
  }

  /** Reads every token record; unreadable ones are skipped and counted. */
  async load(): Promise<{ tokens: number; skipped: number }> {
    let skipped = 0;
    for (const { id, value } of await this.store.load('token')) {
      const t = parseTokenRecord(id, value);
      if (t) this.byId.set(id, t);
      else skipped++;
    }
    return { tokens: this.byId.size, skipped };
  }

  /** Token records held (every state). */
  get size(): number {
    return this.byId.size;
  }

  /** Whether `text` is a good token now, and whose; the refusal's reason otherwise. */
  check(text: string): TokenCheck {
    return checkToken((id) => this.byId.get(id), text, this.now());
  }

  /** The TokenResolver seam: the identity of a good token, else undefined. */
  readonly resolve: TokenResolver = (text) => {
    const c = this.check(text);
    return 'identity' in c ? c.identity : undefined;
  };

  stateOf(t: TokenRecord): TokenState {
    return tokenState(t, this.now());
  }

  /**
   * Makes a token. `beforeCommit` gets its text before the record is stored (the bootstrap file is
   * written there, so a crash never leaves a stored token whose text nobody has); if it throws,
   * nothing is stored. At the limit the oldest revoked or expired record is dropped in the same
   * commit; with none, RESOURCE_EXHAUSTED.
   */
  async create(
    request: { name: string; access: unknown; ttlMs: number },
    createdBy: string,
    beforeCommit?: (text: string) => void | Promise<void>,
  ): Promise<{ record: TokenRecord; text: string }> {
    const req = validateCreate(request);
    const now = this.now();
    const same = unrevokedByName(this.byId.values(), req.name);
    if (same || this.pendingNames.has(req.name)) {
      const what = same ? `${same.id}, ${tokenState(same, now)}` : 'being made';
      throw new AlreadyExistsError(`name: a token named ${req.name} exists (${what}); revoke it first`);
    }
    let evicted: TokenRecord | undefined;
    if (this.byId.size + this.pendingNames.size >= this.maxTokens) {
      evicted = pickEvictable(this.byId.values(), now);
      if (!evicted) {
        throw new ResourceExhaustedError(
          `${this.maxTokens} tokens are active, the most kept: revoke unused ones (mo token revoke), which makes room`,
        );
      }
      // Out of memory now (it is revoked or expired: refused either way), so concurrent creates
      // do not pick it too; back in if the commit fails.
      this.byId.delete(evicted.id);
    }
    const secret = newTokenSecret();
    const made = newTokenRecord(req, newId(now), secret, hashSecret(secret), createdBy, now);
    this.pendingNames.add(req.name);
    try {
      await beforeCommit?.(made.text);
      await this.store.commit([
        ...(evicted ? [{ kind: 'token' as const, id: evicted.id, value: null }] : []),
        { kind: 'token', id: made.record.id, value: made.record },
      ]);
    } catch (err) {
      if (evicted) this.byId.set(evicted.id, evicted);
      throw err;
    } finally {
      this.pendingNames.delete(req.name);
    }
    this.byId.set(made.record.id, made.record);
    return made;
  }

  /** Every record newest first (ids are ULIDs), strictly after the page cursor `beforeId`. */
  *newestFirst(beforeId?: string): Iterable<TokenRecord> {
    const ids = [...this.byId.keys()].sort().reverse();
    for (const id of ids) {
      if (beforeId !== undefined && id >= beforeId) continue;
      const t = this.byId.get(id);
      if (t) yield t;
    }
  }

  /**
   * Revokes a token by id, or by the name of a token that is not revoked. Stored first, then
   * applied: once this resolves, every call with the token is refused. Revoking a revoked token
   * (by id) returns it as it is.
   */
  async revoke(idOrName: string, revokedBy: string): Promise<TokenRecord> {
    if (!idOrName) throw new InvalidArgumentError('token', 'is required (a token id or name)');
    if (idOrName.length > MAX_REF_CHARS) {
      throw new InvalidArgumentError('token', `is ${idOrName.length} characters, at most ${MAX_REF_CHARS}`);
    }
    const t = this.byId.get(idOrName) ?? unrevokedByName(this.byId.values(), idOrName);
    if (!t) throw new NotFoundError('token', 'token with the id or name', idOrName, 'mo token list shows them');
    if (t.revokedAtMs > 0) return t;
    const inFlight = this.revoking.get(t.id);
    if (inFlight) return inFlight;
    const revoked: TokenRecord = { ...t, revokedAtMs: this.now(), revokedBy };
    const done = this.store.commit([{ kind: 'token', id: t.id, value: revoked }]).then(() => {
      this.byId.set(t.id, revoked);
      return revoked;
    });
    this.revoking.set(t.id, done);
    try {
      return await done;
    } finally {
      this.revoking.delete(t.id);
    }
  }
}
