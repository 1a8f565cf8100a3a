// Loading TLS files: every refusal names the flag and the path, and says what is wrong.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCa, createCertificate, writePair, type KeyPair } from '@mo/pki';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAEMON_TLS_LABELS, loadCa, loadTlsMaterial } from './material.js';
import { TlsSource } from './source.js';

let dir: string;
let ca: KeyPair;
let files: { ca: string; cert: string; key: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), `mo-tls-material-${process.pid}-`));
  ca = await createCa();
  writePair(dir, 'ca', ca);
  const p = writePair(dir, 'scheduler', await createCertificate(ca, { role: { kind: 'scheduler' } }));
  files = { ca: join(dir, 'ca.pem'), ...p };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function pair(name: string, make: () => Promise<KeyPair>): Promise<{ cert: string; key: string }> {
  return writePair(dir, name, await make());
}

describe('loadTlsMaterial', () => {
  it('loads a matching set and reads its role', () => {
    const m = loadTlsMaterial(files);
    expect(m.role).toEqual({ kind: 'scheduler' });
    expect(m.notAfter.getTime()).toBeGreaterThan(Date.now());
  });

  it('names the flag and the path of a missing file', () => {
    expect(() => loadTlsMaterial({ ...files, cert: join(dir, 'nope.pem') })).toThrow(
      `--tls-cert (MO_TLS_CERT): cannot read ${join(dir, 'nope.pem')}: no such file`,
    );
  });

  it('refuses a key others can read, saying how to fix it; a group-readable one is taken', async () => {
    const p = await pair('loose', () => createCertificate(ca, { role: { kind: 'scheduler' } }));
    chmodSync(p.key, 0o644);
    expect(() => loadTlsMaterial({ ca: files.ca, ...p })).toThrow(
      `--tls-key (MO_TLS_KEY): ${p.key} is open to others (mode 0644); a private key must be 0600 (or 0640 for a service group): chmod 600 ${p.key}`,
    );
    chmodSync(p.key, 0o640); // shared with a service group on purpose
    expect(loadTlsMaterial({ ca: files.ca, ...p }).role).toEqual({ kind: 'scheduler' });
  });

  it('refuses a key that is not the certificate’s', async () => {
    const other = await pair('other', () => createCertificate(ca, { role: { kind: 'scheduler' } }));
    expect(() => loadTlsMaterial({ ...files, key: other.key })).toThrow(/is not the key of the certificate/);
  });

  it('refuses a certificate of another CA, naming both files', async () => {
    const foreign = await pair('foreign', async () =>
      createCertificate(await createCa(), { role: { kind: 'scheduler' } }),
    );
    expect(() => loadTlsMaterial({ ca: files.ca, ...foreign })).toThrow(
      `--tls-cert (MO_TLS_CERT): ${foreign.cert} is not signed by the CA in ${files.ca} (--tls-ca (MO_TLS_CA))`,
    );
  });

  it('refuses an expired certificate, saying when it expired', async () => {
    const old = await pair('old', () =>
      createCertificate(ca, { role: { kind: 'scheduler' }, days: 1, notBefore: new Date(Date.now() - 3 * 86_400_000) }),
    );
    expect(() => loadTlsMaterial({ ca: files.ca, ...old })).toThrow(
      /--tls-cert \(MO_TLS_CERT\): .*old\.pem expired on 20/,
    );
  });

  it('refuses garbage, a leaf as CA, and a CA alone checks too', () => {
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'hello');
    expect(() => loadTlsMaterial({ ...files, ca: junk })).toThrow(
      /--tls-ca \(MO_TLS_CA\): .*junk\.pem is not a PEM certificate/,
    );
    expect(() => loadTlsMaterial({ ...files, ca: files.cert })).toThrow(/is not a CA certificate/);
    expect(() => loadCa(files.cert, DAEMON_TLS_LABELS.ca)).toThrow(/is not a CA certificate/);
    expect(loadCa(files.ca, DAEMON_TLS_LABELS.ca).length).toBeGreaterThan(0);
  });
});

describe('TlsSource', () => {
  it('reloads new files, and keeps the old material when the new files are bad', async () => {
    const d = mkdtempSync(join(dir, 'reload-'));
    const first = writePair(d, 'c', await createCertificate(ca, { role: { kind: 'agent', node: 'n1' } }));
    const src = new TlsSource({ ca: files.ca, ...first });
    const seen: string[] = [];
    src.onChange((m) => seen.push(m.cert.toString()));
    const before = src.material.cert.toString();
    writePair(d, 'c', await createCertificate(ca, { role: { kind: 'agent', node: 'n1' } }), true);
    expect(src.reload().ok).toBe(true);
    expect(src.material.cert.toString()).not.toBe(before);
    expect(seen).toEqual([src.material.cert.toString()]);
    const good = src.material;
    writeFileSync(first.cert, 'broken');
    const r = src.reload();
    expect(r).toEqual({ ok: false, error: expect.stringMatching(/is not a PEM certificate/) });
    expect(src.material).toBe(good);
    expect(seen).toHaveLength(1);
  });

  it('an accept check refuses material at start and at reload', async () => {
    const d = mkdtempSync(join(dir, 'accept-'));
    const p = writePair(d, 'c', await createCertificate(ca, { role: { kind: 'agent', node: 'n1' } }));
    const onlyN1 = (m: { role: { kind: string; node?: string } }) => {
      if (m.role.node !== 'n1') throw new Error('not n1');
    };
    const src = new TlsSource({ ca: files.ca, ...p }, undefined, onlyN1);
    writePair(d, 'c', await createCertificate(ca, { role: { kind: 'agent', node: 'n2' } }), true);
    expect(src.reload()).toEqual({ ok: false, error: 'not n1' });
    expect(() => new TlsSource({ ca: files.ca, ...p }, undefined, onlyN1)).toThrow('not n1');
  });
});
