// How the scheduler admits calls: bearer tokens from its TokenTable, else the identity the
// transport established (on a plaintext scheduler, `insecure`), then the access table. This is
// the one place where tokens meet the transport (createMoServer fills in the transport's identity:
// the client certificate's role, or `insecure`); with TLS that is the caller's
// certificate identity.
import {
  callClassOf,
  statusName,
  type CallGuardOptions,
  type CallRateLimiter,
  type CallRefusal,
  type Logger,
} from '@mo/api';
import * as grpc from '@grpc/grpc-js';
import type { TokenTable } from './token-table.js';

export interface SchedulerGuardOptions {
  logger?: Logger;
  /** Counts refused calls (the `mo_scheduler_grpc_requests_total` counter), by method name. */
  onRequest?: (method: string, code: string) => void;
  /** Rates per identity (RESOURCE_EXHAUSTED past them); absent: none. */
  rates?: CallRateLimiter;
  /** Counts calls refused for their rate, by class (`mo_scheduler_rate_limited_total`). */
  onRateLimited?: (callClass: string) => void;
}

export function schedulerGuard(
  tokens: TokenTable,
  options: SchedulerGuardOptions = {},
): Omit<CallGuardOptions, 'transportIdentity'> {
  return {
    checkToken: (token) => tokens.check(token),
    ...(options.rates ? { rates: options.rates } : {}),
    onRefused: (r: CallRefusal) => {
      const method = r.path.slice(r.path.lastIndexOf('/') + 1);
      options.onRequest?.(method, statusName(r.code));
      if (r.code === grpc.status.RESOURCE_EXHAUSTED) options.onRateLimited?.(callClassOf(r.path));
      // A fault is the daemon's (its token store threw): an error to see.
      if (r.fault !== undefined) {
        options.logger?.error('could not check a call', { method: r.path, peer: r.peer, err: r.fault });
        return;
      }
      // Debug only: refusals are the caller's doing, and a flood of them must not flood the log.
      options.logger?.debug('call refused', { method: r.path, code: statusName(r.code), peer: r.peer, why: r.message });
    },
  };
}
