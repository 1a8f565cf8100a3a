// Several "hosts" on one machine for tests: a bridge with an address in the host namespace (run
// the scheduler there) and one network namespace per host joined to it by a veth pair (run an
// agent, a scheduler or an etcd member in each: they reach each other and the host namespace). A
// host can be partitioned silently (iptables DROP of everything in and out: packets vanish, only
// keepalive notices), partitioned from chosen peers only, have its link cut (the veth goes down)
// or impaired (delay, jitter, loss: netns-faults.ts), then healed.
// Everything is removed on close, and on the next start when a crashed run left it (every name
// holds its owner's pid: netns-plan.ts). Needs root, iproute2 and iptables (see /work/shared/TESTBED.md);
// impair() also Debian's python3 (this kernel has no netem qdisc: netns-delay.ts).
// host.spawn stays on Node's spawn: its callers pass Node's SpawnOptions and wire the ChildProcess's
// stdio themselves; the bed's own commands go through execa.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { execa, execaSync } from 'execa';
import { existsSync, mkdirSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PYTHON, startDelayQueue, stopDelayQueue } from './netns-delay.js';
import {
  WHOLE_DROP_RULES,
  DELAY_QUEUE_RULES,
  impairmentArgs,
  noFaults,
  peerAddress,
  peerDropRules,
  undoCommands,
  type HostFaults,
  type LinkImpairment,
} from './netns-faults.js';
import {
  BED_PREFIX,
  MAX_HOSTS,
  bedNames,
  overlapsAny,
  ownerPid,
  subnetCandidates,
  type BedNames,
} from './netns-plan.js';

/** Lock files of the subnets in use, one per bed, machine-wide (not under a test run's TMPDIR). */
const LOCK_DIR = '/run/mo-netns';
const CMD_TIMEOUT_MS = 15_000;

export interface NetnsHost {
  readonly index: number;
  /** The network namespace's name. */
  readonly netns: string;
  /** Its IPv4 address on the bed's subnet. */
  readonly address: string;
  readonly hostVeth: string;
  readonly nsVeth: string;
  /** `['ip', 'netns', 'exec', netns]`: put before an argv to run it inside. */
  readonly wrap: readonly string[];
  /**
   * `['nsenter', '--net=/run/netns/NAME']`: the same, but keeping this machine's mounts. `ip netns
   * exec` mounts a fresh /sys, which hides the cgroup hierarchies: an agent run under `wrap` finds
   * no cgroup and tracks its workloads by session; under `enter` it has cgroups like a real host.
   */
  readonly enter: readonly string[];
  /** Runs `argv` inside to completion; resolves with its stdout, rejects with its stderr. */
  exec(argv: readonly string[]): Promise<string>;
  /** Starts `argv` inside; the bed kills it (and anything else left inside) on close. */
  spawn(argv: readonly string[], options?: SpawnOptions): ChildProcess;
  /** Silent partition: every packet in or out of the namespace (but loopback) is dropped. */
  partition(): Promise<void>;
  /**
   * Silent partition from these peers only (hosts of the bed, or addresses such as the bed's
   * hostAddress), both ways: dropped inside this namespace; every other peer is still reached.
   */
  partitionFrom(...peers: Array<NetnsHost | string>): Promise<void>;
  /** Undoes partitionFrom() for these peers only. */
  healFrom(...peers: Array<NetnsHost | string>): Promise<void>;
  /** Cuts the link: the host side of the veth goes down, so both ends lose carrier. */
  cutLink(): Promise<void>;
  /**
   * Delays and/or drops every packet in and out (but loopback), replacing an earlier impairment.
   * Needs impairUnavailable() to be undefined.
   */
  impair(impairment: LinkImpairment): Promise<void>;
  /** Undoes impair(): packets it holds are let through. */
  clearImpairment(): Promise<void>;
  /** Undoes every fault: partition(), partitionFrom(), cutLink() and impair(). */
  heal(): Promise<void>;
}

export interface NetnsBed {
  /** "10.A.B.0/24". */
  readonly subnet: string;
  readonly bridge: string;
  /** The bridge's address in the host namespace ("10.A.B.1"): listen here to be reachable from every host. */
  readonly hostAddress: string;
  readonly hosts: readonly NetnsHost[];
  addHost(): Promise<NetnsHost>;
  /**
   * Heals every host (rules and delay queues gone), kills every process left in the namespaces,
   * removes them, the bridge, the FORWARD rule and the lock. Idempotent.
   */
  close(): Promise<void>;
}

/** Runs a command to completion; rejects with its stderr (or why it could not run) in the message. */
async function run(cmd: string, args: readonly string[]): Promise<string> {
  const r = await execa(cmd, args, { timeout: CMD_TIMEOUT_MS, stdin: 'ignore', reject: false });
  if (r.failed) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.trim() || r.shortMessage}`);
  return r.stdout;
}

/** Runs every command, even after a failure, and rejects at the end with every failure. */
function runAllSync(commands: ReadonlyArray<readonly string[]>): string[] {
  const failures: string[] = [];
  for (const [cmd, ...args] of commands) {
    const r = execaSync(cmd!, args, { stdin: 'ignore', stdout: 'ignore', timeout: CMD_TIMEOUT_MS, reject: false });
    if (r.failed) failures.push(`${cmd} ${args.join(' ')}: ${r.stderr.trim() || r.shortMessage}`);
  }
  return failures;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let unavailable: { why: string | undefined } | undefined;

/**
 * Why a bed cannot be made here, or undefined when it can: root, `ip` and `iptables`, and a
 * namespace can really be added (a container without CAP_SYS_ADMIN cannot).
 */
export function netnsUnavailable(): string | undefined {
  unavailable ??= { why: probe() };
  return unavailable.why;
}

/** Why a host's link cannot be impaired here (netnsUnavailable, or no Debian python), else undefined. */
export function impairUnavailable(): string | undefined {
  const why = netnsUnavailable();
  if (why) return why;
  return existsSync(PYTHON) ? undefined : `${PYTHON} not found (Debian package python3): it runs the delay queue`;
}

function probe(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  for (const [cmd, pkg] of [
    ['ip', 'iproute2'],
    ['iptables', 'iptables'],
  ] as const) {
    if (execaSync(cmd, ['-V'], { stdio: 'ignore', timeout: CMD_TIMEOUT_MS, reject: false }).failed) {
      return `\`${cmd}\` not found (Debian package ${pkg})`;
    }
  }
  // Named like a bed's (sequence "zz"), so a sweep removes it if this process dies right here.
  const ns = bedNames(process.pid, 36 ** 2 - 1).netns(0);
  const failures = runAllSync([
    ['ip', 'netns', 'add', ns],
    ['ip', 'netns', 'del', ns],
  ]);
  return failures.length > 0 ? `cannot add a network namespace: ${failures[0]}` : undefined;
}

/** The FORWARD rule letting the bed's namespaces talk to each other (see createNetnsBed). */
const forwardRule = (names: BedNames) => [
  'FORWARD',
  '-i',
  names.bridge,
  '-o',
  names.bridge,
  '-j',
  'ACCEPT',
  '-m',
  'comment',
  '--comment',
  names.base,
];

/** Namespaces, links, FORWARD rules and subnet locks of beds whose process is gone. */
export async function sweepLeftovers(): Promise<void> {
  const dead = (name: string) => {
    const pid = ownerPid(name);
    return pid !== undefined && !pidAlive(pid);
  };
  const commands: string[][] = [];
  for (const line of (await run('ip', ['netns', 'list'])).split('\n')) {
    const ns = line.split(' ')[0] ?? '';
    if (ns.startsWith(BED_PREFIX) && dead(ns)) {
      for (const pid of (await run('ip', ['netns', 'pids', ns]).catch(() => '')).split('\n').filter(Boolean)) {
        commands.push(['kill', '-9', pid]);
      }
      commands.push(['ip', 'netns', 'del', ns]);
    }
  }
  for (const line of (await run('ip', ['-o', 'link', 'show'])).split('\n')) {
    const link = (line.split(': ')[1] ?? '').split('@')[0] ?? '';
    // Bridges and host-side veths (a veth whose namespace was deleted above went with it: its
    // `del` fails harmlessly).
    if (link.startsWith(BED_PREFIX) && dead(link)) commands.push(['ip', 'link', 'del', link]);
  }
  for (const line of (await run('iptables', ['-w', '-S', 'FORWARD'])).split('\n')) {
    const m = new RegExp(`--comment "?(${BED_PREFIX}[0-9a-z]+)"?`).exec(line);
    if (m && dead(m[1]!) && line.startsWith('-A '))
      commands.push(['iptables', '-w', '-D', ...line.slice(3).split(' ')]);
  }
  runAllSync(commands); // best effort: what cannot be removed now is tried again next time
  mkdirSync(LOCK_DIR, { recursive: true });
  for (const file of readdirSync(LOCK_DIR, { withFileTypes: true }).filter((f) => f.isFile())) {
    const pid = Number(readFileSync(join(LOCK_DIR, file.name), 'utf8').split(' ')[0]);
    if (!pidAlive(pid)) unlinkSync(join(LOCK_DIR, file.name));
  }
}

/** Takes the lock of a free /24 for `base`: not routed here already, not locked by a live process. */
async function allocateSubnet(base: string): Promise<{ prefix: string; lock: string }> {
  const inUse = [
    ...(await run('ip', ['-4', '-o', 'addr', 'show'])).matchAll(/ inet (\d+\.\d+\.\d+\.\d+\/\d+)/g),
    ...(await run('ip', ['-4', 'route', 'show', 'table', 'all'])).matchAll(
      /^(?:\S+ )?(\d+\.\d+\.\d+\.\d+(?:\/\d+)?) /gm,
    ),
  ].map((m) => m[1]!);
  mkdirSync(LOCK_DIR, { recursive: true });
  for (const prefix of subnetCandidates(process.pid)) {
    if (overlapsAny(prefix, inUse)) continue;
    const lock = join(LOCK_DIR, prefix);
    try {
      writeFileSync(lock, `${process.pid} ${base}\n`, { flag: 'wx' });
      return { prefix, lock };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new Error(`no free /24 under 10.200.0.0/13 (locks in ${LOCK_DIR})`);
}

let beds = 0; // the probe's "zz" is never reached: 1,295 beds in one process is a runaway loop

/**
 * Makes a bed with `hosts` hosts (more can be added). The bridge gets 10.A.B.1/24, host i gets
 * 10.A.B.(i+2). Leftovers of dead runs are swept first. With docker's iptables chains present
 * (FORWARD policy DROP, and bridged frames passing iptables through br_netfilter), one FORWARD
 * ACCEPT rule for the bridge, tagged with the bed's name, lets the namespaces reach each other;
 * traffic between a namespace and the host namespace does not pass FORWARD at all.
 */
export async function createNetnsBed(options: { hosts?: number } = {}): Promise<NetnsBed> {
  const why = netnsUnavailable();
  if (why) throw new Error(`cannot make a network-namespace test bed: ${why}`);
  await sweepLeftovers();
  if (beds >= 36 ** 2 - 1) throw new RangeError('too many test beds in one process');
  const names = bedNames(process.pid, beds++);
  const { prefix, lock } = await allocateSubnet(names.base);
  const hosts: NetnsHost[] = [];
  /** Per host: what faults it has in place, so teardown can heal first. */
  const faults: HostFaults[] = [];
  const children = new Set<ChildProcess>();
  let closed: Promise<void> | undefined;

  /** Everything this bed made, in the order to undo it; sync so the exit hook can run it too. */
  const teardown = () => {
    // Heal first: connections of the processes killed below then close at once, instead of
    // retransmitting into a DROP for minutes, keeping the (deleted) namespace and its veth alive.
    hosts.forEach((h, i) => runAllSync(undoCommands(faults[i] ?? noFaults(), h)));
    for (const child of children) child.kill('SIGKILL');
    const failures: string[] = [];
    for (const h of hosts) {
      // Processes keep a namespace alive after `ip netns del`: end every one still inside.
      // Empty when it is already gone.
      const pids = execaSync('ip', ['netns', 'pids', h.netns], { stdin: 'ignore', reject: false })
        .stdout.split('\n')
        .filter(Boolean);
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // exited meanwhile
        }
      }
      failures.push(...runAllSync([['ip', 'netns', 'del', h.netns]]));
      // Gone with its namespace, unless a socket still holds that: then removed here.
      const veth = runAllSync([['ip', 'link', 'del', h.hostVeth]]);
      failures.push(...veth.filter((f) => !/Cannot find device/.test(f)));
    }
    failures.push(
      ...runAllSync([
        ['ip', 'link', 'del', names.bridge],
        ['iptables', '-w', '-D', ...forwardRule(names)],
      ]),
    );
    try {
      unlinkSync(lock);
    } catch {
      // removed by hand
    }
    return failures;
  };
  const onExit = () => void teardown();
  process.once('exit', onExit);

  const addHost = async (): Promise<NetnsHost> => {
    const index = hosts.length;
    if (index >= MAX_HOSTS) throw new RangeError(`a bed has at most ${MAX_HOSTS} hosts`);
    const netns = names.netns(index);
    const hostVeth = names.hostVeth(index);
    const nsVeth = names.nsVeth(index);
    const address = `${prefix}.${index + 2}`;
    const wrap = ['ip', 'netns', 'exec', netns] as const;
    const inside = (argv: readonly string[]) => run(wrap[0], [...wrap.slice(1), ...argv]);
    const fault = noFaults();
    faults[index] = fault;
    let delayQueue: ChildProcess | undefined;
    const iptables = async (op: '-I' | '-A' | '-D', rules: ReadonlyArray<readonly string[]>) => {
      for (const rule of rules) await inside(['iptables', '-w', op, ...rule]);
    };
    const host: NetnsHost = {
      index,
      netns,
      address,
      hostVeth,
      nsVeth,
      wrap,
      enter: ['nsenter', `--net=/run/netns/${netns}`],
      exec: inside,
      spawn(argv, spawnOptions = {}) {
        const child = spawn(wrap[0], [...wrap.slice(1), ...argv], spawnOptions);
        children.add(child);
        child.once('exit', () => children.delete(child));
        return child;
      },
      async partition() {
        if (fault.partitioned) return;
        fault.partitioned = true; // before: a failure half-way is still undone on close
        await iptables('-I', WHOLE_DROP_RULES);
      },
      async partitionFrom(...peers) {
        for (const address of peers.map(peerAddress)) {
          if (fault.peers.has(address)) continue;
          fault.peers.add(address);
          await iptables('-I', peerDropRules(address));
        }
      },
      async healFrom(...peers) {
        for (const address of peers.map(peerAddress)) {
          if (!fault.peers.has(address)) continue;
          await iptables('-D', peerDropRules(address));
          fault.peers.delete(address);
        }
      },
      async cutLink() {
        if (fault.cut) return;
        fault.cut = true;
        await run('ip', ['link', 'set', hostVeth, 'down']);
      },
      async impair(impairment) {
        const args = impairmentArgs(impairment); // refuses a bad one before anything changes
        const why = impairUnavailable();
        if (why) throw new Error(`cannot impair ${netns}'s link: ${why}`);
        await host.clearImpairment();
        delayQueue = await startDelayQueue(host, args, CMD_TIMEOUT_MS);
        fault.impaired = true;
        await iptables('-A', DELAY_QUEUE_RULES);
      },
      async clearImpairment() {
        if (fault.impaired) {
          await iptables('-D', DELAY_QUEUE_RULES);
          fault.impaired = false;
        }
        // After the rules: what it holds is let through, nothing new arrives.
        await stopDelayQueue(delayQueue);
        delayQueue = undefined;
      },
      async heal() {
        if (fault.partitioned) {
          await iptables('-D', WHOLE_DROP_RULES);
          fault.partitioned = false;
        }
        await host.healFrom(...fault.peers);
        await host.clearImpairment();
        if (fault.cut) {
          await run('ip', ['link', 'set', hostVeth, 'up']);
          fault.cut = false;
        }
      },
    };
    hosts.push(host); // before it exists, so a failure half-way is still torn down
    await run('ip', ['netns', 'add', netns]);
    await run('ip', ['link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', nsVeth]);
    await run('ip', ['link', 'set', nsVeth, 'netns', netns]);
    await run('ip', ['link', 'set', hostVeth, 'master', names.bridge, 'up']);
    await run('ip', ['-n', netns, 'addr', 'add', `${address}/24`, 'dev', nsVeth]);
    await run('ip', ['-n', netns, 'link', 'set', nsVeth, 'up']);
    await run('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
    return host;
  };

  const bed: NetnsBed = {
    subnet: `${prefix}.0/24`,
    bridge: names.bridge,
    hostAddress: `${prefix}.1`,
    hosts,
    addHost,
    close() {
      closed ??= (async () => {
        process.removeListener('exit', onExit);
        const failures = teardown();
        if (failures.length > 0) throw new Error(`test bed ${names.base} not fully removed:\n${failures.join('\n')}`);
      })();
      return closed;
    },
  };
  try {
    await run('ip', ['link', 'add', names.bridge, 'type', 'bridge']);
    await run('ip', ['addr', 'add', `${prefix}.1/24`, 'dev', names.bridge]);
    await run('ip', ['link', 'set', names.bridge, 'up']);
    await run('iptables', ['-w', '-I', ...forwardRule(names)]);
    for (let i = 0; i < (options.hosts ?? 0); i++) await addHost();
  } catch (err) {
    await bed.close().catch(() => undefined);
    throw err;
  }
  return bed;
}
