// Limits of the NodeRegistry conversation (proto/mo/v1/registry.proto) that agent and scheduler
// must agree on: the agent pages and paces what it sends so the scheduler's caps never trip.
import type { RateLimit } from './rate-limit.js';

/** One page of a node's inventory (Register, then SyncInventory) or of heartbeat changes. */
export const REGISTRY_PAGE = {
  /** Most WorkloadStatus entries in one message; the scheduler refuses more (INVALID_ARGUMENT). */
  maxEntries: 1000,
  /**
   * The sender stops adding entries once a page passes this many encoded bytes (one spec is at
   * most 1 MiB, so a page stays well under the 4 MiB message cap).
   */
  maxBytes: 2 * 1024 * 1024,
} as const;

/** Most inventory entries a node may report over all pages of one registration. */
export const MAX_INVENTORY_ENTRIES = 100_000;

/**
 * What one heartbeat stream may send; past it the scheduler ends the stream with
 * RESOURCE_EXHAUSTED (the agent registers again). Normal traffic is one message per interval plus
 * one per burst of state changes, far below.
 */
export const HEARTBEAT_STREAM_LIMITS: { messages: RateLimit; changes: RateLimit } = {
  messages: { ratePerSecond: 200, burst: 400 },
  changes: { ratePerSecond: 20_000, burst: 40_000 },
};

/** The agent paces itself at half the scheduler's limits, so clock skew and bursts never trip them. */
export const HEARTBEAT_AGENT_PACE: { messages: RateLimit; changes: RateLimit } = {
  messages: { ratePerSecond: 100, burst: 200 },
  changes: { ratePerSecond: 10_000, burst: 20_000 },
};
