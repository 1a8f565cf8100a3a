// The CLI helper's wire, shared with native/mo-front.c (which documents it): one request of
// NUL-terminated strings behind a u32 big-endian length, then answer frames of a type byte and a
// u32 length. Pure: the server reads and writes through these.

/** The largest request the front sends; a larger length is a caller that is not the front. */
export const MAX_REQUEST_BYTES = 1 << 20;
export const REQUEST_MAGIC = 'mo-cli/1';

/** What one `mo` call asks: its working directory, its arguments (after `mo`), its environment. */
export interface HelperRequest {
  cwd: string;
  args: string[];
  env: Record<string, string>;
}

export type FrameType = 'A' | 'O' | 'E' | 'X' | 'F';

/** One answer frame. */
export function frame(type: FrameType, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const out = Buffer.allocUnsafe(5 + payload.length);
  out[0] = type.charCodeAt(0);
  out.writeUInt32BE(payload.length, 1);
  out.set(payload, 5);
  return out;
}

/**
 * The request's length once its 4-byte header is in `head`; throws for one over the bound (the
 * connection is then closed).
 */
export function requestLength(head: Buffer): number {
  const n = head.readUInt32BE(0);
  if (n > MAX_REQUEST_BYTES) throw new RangeError(`request of ${n} bytes is over ${MAX_REQUEST_BYTES}`);
  return n;
}

/** Parses a request's body (without the length); throws a RangeError naming what is wrong. */
export function parseRequest(body: Buffer): HelperRequest {
  const parts = body.toString('utf8').split('\0');
  // The body ends with a NUL, so the last part is empty.
  if (parts.pop() !== '') throw new RangeError('request: not NUL-terminated');
  let i = 0;
  const next = (what: string): string => {
    if (i >= parts.length) throw new RangeError(`request: ${what} missing`);
    return parts[i++]!;
  };
  const count = (what: string): number => {
    const s = next(what);
    if (!/^\d{1,7}$/.test(s)) throw new RangeError(`request: ${what} is not a count: ${JSON.stringify(s)}`);
    return Number(s);
  };
  if (next('magic') !== REQUEST_MAGIC) throw new RangeError('request: not a mo-cli/1 request');
  const cwd = next('cwd');
  if (!cwd.startsWith('/')) throw new RangeError('request: cwd is not absolute');
  const argc = count('argc');
  const args: string[] = [];
  for (let k = 0; k < argc; k++) args.push(next('argument'));
  const envc = count('envc');
  const env: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let k = 0; k < envc; k++) {
    const entry = next('environment entry');
    const eq = entry.indexOf('=');
    // As a process sees its environment: entries without '=' are ignored, the first of a name wins.
    if (eq <= 0) continue;
    const name = entry.slice(0, eq);
    if (!(name in env)) env[name] = entry.slice(eq + 1);
  }
  if (i !== parts.length) throw new RangeError('request: trailing data');
  return { cwd, args, env };
}

/** A request's bytes as the front writes them (tests, and a client other than the front). */
export function encodeRequest(req: HelperRequest): Buffer {
  const strings = [
    REQUEST_MAGIC,
    req.cwd,
    String(req.args.length),
    ...req.args,
    String(Object.keys(req.env).length),
    ...Object.entries(req.env).map(([k, v]) => `${k}=${v}`),
  ];
  const body = Buffer.from(strings.map((s) => `${s}\0`).join(''), 'utf8');
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}
