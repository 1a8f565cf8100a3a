// What a client brings to a TLS connection: the cluster's CA and its own certificate and key,
// read at each dial (so a daemon's reloaded material reaches its new outgoing connections).
import { TlsSource } from './source.js';
import { loadTlsMaterial, type TlsFiles, type TlsLabels, type TlsMaterial } from './material.js';

export interface ClientTls {
  /** The PEM bytes to dial with; called for each new connection. */
  material(): Pick<TlsMaterial, 'ca' | 'cert' | 'key'>;
}

/** A ClientTls over a daemon's reloadable source, or fixed material. */
export function clientTls(from: TlsSource | Pick<TlsMaterial, 'ca' | 'cert' | 'key'>): ClientTls {
  if (from instanceof TlsSource) return { material: () => from.material };
  return { material: () => from };
}

export const CLI_TLS_LABELS: TlsLabels = {
  ca: '--ca-cert (MO_CA_CERT)',
  cert: '--client-cert (MO_CLIENT_CERT)',
  key: '--client-key (MO_CLIENT_KEY)',
};

/** Loads a client's files once (checked as a daemon's are; errors name the CLI flags by default). */
export function loadClientTls(files: TlsFiles, labels: TlsLabels = CLI_TLS_LABELS): ClientTls {
  return clientTls(loadTlsMaterial(files, labels));
}
