// The audit lines of a call that does not come through gRPC (the scheduler's HTTP API, whose routes
// each mirror a gRPC method): the same rules as the interceptor (interceptor.ts) — methods.ts says
// which calls get a line and which ids they name; in strict mode a change is written ahead
// ("received") and refused when it cannot be.
import { auditMethod, isRecorded, targetsOf } from './methods.js';
import type { AuditRecord, AuditTargets } from './record.js';
import type { AuditLog } from './writer.js';

export interface AuditedCall {
  /** Before a change runs: false when strict mode could not write its line (refuse: UNAVAILABLE). */
  received(): boolean;
  /** The response message (what a create made: its id). */
  response(message: unknown): void;
  /** The call ended with status `code` ("OK", "NOT_FOUND", …). Only the first end counts. */
  end(code: string, message?: string): void;
}

export function auditCall(
  options: { log: AuditLog; strict?: boolean },
  call: { method: string; remote: string; identity: string; request?: unknown },
): AuditedCall {
  const plan = auditMethod(call.method);
  let targets: AuditTargets = targetsOf(plan.request, call.request);
  let ended = false;
  const line = (extra: Pick<AuditRecord, 'code' | 'message' | 'stage'>): AuditRecord => ({
    time: new Date().toISOString(),
    identity: call.identity,
    remote: call.remote,
    method: call.method,
    targets,
    ...extra,
  });
  return {
    received() {
      if (!options.strict || plan.kind !== 'change') return true;
      return options.log.append(line({ stage: 'received' }));
    },
    response(message) {
      if (plan.response) targets = { ...targets, ...targetsOf(plan.response, message) };
    },
    end(code, message) {
      if (ended) return;
      ended = true;
      if (!isRecorded(plan.kind, code)) return;
      options.log.append(line(code === 'OK' || !message ? { code } : { code, message }));
    },
  };
}
