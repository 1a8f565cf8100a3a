// Making mo's certificates: a self-signed CA and leaf certificates with the role in DNS SANs, all
// ECDSA P-256 with SHA-256, signed with @peculiar/x509 on Node's WebCrypto (no openssl CLI).
import 'reflect-metadata'; // @peculiar/x509's dependency injection (tsyringe) needs the Reflect API
import * as x509 from '@peculiar/x509';
import { roleSans, type CertRole } from '@mo/api';
import { X509Certificate, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Certificates start this long before now: clocks of a cluster's hosts are never quite equal. */
const BACKDATE_MS = 5 * 60 * 1000;

export const DEFAULT_CA_DAYS = 3650;
export const DEFAULT_CERT_DAYS = 365;
export const MAX_DAYS = 3650 * 3;

/** A certificate and its private key, PEM (the key PKCS#8). */
export interface KeyPair {
  certPem: string;
  keyPem: string;
}

export interface CaOptions {
  /** The CA's CN (default "mo cluster CA"). */
  commonName?: string;
  /** Validity in days (default 3650). */
  days?: number;
  /** Start of validity (default: now less 5 minutes). */
  notBefore?: Date;
}

export interface CertOptions {
  /** The role: scheduler, agent (with its node), or client (with its name and access). */
  role: CertRole;
  /** Extra SANs: host names or IP addresses (the scheduler's, for stock tools that check them). */
  sans?: string[];
  /** Validity in days (default 365). */
  days?: number;
  /** Start of validity (default: now less 5 minutes); tests make expired certificates with it. */
  notBefore?: Date;
}

function checkDays(days: number, field: string): void {
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
    throw new Error(`${field}: expected a whole number of days from 1 to ${MAX_DAYS}, got ${String(days)}`);
  }
}

function serial(): string {
  // 16 random bytes, high bit clear (a positive INTEGER), as CAs do.
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({
    format: 'pem',
    type: 'pkcs8',
  }) as string;
}

/** DN attribute values are escaped (RFC 4514) so a name cannot add attributes. */
function dnValue(s: string): string {
  return s.replace(/([,+"\\<>;=])/g, '\\$1').replace(/^([ #])/, '\\$1');
}

async function newKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
}

function validity(days: number, notBefore?: Date): { notBefore: Date; notAfter: Date } {
  const from = notBefore ?? new Date(Date.now() - BACKDATE_MS);
  return { notBefore: from, notAfter: new Date(from.getTime() + days * DAY_MS) };
}

/** A new self-signed CA (can sign leaf certificates only: path length 0). */
export async function createCa(options: CaOptions = {}): Promise<KeyPair> {
  const days = options.days ?? DEFAULT_CA_DAYS;
  checkDays(days, 'days');
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${dnValue(options.commonName ?? 'mo cluster CA')}`,
    ...validity(days, options.notBefore),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await keyPem(keys.privateKey) };
}

/** The CN of a role's certificate: the client's name, "scheduler", or "agent <node>". */
function commonNameOf(role: CertRole): string {
  if (role.kind === 'client') return role.name;
  return role.kind === 'agent' ? `agent ${role.node}` : 'scheduler';
}

/** A leaf certificate for `role`, signed by `ca`. Usable as TLS server and client both. */
export async function createCertificate(ca: KeyPair, options: CertOptions): Promise<KeyPair> {
  const days = options.days ?? DEFAULT_CERT_DAYS;
  checkDays(days, 'days');
  const roleNames = roleSans(options.role); // validates the node / name / access
  const extra = options.sans ?? [];
  if (extra.length > 0 && options.role.kind !== 'scheduler') {
    throw new Error('san: extra SANs are for scheduler certificates only');
  }
  for (const s of extra) {
    if (
      isIP(s) === 0 &&
      !/^(?=.{1,253}$)[A-Za-z0-9*]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/.test(s)
    ) {
      throw new Error(`san: expected a host name or an IP address, got "${s.slice(0, 100)}"`);
    }
    if (s.endsWith('.mo')) throw new Error(`san: "${s}" is in mo's role domain (.mo): roles come from --role`);
  }
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importKey(ca.keyPem);
  const keys = await newKeys();
  const names = [
    ...roleNames.map((value) => ({ type: 'dns' as const, value })),
    ...extra.map((value) => ({ type: isIP(value) ? ('ip' as const) : ('dns' as const), value })),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${dnValue(commonNameOf(options.role))}`,
    issuer: caCert.subject,
    ...validity(days, options.notBefore),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension(names, false),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  const certPem = cert.toString('pem') + '\n';
  // Node's own parser reads it back (a certificate Node cannot use is not worth writing).
  new X509Certificate(certPem);
  return { certPem, keyPem: await keyPem(keys.privateKey) };
}

async function importKey(pem: string): Promise<CryptoKey> {
  const der = createPrivateKey(pem).export({ format: 'der', type: 'pkcs8' });
  return webcrypto.subtle.importKey('pkcs8', der, ALG, false, ['sign']);
}
