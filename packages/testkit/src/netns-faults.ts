// The faults a host of the network-namespace test bed (netns.ts) can be put in, as commands: a
// whole partition, a partition from chosen peers only, a cut link, an impaired link (delay, jitter,
// loss). Pure, so what is in place can always be undone exactly (heal, close) and checked in unit
// tests. Every rule lives inside the host's own namespace, so it also goes with the namespace.

/** Delay, jitter and loss on one host's link, applied to every packet in and every packet out. */
export interface LinkImpairment {
  /** Added to each packet, each way: a round trip to the host takes 2 × delayMs more. */
  delayMs?: number;
  /** Each packet's delay varies uniformly by ± jitterMs (so packets may be reordered). */
  jitterMs?: number;
  /** Each packet, each way, is dropped with this probability (0 to 100). */
  lossPercent?: number;
}

/** What one host has in place; the bed keeps one per host. */
export interface HostFaults {
  /** partition(): everything in and out but loopback dropped. */
  partitioned: boolean;
  /** cutLink(): the host side of the veth is down. */
  cut: boolean;
  /** partitionFrom(): the peers' addresses dropped both ways. */
  readonly peers: Set<string>;
  /** impair(): the namespace's packets go through the delay queue. */
  impaired: boolean;
}

export function noFaults(): HostFaults {
  return { partitioned: false, cut: false, peers: new Set(), impaired: false };
}

/**
 * A whole partition: dropped in the namespace itself, both ways. Silent for both ends (a local
 * sender whose SYN or segment is dropped on OUTPUT gets no error, it just retransmits).
 */
export const WHOLE_DROP_RULES: ReadonlyArray<readonly string[]> = [
  ['INPUT', '!', '-i', 'lo', '-j', 'DROP'],
  ['OUTPUT', '!', '-o', 'lo', '-j', 'DROP'],
];

/** A partition from one peer only: its packets dropped on the way in and ours to it on the way out. */
export function peerDropRules(address: string): string[][] {
  return [
    ['INPUT', '-s', address, '-j', 'DROP'],
    ['OUTPUT', '-d', address, '-j', 'DROP'],
  ];
}

/**
 * The NFQUEUE number of the delay queue: queues belong to a network namespace, so every host can
 * use the same one. This kernel has no netem qdisc (see python/link_delay.py).
 */
export const DELAY_QUEUE = 0;

/**
 * Sends every packet in and out (but loopback) to the delay queue. Appended, so drops of a
 * partition (inserted first) still win; `--queue-bypass` lets packets through when no process
 * listens, so a dead delay process never partitions a host by accident.
 */
export const DELAY_QUEUE_RULES: ReadonlyArray<readonly string[]> = [
  ['INPUT', '!', '-i', 'lo', '-j', 'NFQUEUE', '--queue-num', String(DELAY_QUEUE), '--queue-bypass'],
  ['OUTPUT', '!', '-o', 'lo', '-j', 'NFQUEUE', '--queue-num', String(DELAY_QUEUE), '--queue-bypass'],
];

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The address of a peer (a host of the bed, or an IPv4 address such as the bed's hostAddress). */
export function peerAddress(peer: { readonly address: string } | string): string {
  const address = typeof peer === 'string' ? peer : peer.address;
  if (!IPV4.test(address))
    throw new RangeError(`peer: expected a host of the bed or an IPv4 address, got "${address}"`);
  return address;
}

/** The delay process's arguments (queue, delay, jitter, loss), or a RangeError naming the field. */
export function impairmentArgs(impairment: LinkImpairment): string[] {
  const { delayMs = 0, jitterMs = 0, lossPercent = 0 } = impairment;
  const check = (field: string, value: number, max: number) => {
    if (!Number.isFinite(value) || value < 0 || value > max) {
      throw new RangeError(`${field}: expected a number from 0 to ${max}, got ${String(value)}`);
    }
  };
  check('delayMs', delayMs, 60_000);
  check('jitterMs', jitterMs, 60_000);
  check('lossPercent', lossPercent, 100);
  if (jitterMs > delayMs) throw new RangeError(`jitterMs (${jitterMs}) must not exceed delayMs (${delayMs})`);
  if (delayMs === 0 && lossPercent === 0) {
    throw new RangeError('an impairment needs delayMs or lossPercent above 0 (to clear one, use clearImpairment)');
  }
  return [String(DELAY_QUEUE), String(delayMs), String(jitterMs), String(lossPercent)];
}

/**
 * The commands that undo every fault in `faults` (iptables rules inside the namespace, the link
 * back up), in an order that never leaves a host more cut off than before. The delay process
 * itself is the bed's to stop (it is a child like any other).
 */
export function undoCommands(
  faults: HostFaults,
  host: { readonly wrap: readonly string[]; readonly hostVeth: string },
): string[][] {
  const inside = (rule: readonly string[]) => [...host.wrap, 'iptables', '-w', '-D', ...rule];
  return [
    ...(faults.partitioned ? WHOLE_DROP_RULES.map(inside) : []),
    ...[...faults.peers].flatMap((a) => peerDropRules(a).map(inside)),
    ...(faults.impaired ? DELAY_QUEUE_RULES.map(inside) : []),
    ...(faults.cut ? [['ip', 'link', 'set', host.hostVeth, 'up']] : []),
  ];
}
