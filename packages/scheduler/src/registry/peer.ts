// The source address of a call, as grpc-js's getPeer() gives it ("10.0.0.2:51234",
// "::ffff:127.0.0.1:51234", "[::1]:51234"), reduced to the host: what registrations are
// rate-limited by.
export function peerHost(peer: string): string {
  const m = /^(.*):(\d+)$/.exec(peer);
  const host = m ? m[1]! : peer;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  // An IPv4 client on a dual-stack socket is the same client as over IPv4.
  return bare.startsWith('::ffff:') && bare.includes('.') ? bare.slice(7) : bare;
}
