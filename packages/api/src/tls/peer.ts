// Checking the server's role instead of the dialled host name. A client expects `scheduler.mo`;
// the scheduler dialling a node expects `agent.<that node's name>.mo`, so a node's address cannot
// be answered by another node, whatever address it is reached at. Node calls this after it has
// verified the chain against the CA.
import type { PeerCertificate } from 'node:tls';
import { describeIdentity, identityFromCertificate, type Identity } from '../auth/identity.js';

/** The role a server must prove. */
export type ExpectedPeer = { kind: 'scheduler' } | { kind: 'agent'; node: string };

export function describeExpected(p: ExpectedPeer): string {
  return p.kind === 'scheduler' ? 'the scheduler (scheduler.mo)' : `agent ${p.node} (agent.${p.node}.mo)`;
}

/** A `checkServerIdentity` for tls.connect / grpc-js: an Error when the peer has not the expected role. */
export function checkPeerRole(expected: ExpectedPeer): (host: string, cert: PeerCertificate) => Error | undefined {
  return (host, cert) => {
    let got: Identity;
    try {
      got = identityFromCertificate(cert);
    } catch (err) {
      return new Error(`server at ${host} has no usable mo certificate: ${(err as Error).message}`);
    }
    const ok =
      expected.kind === 'scheduler' ? got.kind === 'scheduler' : got.kind === 'agent' && got.node === expected.node;
    if (ok) return undefined;
    return new Error(
      `server at ${host} presented a certificate for ${describeIdentity(got)}, expected ${describeExpected(expected)}`,
    );
  };
}
