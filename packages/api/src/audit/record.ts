// One audit line: what a daemon records about a call, and how it becomes a bounded JSON line.
// Every field is capped (a caller chooses ids, names and messages), so a line is at most
// LINE_MAX_BYTES whatever it was asked.

/** Target ids of a call, by kind ("workload", "pipeline", "step", "node", ...). */
export type AuditTargets = Record<string, string | string[]>;

export interface AuditRecord {
  /** ISO 8601. */
  time: string;
  /** Who called ("client:alice", "token:ci", "scheduler", …): describeIdentity's words. */
  identity: string;
  /** The caller's address, "ip:port". */
  remote: string;
  /** "/mo.v1.Scheduler/SubmitWorkload". */
  method: string;
  targets: AuditTargets;
  /**
   * "OK" or the status name. Absent only on a strict mode's "received" line, written before the
   * call may change anything (write-ahead); its outcome is the next line for the same call.
   */
  code?: string;
  /** The status message of a call that did not succeed. */
  message?: string;
  stage?: 'received';
}

/** The most one line takes, newline included. */
export const LINE_MAX_BYTES = 4096;
const FIELD_MAX_BYTES = { identity: 256, remote: 128, method: 160, target: 256, message: 1024 } as const;
/** Ids listed per target kind (StartWorkloads names up to 1,000): past it, a count. */
export const TARGET_IDS_MAX = 8;

/** The record as one JSON line (with its newline), every field capped. */
export function formatAuditLine(r: AuditRecord): string {
  const out: Record<string, unknown> = {
    time: r.time,
    identity: cap(r.identity, FIELD_MAX_BYTES.identity),
    remote: cap(r.remote, FIELD_MAX_BYTES.remote),
    method: cap(r.method, FIELD_MAX_BYTES.method),
    targets: capTargets(r.targets),
  };
  if (r.stage) out.stage = r.stage;
  if (r.code !== undefined) out.code = cap(r.code, 32);
  if (r.message) out.message = cap(r.message, FIELD_MAX_BYTES.message);
  let line = JSON.stringify(out) + '\n';
  if (Buffer.byteLength(line) > LINE_MAX_BYTES) {
    // Only many target kinds of multi-byte text get here: keep the line, say what was dropped.
    out.targets = { dropped: `targets over ${LINE_MAX_BYTES} bytes` };
    line = JSON.stringify(out) + '\n';
  }
  return line;
}

function capTargets(targets: AuditTargets): AuditTargets {
  const out: AuditTargets = {};
  for (const [kind, value] of Object.entries(targets).slice(0, 8)) {
    const key = cap(kind, 32);
    if (typeof value === 'string') {
      out[key] = cap(value, FIELD_MAX_BYTES.target);
      continue;
    }
    const ids = value.slice(0, TARGET_IDS_MAX).map((v) => cap(v, FIELD_MAX_BYTES.target));
    if (value.length > TARGET_IDS_MAX) ids.push(`+${value.length - TARGET_IDS_MAX} more`);
    out[key] = ids;
  }
  return out;
}

/** `s` cut to at most maxBytes of UTF-8 (on a character boundary), marked with "…" when cut. */
export function cap(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s) <= maxBytes) return s;
  let bytes = 3; // the "…"
  let end = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > maxBytes) break;
    bytes += n;
    end += ch.length;
  }
  return s.slice(0, end) + '…';
}
