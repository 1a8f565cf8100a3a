// grpc-js credentials from mo's TLS material: server credentials backed by a reloadable source
// (SIGHUP), channel credentials that check the server's role, not the dialled host name.
import * as grpc from '@grpc/grpc-js';
import { secureContextOf, type ClientTls } from './client.js';
import { checkPeerRole, peerServerName, type ExpectedPeer } from './peer.js';
import type { ReloadableTls } from './source.js';

/**
 * Server credentials whose certificates follow `source` (a reload reaches new connections).
 * `requireClientCertificate`: a peer without a certificate of the CA is refused at the handshake
 * (agents). Without it (the scheduler) a certificate is asked for and verified when sent, and a
 * call over a connection without one must bring a bearer token (authenticate.ts): both ways the
 * call never runs unauthenticated.
 */
export function serverCredentials(source: ReloadableTls, requireClientCertificate: boolean): grpc.ServerCredentials {
  // The same provider for both arguments: grpc-js 1.14's factory passes them to the constructor in
  // swapped order, which one object makes harmless.
  return grpc.experimental.createCertificateProviderServerCredentials(source, source, requireClientCertificate);
}

/**
 * Channel credentials presenting `tls`'s certificate and accepting only a server in the role `peer`
 * (`address`, what is dialled, names it in errors). Give the channel `tlsChannelOptions(peer)` too.
 */
export function channelCredentials(tls: ClientTls, peer: ExpectedPeer, address?: string): grpc.ChannelCredentials {
  return grpc.credentials.createFromSecureContext(secureContextOf(tls.material()), {
    checkServerIdentity: checkPeerRole(peer, address),
  });
}

/** Channel options for a TLS channel to `peer`: its role name as SNI (grpc-js would send an IP address). */
export function tlsChannelOptions(peer: ExpectedPeer): grpc.ChannelOptions {
  return { 'grpc.ssl_target_name_override': peerServerName(peer) };
}
