// The ports of one dev cluster: the 1000 ports from its --port-base. Its daemons at the bottom
// (scheduler base, base+1; agent i base+10+2i, base+11+2i), its agents' docker host ports from
// base+300 to base+999, split between the agents, published on 127.0.0.1. Two dev clusters on one
// host must be 1000 apart; port-claim.ts enforces it. With --port-base 0 the daemons take any free
// ports and the docker ports come from a block picked in DEV_AUTO_BAND.

/** How many ports a dev cluster spans from its base. */
export const DEV_PORT_SPAN = 1000;
/** Where the agents' docker host ports start, from the base (above the daemons of 100 agents). */
export const DEV_DOCKER_OFFSET = 300;
/** Where the docker ports listen under `mo dev`: a dev machine's containers are not for the LAN. */
export const DEV_DOCKER_PORT_IP = '127.0.0.1';
/**
 * The blocks a `--port-base 0` cluster picks its docker ports from: under Linux's ephemeral range
 * (32768-60999), where the OS-picked daemon ports land, so neither meets the other.
 */
export const DEV_AUTO_BAND = { first: 10_000, last: 31_999 } as const;

/** Listen addresses for the scheduler and agent `i` (`port-base 0`: ephemeral). */
export function devPorts(portBase: number, i?: number): { grpc: string; http: string } {
  const at = (offset: number) => `127.0.0.1:${portBase === 0 ? 0 : portBase + offset}`;
  return i === undefined ? { grpc: at(0), http: at(1) } : { grpc: at(10 + 2 * i), http: at(11 + 2 * i) };
}

/** Every fixed daemon port of a cluster with `agents` agents, and what listens there (for errors). */
export function daemonPortsOf(portBase: number, agents: number): { port: number; what: string }[] {
  if (portBase === 0) return [];
  const out = [
    { port: portBase, what: 'scheduler gRPC' },
    { port: portBase + 1, what: 'scheduler HTTP' },
  ];
  for (let i = 0; i < agents; i++) {
    out.push({ port: portBase + 10 + 2 * i, what: `agent dev-${i} gRPC` });
    out.push({ port: portBase + 11 + 2 * i, what: `agent dev-${i} HTTP` });
  }
  return out;
}

export interface PortRange {
  first: number;
  last: number;
}

export function formatRange(r: PortRange): string {
  return `${r.first}-${r.last}`;
}

/** The whole span of a cluster whose block starts at `base`. */
export function spanOf(base: number): PortRange {
  return { first: base, last: base + DEV_PORT_SPAN - 1 };
}

/**
 * The docker host ports of agent `i` of `n` in the block at `base`: the block's docker ports
 * split between them, so placement, which counts each node's free ports, sees the host's real total.
 */
export function devDockerPorts(base: number, i: number, n: number): string {
  const first = base + DEV_DOCKER_OFFSET;
  const size = Math.max(1, Math.floor((DEV_PORT_SPAN - DEV_DOCKER_OFFSET) / n));
  return formatRange({ first: first + i * size, last: first + (i + 1) * size - 1 });
}

/** The blocks a `--port-base 0` cluster may take, in the order it tries them. */
export function autoBlocks(): number[] {
  const out: number[] = [];
  for (let b = DEV_AUTO_BAND.first; b + DEV_PORT_SPAN - 1 <= DEV_AUTO_BAND.last; b += DEV_PORT_SPAN) out.push(b);
  return out;
}

/** The claim slots (of 100 ports) a span touches: two spans overlap iff they share a slot. */
export function slotsOf(span: PortRange): number[] {
  const out: number[] = [];
  for (let s = Math.floor(span.first / 100); s <= Math.floor(span.last / 100); s++) out.push(s);
  return out;
}
