// Checking the server's role instead of the dialled host name. A client expects `scheduler.mo`;
// the scheduler dialling a node expects `agent.<that node's name>.mo`, so a node's address cannot
// be answered by another node, whatever address it is reached at. Node calls this after it has
// verified the chain against the CA.
import type { PeerCertificate } from 'node:tls';
import { describeIdentity, identityFromCertificate, type Identity } from '../auth/identity.js';

/**
 * The role a server must prove. An agent without `node` means any agent of the CA (a person who
 * dials one agent by address with `mo --agent`); the scheduler always names the node it dials.
 */
export type ExpectedPeer = { kind: 'scheduler' } | { kind: 'agent'; node?: string };

export function describeExpected(p: ExpectedPeer): string {
  if (p.kind === 'scheduler') return 'the scheduler (scheduler.mo)';
  return p.node === undefined ? 'an agent (agent.<node>.mo)' : `agent ${p.node} (agent.${p.node}.mo)`;
}

/** The name a connection sends as SNI (never an IP address, which RFC 6066 forbids there). */
export function peerServerName(p: ExpectedPeer): string {
  return p.kind === 'scheduler' ? 'scheduler.mo' : p.node === undefined ? 'agent.mo' : `agent.${p.node}.mo`;
}

/**
 * A `checkServerIdentity` for tls.connect / grpc-js: an Error when the peer has not the expected
 * role. `address` (what was dialled) names the server in messages.
 */
export function checkPeerRole(
  expected: ExpectedPeer,
  address?: string,
): (host: string, cert: PeerCertificate) => Error | undefined {
  return (servername, cert) => {
    const host = address ?? servername;
    let got: Identity;
    try {
      got = identityFromCertificate(cert);
    } catch (err) {
      return new Error(`server at ${host} has no usable mo certificate: ${(err as Error).message}`);
    }
    const ok =
      expected.kind === 'scheduler'
        ? got.kind === 'scheduler'
        : got.kind === 'agent' && (expected.node === undefined || got.node === expected.node);
    if (ok) return undefined;
    return new Error(
      `server at ${host} presented a certificate for ${describeIdentity(got)}, expected ${describeExpected(expected)}`,
    );
  };
}
