// Loading a client's TLS files with every check a daemon's get (material.ts, with node:crypto):
// the file parses, the key is the certificate's, the CA signed it, it is valid now.
import { CLI_TLS_LABELS, checkClientPair, clientTls, type ClientFiles, type ClientTls } from './client.js';
import { loadCa, loadTlsMaterial, type TlsLabels } from './material.js';

/**
 * Loads a client's files once, checked as a daemon's are (errors name the CLI flags by default).
 * Without cert and key only the CA is read (a caller with a bearer token).
 */
export function loadClientTls(files: ClientFiles, labels: TlsLabels = CLI_TLS_LABELS): ClientTls {
  checkClientPair(files, labels);
  if (files.cert === undefined || files.key === undefined) return clientTls({ ca: loadCa(files.ca, labels.ca) });
  return clientTls(loadTlsMaterial({ ca: files.ca, cert: files.cert, key: files.key }, labels));
}
