// What a client brings to a TLS connection: the cluster's CA and its own certificate and key,
// read at each dial (so a daemon's reloaded material reaches its new outgoing connections).
import { createSecureContext, type SecureContext } from 'node:tls';
import type { ReloadableTls } from './source.js';
import { loadCa, loadTlsMaterial, type TlsFiles, type TlsLabels } from './material.js';

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

/**
 * Loads a client's files once, checked as a daemon's are (errors name the CLI flags by default).
 * Without cert and key only the CA is read (a caller with a bearer token).
 */
export function loadClientTls(
  files: Pick<TlsFiles, 'ca'> & Partial<Pick<TlsFiles, 'cert' | 'key'>>,
  labels: TlsLabels = CLI_TLS_LABELS,
): ClientTls {
  if (files.cert === undefined && files.key === undefined) return clientTls({ ca: loadCa(files.ca, labels.ca) });
  if (files.cert === undefined || files.key === undefined) {
    const missing = files.cert === undefined ? labels.cert : labels.key;
    throw new Error(`${missing} is needed with ${files.cert === undefined ? labels.key : labels.cert}`);
  }
  return clientTls(loadTlsMaterial({ ca: files.ca, cert: files.cert, key: files.key }, labels));
}
