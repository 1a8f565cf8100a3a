// Names and addresses of a network-namespace test bed (netns.ts), as pure functions: every name
// carries the owning process's pid, so a later run can tell a leftover (its owner is dead) from a
// bed in use by a concurrent test file, and fits Linux's 15-character interface names.

/** Every name of every bed starts with this (and nothing else on a host is expected to). */
export const BED_PREFIX = 'motb';
/** base36 digits of the owner's pid: 36^5 = 60,466,176 > Linux's largest pid_max (2^22). */
const PID_CHARS = 5;
/** base36 digits of the bed's sequence number within its process. */
const SEQ_CHARS = 2;
/** Hosts get .2 to .254 of the bed's /24 (.1 is the bridge). */
export const MAX_HOSTS = 253;
/** Interface names longer than this are refused by the kernel (IFNAMSIZ - 1). */
export const IFNAME_MAX = 15;

export interface BedNames {
  /** "motb" + pid + seq: the prefix of every name of this bed. */
  readonly base: string;
  readonly bridge: string;
  /** The veth end in the host namespace, attached to the bridge. */
  hostVeth(index: number): string;
  /** The veth end inside host `index`'s namespace. */
  nsVeth(index: number): string;
  netns(index: number): string;
}

function digits(n: number, width: number, what: string): string {
  const s = n.toString(36);
  if (!Number.isInteger(n) || n < 0 || s.length > width) {
    throw new RangeError(`${what} must be an integer from 0 to ${36 ** width - 1}, got ${n}`);
  }
  return s.padStart(width, '0');
}

/** The names of bed number `seq` of process `pid`. */
export function bedNames(pid: number, seq: number): BedNames {
  const base = `${BED_PREFIX}${digits(pid, PID_CHARS, 'pid')}${digits(seq, SEQ_CHARS, 'bed sequence')}`;
  const host = (index: number) => {
    if (!Number.isInteger(index) || index < 0 || index >= MAX_HOSTS) {
      throw new RangeError(`host index must be an integer from 0 to ${MAX_HOSTS - 1}, got ${index}`);
    }
    return digits(index, 2, 'host index');
  };
  return {
    base,
    bridge: `${base}br`,
    hostVeth: (i) => `${base}h${host(i)}`,
    nsVeth: (i) => `${base}n${host(i)}`,
    netns: (i) => `${base}-${host(i)}`,
  };
}

/** The pid that owns a bed's name (any bed's), or undefined if the name is not a bed's. */
export function ownerPid(name: string): number | undefined {
  const m = new RegExp(`^${BED_PREFIX}([0-9a-z]{${PID_CHARS}})[0-9a-z]{${SEQ_CHARS}}`).exec(name);
  return m ? parseInt(m[1]!, 36) : undefined;
}

/** 10.200.0.0/24 to 10.255.255.0/24: 14,336 subnets to pick from. */
const FIRST_OCTET2 = 200;
const SUBNETS = (256 - FIRST_OCTET2) * 256;

/**
 * Candidate /24 prefixes ("10.A.B") for a bed of process `pid`, all of them once, starting at one
 * derived from the pid so concurrent processes rarely even contend for the same lock file.
 */
export function* subnetCandidates(pid: number): Generator<string> {
  const start = (pid * 7919) % SUBNETS;
  for (let j = 0; j < SUBNETS; j++) {
    const k = (start + j) % SUBNETS;
    yield `10.${FIRST_OCTET2 + (k >> 8)}.${k & 255}`;
  }
}

function ipv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

/**
 * True if the /24 `prefix` ("10.A.B") overlaps any of `cidrs` ("a.b.c.d/len" or an address). A
 * default route (/0) is no clash: the bed's /24 on its bridge is more specific.
 */
export function overlapsAny(prefix: string, cidrs: readonly string[]): boolean {
  const lo = ipv4(`${prefix}.0`);
  if (lo === undefined) throw new RangeError(`not a /24 prefix: ${prefix}`);
  const hi = lo + 255;
  return cidrs.some((c) => {
    const [addr, lenText] = c.split('/');
    const a = ipv4(addr ?? '');
    const len = lenText === undefined ? 32 : Number(lenText);
    if (a === undefined || !Number.isInteger(len) || len < 1 || len > 32) return false;
    const size = 2 ** (32 - len);
    const start = a - (a % size);
    return start <= hi && start + size - 1 >= lo;
  });
}
