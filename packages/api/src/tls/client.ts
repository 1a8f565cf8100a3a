// What a client brings to a TLS connection: the cluster's CA and its own certificate and key,
// read at each dial (so a daemon's reloaded material reaches its new outgoing connections).
import { createSecureContext, type SecureContext } from 'node:tls';
import type { ReloadableTls } from './source.js';
import type { TlsFiles, TlsLabels } from './material.js';
import { checkKeyMode, readPem } from './pem.js';

/** PEM bytes a client dials with: the CA it trusts, and its own certificate and key unless it
 * authenticates with a bearer token alone. */
export interface ClientMaterial {
  readonly ca: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

export interface ClientTls {
  /** The PEM bytes to dial with; called for each new connection. */
  material(): ClientMaterial;
}

/** A ClientTls over a daemon's reloadable source, or fixed material. */
export function clientTls(from: ReloadableTls | ClientMaterial): ClientTls {
  if ('onChange' in from) return { material: () => from.material };
  return { material: () => from };
}

const contexts = new WeakMap<ClientMaterial, SecureContext>();

/**
 * One SecureContext per material (a reload makes new material, so a new context): parsing the CA,
 * the certificate and the key costs ~2 ms, which every new connection to an agent paid.
 */
export function secureContextOf(m: ClientMaterial): SecureContext {
  let context = contexts.get(m);
  if (!context) {
    context = createSecureContext({ ca: m.ca, ...(m.cert && m.key ? { cert: m.cert, key: m.key } : {}) });
    contexts.set(m, context);
  }
  return context;
}

export const CLI_TLS_LABELS: TlsLabels = {
  ca: '--ca-cert (MO_CA_CERT)',
  cert: '--client-cert (MO_CLIENT_CERT)',
  key: '--client-key (MO_CLIENT_KEY)',
};

/** The client's files as given: the CA alone (a caller with a bearer token), or all three. */
export type ClientFiles = Pick<TlsFiles, 'ca'> & Partial<Pick<TlsFiles, 'cert' | 'key'>>;

/** Both of cert and key, or neither: an Error naming the missing one. */
export function checkClientPair(files: ClientFiles, labels: TlsLabels): void {
  if ((files.cert === undefined) === (files.key === undefined)) return;
  const missing = files.cert === undefined ? labels.cert : labels.key;
  throw new Error(`${missing} is needed with ${files.cert === undefined ? labels.key : labels.cert}`);
}

/**
 * Reads a client's files without checking what they hold (no node:crypto, whose loading was a
 * tenth of `mo status`): what `mo status` dials with. Missing, unreadable, oversized files and a
 * key open to others are refused as loadClientTls does; a caller whose call fails runs
 * loadClientTls (load-client.ts) to say what is wrong with them.
 */
export function readClientTls(files: ClientFiles, labels: TlsLabels = CLI_TLS_LABELS): ClientTls {
  checkClientPair(files, labels);
  const ca = readPem(files.ca, labels.ca);
  if (files.cert === undefined || files.key === undefined) return clientTls({ ca });
  const cert = readPem(files.cert, labels.cert);
  const key = readPem(files.key, labels.key);
  checkKeyMode(files.key, labels.key);
  return clientTls({ ca, cert, key });
}
