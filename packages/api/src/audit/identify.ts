// Who an audit line names, on a server with a call guard (auth/guard.ts): the identity the guard
// admitted the call with; for a call it refused, who the caller proved to be when it proved
// anything (a valid token without the role needed), else "unauthenticated". Never a secret.
import { authenticate, identityOf, type CallGuardOptions } from '../auth/guard.js';
import { describeIdentity } from '../auth/identity.js';
import type { AuditCallInfo, Identify } from './interceptor.js';

export const UNAUTHENTICATED_IDENTITY = 'unauthenticated';

export function guardIdentify(guard: Pick<CallGuardOptions, 'transportIdentity' | 'checkToken'>): Identify {
  return ({ metadata, call }: AuditCallInfo) => {
    const admitted = identityOf({ metadata });
    if (admitted) return describeIdentity(admitted);
    try {
      return describeIdentity(authenticate(metadata, guard.transportIdentity(call), guard.checkToken));
    } catch {
      return UNAUTHENTICATED_IDENTITY;
    }
  };
}
