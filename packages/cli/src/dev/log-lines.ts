// Daemon log lines for people: `{"ts":…,"level":"info","msg":"agent ready","grpc":"…"}` becomes
// `12:00:01.123 info  agent ready grpc=127.0.0.1:7610 …`. Lines that are not our JSON pass as they are.

/** Fields every daemon line has, shown in their own places rather than as key=value. */
const OWN_PLACE = new Set(['ts', 'level', 'msg']);

export function formatLogLine(line: string): { text: string; fields?: Record<string, unknown> } {
  if (!line.startsWith('{')) return { text: line };
  let fields: unknown;
  try {
    fields = JSON.parse(line);
  } catch {
    return { text: line };
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return { text: line };
  const f = fields as Record<string, unknown>;
  const ts = typeof f.ts === 'string' ? f.ts.slice(11, 23) : '';
  const level = typeof f.level === 'string' ? f.level.padEnd(5) : '';
  const rest = Object.entries(f)
    // An error's stack (`errStack`: see @mo/api's logger) is for the JSON log, not a dev terminal.
    .filter(([k]) => !OWN_PLACE.has(k) && !k.endsWith('Stack'))
    .map(([k, v]) => `${k}=${value(v)}`);
  const text = [ts, level, typeof f.msg === 'string' ? f.msg : '', ...rest].filter(Boolean).join(' ');
  return { text, fields: f };
}

function value(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}
