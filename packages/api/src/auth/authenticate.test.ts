// The per-call seam: a bearer token (through the daemon's resolver), else the verified client
// certificate, else UNAUTHENTICATED. Secrets never appear in errors.
import { describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import type { PeerCertificate } from 'node:tls';
import { MoError } from '../errors.js';
import { authenticate, type TokenResolver } from './authenticate.js';

const peer = (sans: string, cn = 'x') => ({ subjectaltname: sans, subject: { CN: cn } }) as unknown as PeerCertificate;
const tokens: TokenResolver = (t) =>
  t === 'good-secret' ? { kind: 'token', name: 'ci', access: 'read', tokenId: 't1' } : undefined;

function refusal(fn: () => unknown): MoError {
  try {
    fn();
  } catch (e) {
    return e as MoError;
  }
  throw new Error('not refused');
}

describe('authenticate', () => {
  it('an insecure daemon: everyone is insecure', () => {
    expect(authenticate({}, { insecure: true })).toEqual({ kind: 'insecure' });
  });

  it('reads the role of a verified peer certificate', () => {
    expect(authenticate({ peerCertificate: peer('DNS:agent.n1.mo, DNS:agent.mo') }, {})).toEqual({
      kind: 'agent',
      node: 'n1',
    });
  });

  it('a bearer token wins over the certificate, through the resolver', () => {
    const id = authenticate(
      { peerCertificate: peer('DNS:client.mo, DNS:admin.client.mo', 'alice'), authorization: 'Bearer good-secret' },
      { tokens },
    );
    expect(id).toEqual({ kind: 'token', name: 'ci', access: 'read', tokenId: 't1' });
  });

  it.each([
    [{}, {}, /no client certificate signed by this cluster's CA .* and no bearer token/],
    [{ authorization: 'Bearer bad-secret' }, { tokens }, /bearer token not accepted/],
    [{ authorization: 'Bearer good-secret' }, {}, /bearer tokens are not accepted by this server/],
    [{ authorization: 'Basic Zm9vOmJhcg==' }, { tokens }, /expected "Bearer <token>"/],
    [{ authorization: 'Bearer ' }, { tokens }, /expected "Bearer <token>"/],
    [{ peerCertificate: peer('DNS:example.org') }, {}, /no mo role/],
  ])('%j refused: UNAUTHENTICATED', (creds, options, message) => {
    const err = refusal(() => authenticate(creds, options));
    expect(err.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(err.message).toMatch(message);
    expect(err.message).not.toMatch(/secret|Zm9v/);
  });
});
