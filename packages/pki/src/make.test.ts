// What @mo/pki makes is accepted by Node's own X509Certificate and tls: a real handshake between
// two sockets, with the roles read back from the peer certificates.
import { afterAll, describe, expect, it } from '@jest/globals';
import { checkPeerRole, identityFromCertificate, type Identity } from '@mo/api';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { createCa, createCertificate, readCa, writePair, type KeyPair } from './index.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Handshake {
  serverSaw: Identity | string;
  clientError?: string;
}

/** One TLS connection: the server asks for a client certificate, verifies it against its CA. */
async function handshake(
  server: { ca: KeyPair; pair: KeyPair },
  client: { ca: KeyPair; pair?: KeyPair },
): Promise<Handshake> {
  let serverSaw: Identity | string = 'nothing';
  const srv = tls.createServer(
    {
      ca: server.ca.certPem,
      cert: server.pair.certPem,
      key: server.pair.keyPem,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (socket) => {
      serverSaw = socket.authorized
        ? identityFromCertificate(socket.getPeerCertificate())
        : `unauthorized: ${String(socket.authorizationError)}`;
      socket.end('ok');
    },
  );
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  try {
    const clientError = await new Promise<string | undefined>((resolve) => {
      const s = tls.connect({
        host: '127.0.0.1',
        port,
        ca: client.ca.certPem,
        ...(client.pair ? { cert: client.pair.certPem, key: client.pair.keyPem } : {}),
        checkServerIdentity: checkPeerRole({ kind: 'scheduler' }),
      });
      s.on('data', () => undefined);
      s.once('end', () => resolve(undefined));
      s.once('error', (err) => resolve(err.message));
    });
    // The server's callback ran before it ended the socket (or never ran: the client refused first).
    return { serverSaw, ...(clientError ? { clientError } : {}) };
  } finally {
    srv.close();
  }
}

describe('@mo/pki', () => {
  it('makes a P-256 CA that Node reads as a CA', async () => {
    const ca = await createCa({ commonName: 'test CA' });
    const x = new X509Certificate(ca.certPem);
    expect(x.ca).toBe(true);
    expect(x.subject).toBe('CN=test CA');
    expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(createPrivateKey(ca.keyPem).asymmetricKeyType).toBe('ec');
    expect(ca.keyPem).toContain('BEGIN PRIVATE KEY'); // PKCS#8
    expect(new Date(x.validTo).getTime() - Date.now()).toBeGreaterThan(3649 * 86_400_000);
  });

  it.each([
    [{ kind: 'scheduler' } as const, { kind: 'scheduler' }, ['DNS:scheduler.mo']],
    [
      { kind: 'agent', node: 'n-1.rack2' } as const,
      { kind: 'agent', node: 'n-1.rack2' },
      ['DNS:agent.n-1.rack2.mo', 'DNS:agent.mo'],
    ],
    [
      { kind: 'client', name: 'alice', access: 'operate' } as const,
      { kind: 'client', name: 'alice', access: 'operate' },
      ['DNS:client.mo', 'DNS:operate.client.mo'],
    ],
  ])('a %j certificate carries its role and is issued by the CA', async (role, identity, sans) => {
    const ca = await createCa();
    const pair = await createCertificate(ca, { role });
    const x = new X509Certificate(pair.certPem);
    expect(x.subjectAltName?.split(', ')).toEqual(sans);
    expect(x.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
    expect(x.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(x.checkPrivateKey(createPrivateKey(pair.keyPem))).toBe(true);
    expect(identityFromCertificate(x)).toEqual(identity);
    expect(Math.round((new Date(x.validTo).getTime() - new Date(x.validFrom).getTime()) / 86_400_000)).toBe(365);
  });

  it('puts extra host names and addresses on a scheduler certificate only', async () => {
    const ca = await createCa();
    const s = await createCertificate(ca, {
      role: { kind: 'scheduler' },
      sans: ['sched.example.org', '10.1.2.3', '::1'],
    });
    expect(new X509Certificate(s.certPem).subjectAltName).toBe(
      'DNS:scheduler.mo, DNS:sched.example.org, IP Address:10.1.2.3, IP Address:0:0:0:0:0:0:0:1',
    );
    await expect(createCertificate(ca, { role: { kind: 'agent', node: 'n1' }, sans: ['x.org'] })).rejects.toThrow(
      /scheduler certificates only/,
    );
    await expect(createCertificate(ca, { role: { kind: 'scheduler' }, sans: ['agent.n1.mo'] })).rejects.toThrow(
      /role domain/,
    );
    await expect(createCertificate(ca, { role: { kind: 'scheduler' }, sans: ['a b'] })).rejects.toThrow(/^san:/);
  });

  it('refuses bad names and days, naming the field', async () => {
    const ca = await createCa();
    await expect(createCertificate(ca, { role: { kind: 'agent', node: 'a/b' } })).rejects.toThrow(/^node:/);
    await expect(createCertificate(ca, { role: { kind: 'client', name: 'x,CN=y', access: 'admin' } })).rejects.toThrow(
      /^name:/,
    );
    await expect(createCertificate(ca, { role: { kind: 'scheduler' }, days: 0 })).rejects.toThrow(/^days:/);
    await expect(createCa({ days: 1.5 })).rejects.toThrow(/^days:/);
  });

  it('passes a real TLS handshake both ways, each side reading the other role', async () => {
    const ca = await createCa();
    const scheduler = await createCertificate(ca, { role: { kind: 'scheduler' } });
    const alice = await createCertificate(ca, { role: { kind: 'client', name: 'alice', access: 'read' } });
    const r = await handshake({ ca, pair: scheduler }, { ca, pair: alice });
    expect(r).toEqual({ serverSaw: { kind: 'client', name: 'alice', access: 'read' } });
  });

  it('a certificate of another CA is refused on both sides', async () => {
    const ca = await createCa();
    const other = await createCa();
    const scheduler = await createCertificate(ca, { role: { kind: 'scheduler' } });
    const stranger = await createCertificate(other, { role: { kind: 'client', name: 'eve', access: 'admin' } });
    // The server does not verify the stranger's certificate.
    const server = await handshake({ ca, pair: scheduler }, { ca, pair: stranger });
    expect(server.serverSaw).toMatch(/^unauthorized: .*(UNABLE_TO_VERIFY|unable to verify|self)/i);
    // A client that trusts the other CA refuses this scheduler.
    const client = await handshake({ ca, pair: scheduler }, { ca: other, pair: stranger });
    expect(client.clientError).toMatch(/self-signed certificate in certificate chain|unable to verify/i);
  });

  it('an expired certificate is refused by the peer', async () => {
    const ca = await createCa();
    const scheduler = await createCertificate(ca, { role: { kind: 'scheduler' } });
    const old = await createCertificate(ca, {
      role: { kind: 'client', name: 'old', access: 'read' },
      days: 1,
      notBefore: new Date(Date.now() - 3 * 86_400_000),
    });
    expect((await handshake({ ca, pair: scheduler }, { ca, pair: old })).serverSaw).toMatch(/CERT_HAS_EXPIRED/);
    const expiredServer = await createCertificate(ca, {
      role: { kind: 'scheduler' },
      days: 1,
      notBefore: new Date(Date.now() - 3 * 86_400_000),
    });
    expect((await handshake({ ca, pair: expiredServer }, { ca })).clientError).toMatch(/certificate has expired/);
  });

  it('a client refuses a server whose certificate is for another role', async () => {
    const ca = await createCa();
    const agent = await createCertificate(ca, { role: { kind: 'agent', node: 'n1' } });
    const r = await handshake({ ca, pair: agent }, { ca });
    expect(r.clientError).toMatch(/presented a certificate for agent:n1, expected the scheduler/);
  });

  it('writes keys 0600 and certificates 0644, and never overwrites without force', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mo-pki-test-'));
    dirs.push(dir);
    const ca = await createCa();
    const paths = writePair(dir, 'ca', ca);
    expect(statSync(paths.key).mode & 0o777).toBe(0o600);
    expect(statSync(paths.cert).mode & 0o777).toBe(0o644);
    expect(readCa(dir)).toEqual(ca);
    expect(() => writePair(dir, 'ca', ca)).toThrow(/exists; not overwriting/);
    writeFileSync(paths.key, 'x', { mode: 0o644 });
    writePair(dir, 'ca', ca, true);
    expect(statSync(paths.key).mode & 0o777).toBe(0o600);
    expect(() => readCa(join(dir, 'nope'))).toThrow(/mo tls ca create --dir/);
  });
});
