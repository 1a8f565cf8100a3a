// mo dev's certificates, in <data-dir>/tls: a CA, the scheduler's, one per agent (dev-0, …) and an
// admin client certificate for the person at the keyboard. Made on first run and kept: a file that
// is missing, expired or about to expire (within a day) is made again, from the same CA while it
// is valid.
import { existsSync, readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';

export interface DevPair {
  cert: string;
  key: string;
}

export interface DevPki {
  dir: string;
  ca: string;
  scheduler: DevPair;
  client: DevPair;
  agents: Record<string, DevPair>;
}

const DAY_MS = 86_400_000;

function usable(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    return new Date(new X509Certificate(readFileSync(path)).validTo).getTime() > Date.now() + DAY_MS;
  } catch {
    return false;
  }
}

/** Makes what is missing in `dir` and returns every path. */
export async function ensureDevPki(dir: string, agents: readonly string[]): Promise<DevPki> {
  const { createCa, createCertificate, pairPaths, readCa, writePair } = await import('@mo/pki');
  const caPaths = pairPaths(dir, 'ca');
  let fresh = false;
  if (!usable(caPaths.cert) || !existsSync(caPaths.key)) {
    writePair(dir, 'ca', await createCa({ commonName: 'mo dev CA' }), true);
    fresh = true; // every certificate of the old CA is useless now
  }
  const ca = readCa(dir);
  const make = async (base: string, role: import('@mo/api').CertRole): Promise<DevPair> => {
    const paths = pairPaths(dir, base);
    if (fresh || !usable(paths.cert) || !existsSync(paths.key) || !issuedBy(paths.cert, ca.certPem)) {
      const sans = role.kind === 'scheduler' ? ['localhost', '127.0.0.1'] : [];
      writePair(dir, base, await createCertificate(ca, { role, sans }), true);
    }
    return paths;
  };
  const scheduler = await make('scheduler', { kind: 'scheduler' });
  const client = await make('client', { kind: 'client', name: 'dev', access: 'admin' });
  const byName: Record<string, DevPair> = {};
  for (const name of agents) byName[name] = await make(`agent-${name}`, { kind: 'agent', node: name });
  return { dir, ca: caPaths.cert, scheduler, client, agents: byName };
}

function issuedBy(certPath: string, caPem: string): boolean {
  try {
    const c = new X509Certificate(readFileSync(certPath));
    const ca = new X509Certificate(caPem);
    return c.checkIssued(ca) && c.verify(ca.publicKey);
  } catch {
    return false;
  }
}

/** The daemon flags for a pair. */
export function tlsArgs(pki: DevPki, pair: DevPair): string[] {
  return ['--tls-ca', pki.ca, '--tls-cert', pair.cert, '--tls-key', pair.key];
}

/** The shell lines that point the CLI at the dev cluster's certificates. */
export function exportLines(pki: DevPki): string {
  return `export MO_CA_CERT=${pki.ca} MO_CLIENT_CERT=${pki.client.cert} MO_CLIENT_KEY=${pki.client.key}`;
}
