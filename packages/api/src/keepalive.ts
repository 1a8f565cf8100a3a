// Connection liveness for every connection mo opens or accepts: grpc-js channels and servers
// (client.ts, server.ts) and the wire node:http2 transport (wire/channel.ts). No imports, so the
// wire entry point can load it without grpc-js.
//
// Each side sends an HTTP/2 PING every KEEPALIVE_TIME_MS and drops the connection when one is not
// answered within KEEPALIVE_TIMEOUT_MS: its calls fail with UNAVAILABLE and the next call dials
// anew. A client pings only while a call is in flight (a dead idle connection harms no one, and
// the next call's PINGs find it out within the same bound); a server pings every connection, less
// often (SERVER_KEEPALIVE_TIME_MS), so the streams of a client cut off are ended. A silent partition (packets dropped, no RST, no FIN) is so noticed on both sides within
// TIME + TIMEOUT = 4.5 s (2.5 s at best), instead of when TCP retransmission gives up (~15 min for
// data in flight, never for an idle connection). Why these values:
// - The bound: a node is marked down after `--down-after` (5 s by default), so a cut-off agent
//   should know it is cut off by then too.
// - The timeout is the longest event-loop stall either side survives without dropping a healthy
//   connection (after a stall, timers run before the socket is read, so a late ACK loses the
//   race): 2.5 s is far above a GC pause or a busy tick, and a daemon stalled longer is not
//   answering its heartbeats either. On a LAN the round trip itself is well under 1 ms.
// - The cost: one 17-byte frame each way per 2 s per connection, acknowledged by nghttp2 without
//   running JavaScript; the sender runs one timer and one callback per ping. Still, each PING
//   wakes both processes (~0.5-1 ms of CPU each, cold): on idle connections they were a fifth of
//   an idle daemon's CPU, which is why clients keep quiet between calls.

/** Interval between keepalive PINGs on every connection (client and server side). */
export const KEEPALIVE_TIME_MS = 2000;
/**
 * A server's interval between PINGs on every connection it accepted, calls or not. Longer than a
 * client's: it only ends the streams of a client that is gone (a watch, a log follow, an agent's
 * heartbeat stream, whose node the scheduler judges by its own deadline anyway), and each PING
 * wakes both processes, all the time, on every connection. So a server notices a silent partition
 * within SERVER_KEEPALIVE_TIME_MS + KEEPALIVE_TIMEOUT_MS (12.5 s), a client with a call in flight
 * within KEEPALIVE_TIME_MS + KEEPALIVE_TIMEOUT_MS (4.5 s).
 */
export const SERVER_KEEPALIVE_TIME_MS = 10_000;
/** A PING not answered within this drops the connection. */
export const KEEPALIVE_TIMEOUT_MS = 2500;
/**
 * A connection attempt still not up after this is abandoned and the next call dials again. A
 * partition drops SYNs silently, and Linux retries a SYN after 1, 3, 7, 15, 31 and 63 s: a dial
 * begun during a partition would otherwise connect up to a minute after the heal. 5 s covers three
 * SYNs (at 0, 1 and 3 s), plenty for a LAN or loopback peer that is there.
 */
export const CONNECT_TIMEOUT_MS = 5000;
