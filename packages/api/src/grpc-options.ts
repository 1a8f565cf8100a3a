// The grpc-js options of every mo channel (client.ts) and server (server.ts), in one place so both
// sides of a connection agree: message limits and keepalive (keepalive.ts says why these values).
import type * as grpc from '@grpc/grpc-js';
import { KEEPALIVE_TIME_MS, KEEPALIVE_TIMEOUT_MS, SERVER_KEEPALIVE_TIME_MS } from './keepalive.js';
import { MAX_CONCURRENT_STREAMS_PER_CONNECTION } from './stream-limits.js';

/** Largest message a daemon accepts; bigger ones fail with RESOURCE_EXHAUSTED before any handler. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Longest wait between two dials of a channel whose peer is unreachable. */
const MAX_RECONNECT_BACKOFF_MS = 5000;

export function channelOptions(): grpc.ChannelOptions {
  return {
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    // channelz bookkeeping (per-call counters and traces) costs CPU on every call; mo has its own metrics.
    'grpc.enable_channelz': 0,
    // A PING every KEEPALIVE_TIME_MS while a call is in flight, so a silent partition fails it
    // within seconds. None on an idle connection: each PING wakes both processes, which was most
    // of an idle daemon's CPU; the server's own PINGs still drop a dead client (keepalive.ts).
    'grpc.keepalive_time_ms': KEEPALIVE_TIME_MS,
    'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
    'grpc.keepalive_permit_without_calls': 0,
    // Each client owns its connection. With grpc-js's global pool, clients with equal options share
    // one, so a fresh client made after a failure got the old, possibly hung, dial back.
    'grpc.use_local_subchannel_pool': 1,
    // grpc-js backs off up to 2 min between dials and fails calls at once meanwhile: a peer back
    // from a restart or a partition stayed unreachable that long. mo's peers are few and known.
    'grpc.max_reconnect_backoff_ms': MAX_RECONNECT_BACKOFF_MS,
  };
}

/**
 * The server pings every connection, calls or not, every SERVER_KEEPALIVE_TIME_MS, and drops one
 * whose PING goes unanswered: the calls of a cut-off peer end (handlers see 'cancelled').
 *
 * Enforcement of the clients' pings: grpc-js 1.14's server has no ping policy at all (no
 * min_ping_interval / max_ping_strikes, no too_many_pings GOAWAY: see server.ts and transport.ts in
 * @grpc/grpc-js), so it accepts mo's client pings at any rate; the options C-core uses for that
 * (grpc.http2.min_ping_interval_without_data_ms, grpc.http2.max_ping_strikes) would be ignored, so
 * they are not set. A peer flooding PINGs without reading the ACKs is cut off by nghttp2's limit on
 * queued outbound ACKs (the CVE-2019-9512 fix).
 */
export function serverOptions(maxMessageBytes: number): grpc.ServerOptions {
  return {
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.max_send_message_length': maxMessageBytes,
    'grpc.enable_channelz': 0,
    'grpc.keepalive_time_ms': SERVER_KEEPALIVE_TIME_MS,
    'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
    // Calls of one connection at once (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS, honoured by grpc-js
    // 1.14's server); the caps per kind of stream over all connections are StreamLimits'.
    'grpc.max_concurrent_streams': MAX_CONCURRENT_STREAMS_PER_CONNECTION,
  };
}
