// Loading a daemon's or a client's TLS files: the cluster's CA, its own certificate and key. Every
// error names the flag and the path. A key that others (the o bits) can read is refused, as ssh
// does with a private key: it is no longer a secret, and saying so at start beats a leak. A key its
// group can read is accepted: that is how a key is shared with a service's group on purpose
// (Debian's ssl-cert group, 0640 root:ssl-cert); mo's own tools write 0600.
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { identityFromCertificate, type CertRole, type Identity } from '../auth/identity.js';
import { TlsFileError, checkKeyMode, readPem } from './pem.js';

/** Paths of the three PEM files. */
export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

/** How each file is named in messages ("--tls-ca (MO_TLS_CA)"). */
export type TlsLabels = Record<keyof TlsFiles, string>;

export const DAEMON_TLS_LABELS: TlsLabels = {
  ca: '--tls-ca (MO_TLS_CA)',
  cert: '--tls-cert (MO_TLS_CERT)',
  key: '--tls-key (MO_TLS_KEY)',
};

/** The PEM bytes of the three files, checked to belong together. */
export interface TlsMaterial {
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
  /** The role in the certificate's SANs. */
  readonly role: CertRole;
  /** When the certificate expires. */
  readonly notAfter: Date;
}

export { TlsFileError, checkKeyMode } from './pem.js';

function parseCert(pem: Buffer, path: string, label: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new TlsFileError(`${label}: ${path} is not a PEM certificate (${(err as Error).message})`);
  }
}

function dateOf(s: string): Date {
  return new Date(s);
}

/**
 * Reads and checks the three files: each parses, the key is the certificate's, the certificate
 * is signed by the CA and valid now, and carries exactly one mo role.
 */
export function loadTlsMaterial(files: TlsFiles, labels: TlsLabels = DAEMON_TLS_LABELS, now = new Date()): TlsMaterial {
  const ca = readPem(files.ca, labels.ca);
  const cert = readPem(files.cert, labels.cert);
  const key = readPem(files.key, labels.key);
  checkKeyMode(files.key, labels.key);
  const caCert = parseCert(ca, files.ca, labels.ca);
  const own = parseCert(cert, files.cert, labels.cert);
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(key);
  } catch (err) {
    throw new TlsFileError(`${labels.key}: ${files.key} is not a PEM private key (${(err as Error).message})`);
  }
  if (!own.checkPrivateKey(keyObject)) {
    throw new TlsFileError(`${labels.key}: ${files.key} is not the key of the certificate ${files.cert}`);
  }
  if (!caCert.ca) throw new TlsFileError(`${labels.ca}: ${files.ca} is not a CA certificate`);
  if (!own.checkIssued(caCert) || !own.verify(caCert.publicKey)) {
    throw new TlsFileError(`${labels.cert}: ${files.cert} is not signed by the CA in ${files.ca} (${labels.ca})`);
  }
  checkValidity(own, files.cert, labels.cert, now);
  checkValidity(caCert, files.ca, labels.ca, now);
  let role: Identity;
  try {
    role = identityFromCertificate(own);
  } catch (err) {
    throw new TlsFileError(`${labels.cert}: ${files.cert}: ${(err as Error).message}`);
  }
  return { ca, cert, key, role: role as CertRole, notAfter: dateOf(own.validTo) };
}

/** Reads and checks a CA certificate alone (a client that authenticates with a token). */
export function loadCa(path: string, label: string, now = new Date()): Buffer {
  const ca = readPem(path, label);
  const x = parseCert(ca, path, label);
  if (!x.ca) throw new TlsFileError(`${label}: ${path} is not a CA certificate`);
  checkValidity(x, path, label, now);
  return ca;
}

function checkValidity(cert: X509Certificate, path: string, label: string, now: Date): void {
  const from = dateOf(cert.validFrom);
  const to = dateOf(cert.validTo);
  if (now > to) throw new TlsFileError(`${label}: ${path} expired on ${to.toISOString()}`);
  if (now < from) throw new TlsFileError(`${label}: ${path} is not valid before ${from.toISOString()}`);
}
