// `mo dev [--agents N] [--data-dir DIR] [--port-base P]`: a whole cluster on this machine, in the
// foreground — one scheduler and N agents as child processes (see ../dev/cluster.ts).
import type { Command } from 'commander';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CliContext } from '../context.js';
import { DaemonFailedError, UsageError } from '../errors.js';
import { parseChoice, parseCount, parseDuration } from '../flags.js';
import { write } from '../io.js';
import { DEV_PORT_SPAN } from '../dev/cluster-ports.js';

export interface DevFlags {
  agents?: string;
  dataDir?: string;
  portBase?: string;
  logLevel?: string;
  keepWorkloads?: boolean;
  stopTimeout?: string;
  defaultUser?: string;
  allowedUsers?: string;
  insecure?: boolean;
}

export const DEFAULT_DEV_AGENTS = 2;
export const DEFAULT_PORT_BASE = 7600;
const MAX_AGENTS = 100;
const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export interface DevSettings {
  agents: number;
  dataDir: string;
  portBase: number;
  logLevel: (typeof LOG_LEVELS)[number];
  stopWorkloads: boolean;
  stopTimeoutMs: number;
  /** The agents' --default-user (undefined: theirs, nobody when root, else this user). */
  defaultUser?: string;
  /** The agents' --allowed-users. */
  allowedUsers?: string;
  /** Plaintext daemons (no certificates). */
  insecure: boolean;
}

/** Where a dev cluster run by root keeps its state: workloads run as other users must reach it. */
export const ROOT_DEV_DIR = '/var/lib/mo/dev';

/**
 * Flags → settings; every error names its flag. `uid`: this process's. Run as root, the agents run
 * workloads as other users: by default the user who ran `sudo mo dev` (SUDO_USER), so a developer's
 * workloads can use their files, else nobody; and the state goes to ROOT_DEV_DIR, not to /root
 * (mode 0700: no workload of another user could reach its working dir there).
 */
export function devSettings(flags: DevFlags, env: NodeJS.ProcessEnv, uid = process.getuid?.() ?? 0): DevSettings {
  const agents = flags.agents === undefined ? DEFAULT_DEV_AGENTS : parseCount(flags.agents, '--agents', MAX_AGENTS);
  const portBase = flags.portBase === undefined ? DEFAULT_PORT_BASE : parseCount(flags.portBase, '--port-base');
  // A dev cluster spans the 1000 ports from its base (../dev/cluster-ports.ts).
  const top = portBase + DEV_PORT_SPAN - 1;
  if (portBase !== 0 && (portBase < 1024 || top > 65_535)) {
    throw new UsageError(`must be 0 (any free ports) or leave room up to ${top} below 65536, from 1024`, '--port-base');
  }
  const home = uid === 0 ? ROOT_DEV_DIR : join(env.HOME || homedir(), '.mo', 'dev');
  const dataDir = resolve(flags.dataDir ?? (env.MO_DEV_DIR || home));
  if (flags.defaultUser === '') throw new UsageError('must name a user or uid[:gid]', '--default-user');
  const sudoUser = uid === 0 && env.SUDO_USER && env.SUDO_USER !== 'root' ? env.SUDO_USER : undefined;
  const defaultUser = flags.defaultUser ?? sudoUser;
  return {
    agents,
    dataDir,
    portBase,
    logLevel: flags.logLevel === undefined ? 'info' : parseChoice(flags.logLevel, '--log-level', LOG_LEVELS),
    stopWorkloads: flags.keepWorkloads !== true,
    stopTimeoutMs: flags.stopTimeout === undefined ? 10_000 : parseDuration(flags.stopTimeout, '--stop-timeout'),
    ...(defaultUser !== undefined && { defaultUser }),
    ...(flags.allowedUsers !== undefined && { allowedUsers: flags.allowedUsers }),
    insecure: flags.insecure === true,
  };
}

export function registerDev(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('dev')
    .summary('run a scheduler and N agents on this machine (foreground)')
    .description(
      'The embedded default: one scheduler (SQLite in <data-dir>/scheduler) and N agents (node names dev-0, ' +
        'dev-1, …, state in <data-dir>/agent-<i>) as child processes, their logs prefixed by name on stderr. ' +
        'Once every agent is registered it prints the scheduler address and how to use it.\n\n' +
        'Ports: scheduler gRPC <port-base> and HTTP <port-base>+1; agent i gRPC <port-base>+10+2i and HTTP ' +
        "<port-base>+11+2i; the agents' docker host ports <port-base>+300 to +999, split between them, " +
        'published on 127.0.0.1. Two dev clusters on one host need bases 1000 apart (a second one that ' +
        'overlaps is refused, naming the first). --port-base 0 lets the OS pick the daemon ports, and the ' +
        'docker ports come from a free block of 10000-31999.\n\n' +
        'A daemon that dies is restarted on the same data dir and ports (an agent re-attaches its running ' +
        'workloads), at once and then with a growing delay; after 5 deaths within a minute mo dev gives up, ' +
        'stops the rest and exits 1.\n\n' +
        'Ctrl-C (SIGINT) or SIGTERM stops the cluster and exits 0: first every workload that is still ' +
        'pending or running is stopped through the scheduler and then the agents (a dev cluster should not ' +
        'leave processes behind; --keep-workloads leaves them to their shims, as stopping a production agent ' +
        'would), then the agents, then the scheduler — SIGTERM, and SIGKILL after --stop-timeout — and last ' +
        "any workload process still alive (found from the agents' records, even if a daemon was dead). A " +
        'second Ctrl-C kills at once. ' +
        'With --json, the ready report is one JSON line on stdout.\n\n' +
        'TLS is on: a CA and certificates for the scheduler, each agent and you (an admin client certificate) ' +
        'are made in <data-dir>/tls on first run and kept; the ready report prints the export lines ' +
        '(MO_SCHEDULER_ADDR, MO_CA_CERT, MO_CLIENT_CERT, MO_CLIENT_KEY) that point mo at them. ' +
        '--insecure runs every daemon in plaintext instead.',
    )
    .option('--agents <n>', `how many agents (default ${DEFAULT_DEV_AGENTS})`)
    .option(
      '--data-dir <dir>',
      `state of the scheduler and agents (default $MO_DEV_DIR, or ~/.mo/dev; as root ${ROOT_DEV_DIR})`,
    )
    .option(
      '--default-user <user>',
      'who workloads without --user run as (default: as root, $SUDO_USER or nobody; else you)',
    )
    .option('--allowed-users <list>', "the agents' --allowed-users: names, uids, * (any but root); root only if listed")
    .option('--port-base <port>', `first port (default ${DEFAULT_PORT_BASE}); 0: all ports picked by the OS`)
    .option('--log-level <level>', 'debug, info (default), warn or error')
    .option('--keep-workloads', 'on exit, leave workloads running instead of stopping them')
    .option(
      '--stop-timeout <duration>',
      'time each daemon gets to stop before SIGKILL (default 10s); leftover workloads get at most 5s',
    );
  devOptions(cmd).action(async (flags: DevFlags, self: Command) => {
    const globals = ctx.resolve(self);
    // `mo --insecure dev` as well as `mo dev --insecure`.
    const settings = devSettings({ ...flags, insecure: flags.insecure ?? globals.credentials.insecure }, ctx.env);
    const { DevCluster } = await import('../dev/cluster.js');
    const cluster = new DevCluster({
      ...settings,
      readyTimeoutMs: 60_000,
      log: (line) => ctx.io.stderr.write(`${line}\n`),
    });

    // From here on, SIGINT/SIGTERM mean "stop the cluster", during startup too.
    let signalled: NodeJS.Signals | undefined;
    let crash: DaemonFailedError | undefined;
    // Its ports are another cluster's, or in use: refused before anything started.
    let usage: UsageError | undefined;
    let wake: () => void = () => {};
    const finished = new Promise<void>((r) => (wake = r));
    const onSignal = (sig: NodeJS.Signals) => {
      if (signalled) {
        ctx.io.stderr.write(`mo dev: ${sig} again: killing every daemon now\n`);
        cluster.killNow();
        return;
      }
      signalled = sig;
      ctx.io.stderr.write(`mo dev: ${sig}: stopping the cluster\n`);
      wake();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      await Promise.race([cluster.start(), finished]);
      if (!signalled) {
        cluster.onGiveUp((err) => {
          crash = err;
          ctx.io.stderr.write(`mo dev: ${err.message}\n`);
          wake();
        });
        await report(ctx, globals.json, settings, cluster);
        await finished;
      }
    } catch (err) {
      if (err instanceof UsageError) usage = err;
      else if (!signalled)
        crash = err instanceof DaemonFailedError ? err : new DaemonFailedError('dev', 'startup failed', err);
    } finally {
      await cluster.stop();
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
    if (usage) throw usage;
    if (crash) throw crash;
    ctx.io.stderr.write('mo dev: stopped\n');
  });
}

/**
 * Of the global options only these two apply: mo dev starts the daemons, it does not dial one (no
 * --scheduler, --agent, --timeout or credentials to give it), so its --help shows no others.
 */
function devOptions(cmd: Command): Command {
  return cmd
    .option('--json', 'print the ready report as one JSON line on stdout')
    .option('--insecure', 'run every daemon in plaintext, without TLS');
}

async function report(
  ctx: CliContext,
  json: boolean,
  settings: DevSettings,
  cluster: import('../dev/cluster.js').DevCluster,
): Promise<void> {
  const s = cluster.scheduler!;
  const agents = cluster.agents;
  // The path, never the token: the scheduler wrote it there (0600) on its first start.
  const { BOOTSTRAP_TOKEN_FILE } = await import('@mo/api');
  const tokenFile = join(s.dataDir, BOOTSTRAP_TOKEN_FILE);
  if (json) {
    // One line (not writeJson's indented document), so a script can read it with `read`/`head -1`.
    const doc = {
      scheduler: { grpcAddress: s.grpcAddress, httpAddress: s.httpAddress, pid: s.pid, dataDir: s.dataDir, tokenFile },
      agents: agents.map((a) => ({
        name: a.name,
        grpcAddress: a.grpcAddress,
        httpAddress: a.httpAddress,
        pid: a.pid,
        dataDir: a.dataDir,
        ...(a.docker && { dockerPorts: a.docker.ports, dockerPortIp: a.docker.ip }),
      })),
      dataDir: settings.dataDir,
      ...(cluster.pki
        ? { tls: { caCert: cluster.pki.ca, clientCert: cluster.pki.client.cert, clientKey: cluster.pki.client.key } }
        : {}),
    };
    await write(ctx.io.stdout, `${JSON.stringify(doc)}\n`);
    return;
  }
  const names = agents.map((a) => a.name).join(', ');
  const { exportLines } = await import('../dev/pki.js');
  const scheme = cluster.pki ? 'https' : 'http';
  const exports = cluster.pki
    ? `  export MO_SCHEDULER_ADDR=${s.grpcAddress}\n  ${exportLines(cluster.pki)}\n  mo status\n`
    : `  export MO_SCHEDULER_ADDR=${s.grpcAddress} MO_INSECURE=1; mo status\n`;
  await write(
    ctx.io.stdout,
    `mo dev: scheduler at ${s.grpcAddress} (metrics ${scheme}://${s.httpAddress}/metrics), ` +
      `${agents.length} agent(s) up${names ? ` (${names})` : ''}; state in ${settings.dataDir}` +
      `${cluster.pki ? '' : ' (no TLS: --insecure)'}\n` +
      `mo dev: dashboard at ${scheme}://${s.httpAddress}/ (sign in with the token in ${shellQuote(tokenFile)})\n` +
      exports +
      `Ctrl-C stops the cluster${settings.stopWorkloads ? ' and its workloads' : ''}.\n`,
  );
}

/** `path` as one shell word: single-quoted, a quote inside written '\''. */
export function shellQuote(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
