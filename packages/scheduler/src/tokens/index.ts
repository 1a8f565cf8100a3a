/**
 * Bearer tokens in the scheduler: the TokenTable (records in the store, checked from memory), the
 * bootstrap admin token, and the guard that admits calls with them (the Tokens service that
 * manages them is ../server/token-service.ts).
 *
 * ```ts
 * const tokens = await openTokens({ store, dataDir, logger }); // loaded; bootstrap token made if none
 * createMoServer({ services, guard: schedulerGuard(tokens, { logger, onRequest }) });
 * ```
 */
import type { Logger } from '@mo/api';
import type { Store } from '../store/store.js';
import { bootstrapToken } from './bootstrap.js';
import { TokenTable } from './token-table.js';

export { BOOTSTRAP_TOKEN_FILE, bootstrapToken } from './bootstrap.js';
export { schedulerGuard, type SchedulerGuardOptions } from './guard.js';
export { MAX_TOKENS, type TokenRecord, type TokenState } from './rules.js';
export { TokenTable, type TokenTableOptions } from './token-table.js';

/** Loads the token table from `store`, and makes the bootstrap token when it holds none. */
export async function openTokens(o: { store: Store; dataDir: string; logger: Logger }): Promise<TokenTable> {
  const tokens = new TokenTable({ store: o.store });
  const { skipped } = await tokens.load();
  if (skipped > 0) o.logger.warn('skipped unreadable token records', { skipped });
  const path = await bootstrapToken(tokens, o.dataDir);
  // The path, never the token.
  if (path) o.logger.info('bootstrap admin token written', { path });
  return tokens;
}
