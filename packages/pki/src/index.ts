/**
 * @mo/pki — makes mo's certificate authority and role certificates (`mo tls`, `mo dev`, testkit).
 *
 * ```ts
 * import { createCa, createCertificate, writePair } from '@mo/pki';
 * const ca = await createCa();                                   // self-signed, 10 years
 * writePair('/etc/mo/tls', 'ca', ca);                             // ca.pem 0644, ca-key.pem 0600
 * const s = await createCertificate(ca, { role: { kind: 'scheduler' }, sans: ['10.0.0.1'] });
 * writePair('/etc/mo/tls', 'scheduler', s);
 * const a = await createCertificate(ca, { role: { kind: 'agent', node: 'n1' } }); // agent.n1.mo
 * const c = await createCertificate(ca, { role: { kind: 'client', name: 'alice', access: 'operate' } });
 * ```
 *
 * Keys are ECDSA P-256 (PKCS#8 PEM), certificates signed with SHA-256, made with @peculiar/x509 on
 * Node's WebCrypto. The role lives in DNS SANs (roleSans in @mo/api): `scheduler.mo`,
 * `agent.<node>.mo` (and `agent.mo`, no role: for tools that check host names), `client.mo` +
 * `<access>.client.mo` with CN = the client's name. Exports:
 * `createCa`, `createCertificate` (+ their options and defaults), `writePair` / `pairPaths` /
 * `readCa` (files: keys 0600, certificates 0644, no overwrite without force). Daemons never load
 * this package: they only read PEM files (@mo/api's TlsSource).
 */
export {
  DEFAULT_CA_DAYS,
  DEFAULT_CERT_DAYS,
  MAX_DAYS,
  createCa,
  createCertificate,
  type CaOptions,
  type CertOptions,
  type KeyPair,
} from './make.js';
export { CA_CERT_FILE, CA_KEY_FILE, pairPaths, readCa, writePair } from './files.js';
