// The audit log's one hook in a daemon: a grpc-js server interceptor every MoServer can install
// (server.ts), first of all, so it sees each request as it arrives and each call's final status,
// whoever ends the call (a handler, the malformed-request check, an authorization check).
//
// Normal mode: one line when a call ends (methods.ts says which calls get one). Strict mode: a
// change also gets a "received" line before its request reaches the handler; when that line cannot
// be written the call is refused with UNAVAILABLE and nothing runs. (A line written only after the
// handler could not refuse anything: the change would already be made.)
import * as grpc from '@grpc/grpc-js';
import { statusName } from '../errors.js';
import { RefusedRequest } from '../malformed.js';
import { auditMethod, isRecorded, targetsOf } from './methods.js';
import type { AuditRecord, AuditTargets } from './record.js';
import type { AuditLog } from './writer.js';

/** What `identify` may look at: the call (its TLS peer: getAuthContext) and its metadata (a token). */
export interface AuditCallInfo {
  method: string;
  /** "ip:port". */
  peer: string;
  metadata: grpc.Metadata;
  call: grpc.ServerInterceptingCallInterface;
}

/** The caller in the log's words (describeIdentity); never a secret. */
export type Identify = (call: AuditCallInfo) => string;

export interface AuditOptions {
  log: AuditLog;
  /** Refuse a change whose "received" line cannot be written (UNAVAILABLE). */
  strict?: boolean;
  /** Default: "peer:<address>"; a server with a call guard: guardIdentify (identify.ts). */
  identify?: Identify;
}

export const AUDIT_UNAVAILABLE_MESSAGE = 'the audit log cannot be written, so this change was not made';

export function auditInterceptor(options: AuditOptions): grpc.ServerInterceptor {
  const { log } = options;
  const identify = options.identify ?? ((c: AuditCallInfo) => `peer:${c.peer}`);
  return (method, call) => {
    const plan = auditMethod(method.path);
    let metadata = new grpc.Metadata();
    let targets: AuditTargets = {};
    let identity: string | undefined;
    let requestSeen = false;
    let responseSeen = false;
    let refused = false;
    let ended = false;

    const line = (extra: Pick<AuditRecord, 'code' | 'message' | 'stage'>): AuditRecord => {
      identity ??= safeIdentify(identify, { method: method.path, peer: call.getPeer(), metadata, call });
      return {
        time: new Date().toISOString(),
        identity,
        remote: call.getPeer(),
        method: method.path,
        targets,
        ...extra,
      };
    };
    const end = (code: string, message: string | undefined) => {
      if (ended) return;
      ended = true;
      if (!isRecorded(plan.kind, code)) return;
      log.append(line(code === 'OK' || !message ? { code } : { code, message }));
    };

    const intercepted: grpc.ServerInterceptingCall = new grpc.ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(md, nextMetadata) {
            metadata = md;
            nextMetadata(md);
          },
          onReceiveMessage(message: unknown, nextMessage: (m: unknown) => void) {
            if (refused) return;
            if (!requestSeen && !(message instanceof RefusedRequest)) {
              requestSeen = true;
              targets = targetsOf(plan.request, message);
              if (options.strict && plan.kind === 'change' && !log.append(line({ stage: 'received' }))) {
                refused = true;
                intercepted.sendStatus({
                  code: grpc.status.UNAVAILABLE,
                  details: AUDIT_UNAVAILABLE_MESSAGE,
                  metadata: new grpc.Metadata(),
                });
                return;
              }
            }
            nextMessage(message);
          },
          onReceiveHalfClose(nextHalfClose) {
            if (!refused) nextHalfClose();
          },
          onCancel() {
            end('CANCELLED', 'the caller cancelled the call or its deadline passed');
          },
        });
      },
      sendMessage(message: unknown, next: (m: unknown) => void) {
        if (!responseSeen && plan.response) {
          responseSeen = true;
          targets = { ...targets, ...targetsOf(plan.response, message) };
        }
        next(message);
      },
      sendStatus(status, next) {
        end(statusName(status.code), status.details);
        next(status);
      },
    });
    return intercepted;
  };
}

function safeIdentify(identify: Identify, call: AuditCallInfo): string {
  try {
    return identify(call);
  } catch {
    return 'unknown'; // never fail a call over its audit line's identity
  }
}
