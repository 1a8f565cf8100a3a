// Who a caller is. Every mo connection is mutually authenticated: the role lives in the peer
// certificate's DNS SANs (`scheduler.mo`, `agent.<node>.mo`, `client.mo` + `<access>.client.mo`),
// so a certificate cannot be read two ways. Bearer tokens resolve to the same shape (tokens are
// resolved by a TokenResolver, see authenticate.ts).
import type { PeerCertificate } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import { UnauthenticatedError, truncateForError } from '../errors.js';

/** Access of a client or token: admin ⊃ operate ⊃ read. */
export type Access = 'read' | 'operate' | 'admin';
export const ACCESS_LEVELS: readonly Access[] = ['read', 'operate', 'admin'];

export type Identity =
  | { kind: 'scheduler' } // certificate SAN scheduler.mo
  | { kind: 'agent'; node: string } // SAN agent.<node-name>.mo
  | { kind: 'client'; name: string; access: Access } // SAN client.mo + <access>.client.mo, CN = name
  | { kind: 'token'; name: string; access: Access; tokenId: string } // bearer token
  | { kind: 'insecure' }; // daemon started with --insecure

/** A role a certificate can carry (what `mo tls cert create --role` makes). */
export type CertRole =
  { kind: 'scheduler' } | { kind: 'agent'; node: string } | { kind: 'client'; name: string; access: Access };

/** 'scheduler' | 'agent:n1' | 'client:alice' | 'token:ci' | 'insecure' (logs, audit, errors). */
export function describeIdentity(i: Identity): string {
  switch (i.kind) {
    case 'scheduler':
      return 'scheduler';
    case 'agent':
      return `agent:${i.node}`;
    case 'client':
      return `client:${i.name}`;
    case 'token':
      return `token:${i.name}`;
    case 'insecure':
      return 'insecure';
  }
}

/** Whether `have` includes `need` (admin ⊃ operate ⊃ read). */
export function accessIncludes(have: Access, need: Access): boolean {
  return ACCESS_LEVELS.indexOf(have) >= ACCESS_LEVELS.indexOf(need);
}

export function isAccess(s: unknown): s is Access {
  return typeof s === 'string' && (ACCESS_LEVELS as readonly string[]).includes(s);
}

/** Node names as the agent accepts them (one DNS-safe-ish label set; dots allowed). */
const NODE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** A client's name (the certificate's CN). */
const CLIENT_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,62}$/;

export const SCHEDULER_SAN = 'scheduler.mo';
export const CLIENT_SAN = 'client.mo';
/**
 * Also on every agent certificate, and no role: the one name a tool that checks host names can
 * expect of any agent (Prometheus' tls_config server_name). mo's own connections expect
 * agent.<node>.mo.
 */
export const ANY_AGENT_SAN = 'agent.mo';

/** The role DNS SANs a certificate for `role` carries. */
export function roleSans(role: CertRole): string[] {
  switch (role.kind) {
    case 'scheduler':
      return [SCHEDULER_SAN];
    case 'agent':
      checkName(role.node, NODE_NAME_RE, 'node');
      return [`agent.${role.node}.mo`, ANY_AGENT_SAN];
    case 'client':
      checkName(role.name, CLIENT_NAME_RE, 'name');
      if (!isAccess(role.access)) throw new Error(`access: expected read|operate|admin, got "${String(role.access)}"`);
      return [CLIENT_SAN, `${role.access}.client.mo`];
  }
}

function checkName(value: string, re: RegExp, field: string): void {
  if (!re.test(value)) {
    throw new Error(
      `${field}: expected letters, digits, '.', '_' or '-' (at most 63), got "${truncateForError(value, 64)}"`,
    );
  }
}

/**
 * The role a certificate's DNS SANs and CN give. Exactly one role: a certificate with none, or
 * with two (say scheduler.mo and an agent SAN), is refused, so no name means two things. Other
 * SANs (a scheduler's host names and addresses) are ignored. Throws UnauthenticatedError naming
 * what the certificate had.
 */
export function identityFromSans(dnsNames: readonly string[], commonName: string | undefined): CertRole {
  const roles: CertRole[] = [];
  const accesses: string[] = [];
  let client = false;
  // SANs are matched as written: node names keep their case.
  for (const name of dnsNames) {
    if (name === SCHEDULER_SAN) roles.push({ kind: 'scheduler' });
    else if (name === CLIENT_SAN) client = true;
    else if (name.endsWith('.client.mo') && name.split('.').length === 3) accesses.push(name.split('.')[0]!);
    else if (name.startsWith('agent.') && name.endsWith('.mo')) {
      const node = name.slice('agent.'.length, -'.mo'.length);
      if (NODE_NAME_RE.test(node)) roles.push({ kind: 'agent', node });
    }
  }
  if (client) {
    const access = accesses.length === 1 && isAccess(accesses[0]!) ? accesses[0] : undefined;
    if (!access) {
      throw new UnauthenticatedError(
        `client certificate needs exactly one access SAN (read|operate|admin.client.mo), has ${listed(accesses.map((a) => `${a}.client.mo`))}`,
      );
    }
    if (!commonName || !CLIENT_NAME_RE.test(commonName)) {
      throw new UnauthenticatedError(
        `client certificate has no usable CN (the client's name): ${listed(commonName ? [commonName] : [])}`,
      );
    }
    roles.push({ kind: 'client', name: commonName, access });
  }
  if (roles.length === 1) return roles[0]!;
  const sans = listed(dnsNames);
  if (roles.length === 0) throw new UnauthenticatedError(`certificate carries no mo role (DNS SANs: ${sans})`);
  throw new UnauthenticatedError(`certificate carries ${roles.length} mo roles, expected one (DNS SANs: ${sans})`);
}

function listed(items: readonly string[]): string {
  if (items.length === 0) return 'none';
  const shown = items.slice(0, 8).map((s) => truncateForError(s, 64));
  return shown.join(', ') + (items.length > 8 ? `, … (${items.length})` : '');
}

/**
 * The DNS names of a `subjectaltname` string as Node writes it ("DNS:a, DNS:b, IP Address:1.2.3.4";
 * a name with unusual characters is JSON-quoted).
 */
export function dnsNamesOf(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  const names: string[] = [];
  const re = /DNS:("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g;
  for (const m of subjectAltName.matchAll(re)) {
    const v = m[1]!;
    try {
      names.push(v.startsWith('"') ? (JSON.parse(v) as string) : v);
    } catch {
      names.push(v);
    }
  }
  return names;
}

/** The CN of an X509Certificate's `subject` ("C=..\nCN=alice\n…"). */
function commonNameOf(subject: string): string | undefined {
  for (const line of subject.split('\n')) if (line.startsWith('CN=')) return line.slice(3);
  return undefined;
}

/**
 * The identity a verified peer certificate gives (a grpc-js auth context's sslPeerCertificate, a
 * TLS socket's getPeerCertificate(), or a node:crypto X509Certificate). The caller has already
 * checked the chain against the cluster's CA: this only reads the role.
 */
export function identityFromCertificate(peer: PeerCertificate | X509Certificate): Identity {
  if ('subjectaltname' in peer || !('subjectAltName' in peer)) {
    const p = peer as PeerCertificate;
    const cn = p.subject?.CN;
    return identityFromSans(dnsNamesOf(p.subjectaltname), Array.isArray(cn) ? cn[0] : cn);
  }
  const x = peer;
  return identityFromSans(dnsNamesOf(x.subjectAltName), commonNameOf(x.subject));
}
