// `mo start [flags] -- cmd args…`: SubmitWorkload on the scheduler (or StartWorkload on one agent
// with --agent); argv is sent as a list, never as a shell string. `--wait` follows the workload on
// the scheduler's Watch stream until it runs (or ends, with --wait=exit).
import type { DockerSpec, SchedulingSpec, SubmitWorkloadRequest, WorkloadSpec } from '@mo/api';
import type { Command } from 'commander';
import { addGlobalOptions, type CliContext, type GlobalOptions } from '../context.js';
import { UsageError } from '../errors.js';
import {
  collect,
  parseChoice,
  parseCount,
  parseCpuMillis,
  parseDuration,
  parseEnv,
  parseKeyValues,
  parseLabels,
  parseSize,
} from '../flags.js';
import { write, writeJson } from '../io.js';
import { renderStarted } from '../output/status.js';

export interface StartFlags {
  name?: string;
  env?: string[];
  cwd?: string;
  label?: string[];
  cpu?: string;
  memory?: string;
  grace?: string;
  runTimeout?: string;
  lostAfter?: string;
  driver?: string;
  image?: string;
  network?: string;
  /** `--read-only` true (the default anyway), `--no-read-only` false. */
  readOnly?: boolean;
  port?: string[];
  mount?: string[];
  pids?: string;
  user?: string;
  capAdd?: string[];
  allowNewPrivileges?: boolean;
  constraint?: string[];
  node?: string;
  restart?: string;
  maxRestarts?: string;
  priority?: string;
  strategy?: string;
  idempotencyKey?: string;
  /** `--count N`: an array of N workloads. */
  count?: string;
  /** `--wait` alone is `true`; `--wait=exit` is the string. */
  wait?: string | boolean;
  waitTimeout?: string;
}

/** What `--wait` waits for. */
export type WaitFor = 'running' | 'exit';

const RESTARTS = ['never', 'on-failure', 'always'] as const;
const PRIORITIES = ['high', 'normal', 'low'] as const;
const STRATEGIES = ['binpack', 'spread'] as const;
const WAITS: readonly WaitFor[] = ['running', 'exit'];
const NETWORKS = ['none', 'bridge'] as const;
const INT32_MAX = 2 ** 31 - 1;

/** Turns the command line into a spec; every flag error is thrown here, before any call. */
export function buildSpec(argv: readonly string[], flags: StartFlags): WorkloadSpec {
  if (argv.length === 0) throw new UsageError('missing command: mo start [flags] -- <command> [args...]');
  const spec: WorkloadSpec = { argv: [...argv] };
  if (flags.name !== undefined) spec.name = flags.name;
  if (flags.env) spec.env = parseEnv(flags.env);
  if (flags.cwd !== undefined) spec.workingDir = flags.cwd;
  if (flags.user !== undefined) {
    if (!flags.user) throw new UsageError('must name a user or uid[:gid]', '--user');
    spec.user = flags.user;
  }
  if (flags.label) spec.labels = parseLabels(flags.label);
  const cpuMillis = flags.cpu === undefined ? undefined : parseCpuMillis(flags.cpu);
  const memoryBytes = flags.memory === undefined ? undefined : parseSize(flags.memory, '--memory');
  if (cpuMillis !== undefined || memoryBytes !== undefined) spec.resources = { cpuMillis, memoryBytes };
  if (flags.grace !== undefined) spec.gracePeriodMs = parseDuration(flags.grace, '--grace');
  if (flags.runTimeout !== undefined) spec.timeoutMs = parseDuration(flags.runTimeout, '--run-timeout');
  if (flags.lostAfter !== undefined) spec.lostAfterMs = parseDuration(flags.lostAfter, '--lost-after');
  if (flags.driver !== undefined) spec.driver = flags.driver;
  const docker = buildDocker(flags);
  if (docker) {
    // --image alone is enough to ask for a sandbox.
    if (flags.driver === undefined) spec.driver = 'docker';
    else if (flags.driver !== 'docker') throw new UsageError(`needs --driver docker, not ${flags.driver}`, docker.flag);
    spec.docker = docker.spec;
  }
  // --pids limits the sandbox of a docker workload, the cgroup of a process one.
  if (flags.pids !== undefined) {
    const n = parseCount(flags.pids, '--pids', INT32_MAX);
    if (n < 1) throw new UsageError('must be at least 1', '--pids');
    if (spec.driver === 'docker') spec.docker = { ...spec.docker, pidsLimit: n };
    else spec.pidsLimit = n;
  }
  return spec;
}

/** The sandbox flags; undefined when none was given. `flag` names one of them for errors. */
export function buildDocker(flags: StartFlags): { spec: DockerSpec; flag: string } | undefined {
  const d: DockerSpec = {};
  let flag: string | undefined;
  if (flags.image !== undefined) {
    if (!flags.image) throw new UsageError('must name an image', '--image');
    d.image = flags.image;
    flag ??= '--image';
  }
  if (flags.network !== undefined) {
    d.network = parseChoice(flags.network, '--network', NETWORKS);
    flag ??= '--network';
  }
  if (flags.readOnly !== undefined) {
    d.writableRoot = !flags.readOnly;
    flag ??= flags.readOnly ? '--read-only' : '--no-read-only';
  }
  if (flags.port) {
    d.ports = flags.port.map((p) => {
      const n = /^\d{1,5}$/.test(p) ? Number(p) : NaN;
      if (!(n >= 1 && n <= 65535))
        throw new UsageError(`expected a TCP port 1-65535, got ${JSON.stringify(p)}`, '--port');
      return n;
    });
    flag ??= '--port';
  }
  if (flags.mount) {
    d.mounts = flags.mount.map((m) => {
      const parts = m.split(':');
      const ro = parts.length === 3 && (parts[2] === 'ro' || parts[2] === 'rw') ? parts.pop() === 'ro' : false;
      if (parts.length !== 2 || !parts[0] || !parts[1]) {
        throw new UsageError(`expected SRC:DST or SRC:DST:ro, got ${JSON.stringify(m)}`, '--mount');
      }
      return { source: parts[0], target: parts[1], readOnly: ro };
    });
    flag ??= '--mount';
  }
  if (flags.capAdd) {
    d.capAdd = flags.capAdd;
    flag ??= '--cap-add';
  }
  if (flags.allowNewPrivileges) {
    d.allowNewPrivileges = true;
    flag ??= '--allow-new-privileges';
  }
  return flag ? { spec: d, flag } : undefined;
}

/** The scheduling half of a submission; undefined when no scheduling flag was given. */
export function buildScheduling(flags: StartFlags): SchedulingSpec | undefined {
  const s: SchedulingSpec = {};
  if (flags.constraint) s.constraints = parseKeyValues('--constraint', flags.constraint, 'k=v');
  if (flags.node !== undefined) s.node = flags.node;
  if (flags.priority !== undefined) {
    const p = parseChoice(flags.priority, '--priority', PRIORITIES);
    s.priority = p === 'high' ? 'PRIORITY_HIGH' : p === 'low' ? 'PRIORITY_LOW' : 'PRIORITY_NORMAL';
  }
  if (flags.strategy !== undefined) {
    const st = parseChoice(flags.strategy, '--strategy', STRATEGIES);
    s.strategy = st === 'binpack' ? 'PLACEMENT_STRATEGY_BINPACK' : 'PLACEMENT_STRATEGY_SPREAD';
  }
  const mode = flags.restart === undefined ? undefined : parseChoice(flags.restart, '--restart', RESTARTS);
  if (flags.maxRestarts !== undefined) {
    if (mode === undefined || mode === 'never') {
      throw new UsageError('needs --restart on-failure or --restart always', '--max-restarts');
    }
    // On the wire 0 means "the scheduler's default", so 0 cannot be passed through.
    const n = parseCount(flags.maxRestarts, '--max-restarts', INT32_MAX);
    if (n < 1) throw new UsageError('must be at least 1 (for no restarts: --restart never)', '--max-restarts');
    s.restart = { mode: restartMode(mode), maxAttempts: n };
  } else if (mode !== undefined) {
    s.restart = { mode: restartMode(mode) };
  }
  return Object.keys(s).length > 0 ? s : undefined;
}

function restartMode(mode: (typeof RESTARTS)[number]): NonNullable<SchedulingSpec['restart']>['mode'] {
  return mode === 'always'
    ? 'RESTART_MODE_ALWAYS'
    : mode === 'on-failure'
      ? 'RESTART_MODE_ON_FAILURE'
      : 'RESTART_MODE_NEVER';
}

/** The whole SubmitWorkload request. */
export function buildSubmit(argv: readonly string[], flags: StartFlags): SubmitWorkloadRequest {
  const req: SubmitWorkloadRequest = { spec: buildSpec(argv, flags) };
  const scheduling = buildScheduling(flags);
  if (scheduling) req.scheduling = scheduling;
  if (flags.idempotencyKey !== undefined) req.idempotencyKey = flags.idempotencyKey;
  if (flags.count !== undefined) req.count = parseArrayCount(flags.count);
  return req;
}

/**
 * Most workloads of one array: @mo/api's LIMITS.arrayCount (start.test.ts checks they agree),
 * repeated here because this path does not load @mo/api's index.
 */
export const MAX_ARRAY_COUNT = 10_000;

/** `--count N`: 1..MAX_ARRAY_COUNT. */
export function parseArrayCount(value: string): number {
  const n = parseCount(value, '--count', MAX_ARRAY_COUNT);
  if (n < 1) throw new UsageError('must be at least 1', '--count');
  return n;
}

/** `--wait` → 'running', `--wait=exit` → 'exit', absent → undefined. */
export function parseWait(flags: StartFlags): { until: WaitFor; timeoutMs: number | undefined } | undefined {
  if (flags.wait === undefined || flags.wait === false) {
    if (flags.waitTimeout !== undefined) throw new UsageError('needs --wait', '--wait-timeout');
    return undefined;
  }
  const until = flags.wait === true ? 'running' : parseChoice(flags.wait, '--wait', WAITS);
  const timeoutMs = flags.waitTimeout === undefined ? undefined : parseDuration(flags.waitTimeout, '--wait-timeout');
  if (timeoutMs === 0) throw new UsageError('must be greater than 0', '--wait-timeout');
  return { until, timeoutMs };
}

/** Flags that only mean something to the scheduler; with --agent they are refused by name. */
const SCHEDULER_ONLY: readonly (readonly [keyof StartFlags, string])[] = [
  ['constraint', '--constraint'],
  ['node', '--node'],
  ['restart', '--restart'],
  ['maxRestarts', '--max-restarts'],
  ['priority', '--priority'],
  ['strategy', '--strategy'],
  ['idempotencyKey', '--idempotency-key'],
  ['count', '--count'],
  ['wait', '--wait'],
  ['waitTimeout', '--wait-timeout'],
];

export function registerStart(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('start')
    .summary('submit a workload to the scheduler')
    .description(
      'Submit a workload: the scheduler places it on a node that fits, or queues it (pending, with the ' +
        'reason) until one does. Everything after -- (or after the first argument) is its argv, passed ' +
        'verbatim: no shell is involved unless you run one (mo start -- sh -c "...").\n\n' +
        'Prints the id and where it was placed. --wait blocks until the workload runs (--wait=exit: until it ' +
        'ends) and exits 4 if it failed, was lost or stopped instead, 5 if --wait-timeout passed first.\n\n' +
        '--count N submits an array: N workloads in one call and one group id (mo ps --group ID). Workload i ' +
        '(0-based) gets $MO_INDEX=i, $MO_COUNT=N and $MO_GROUP=<group id>; with --name web they are named ' +
        'web-0, web-1, ... --wait then waits for all of them; the exit code is the worst result.',
    )
    .argument('[command...]', 'the program to run and its arguments')
    // Flags after the command's first word belong to the command (`mo start ls -l`).
    .passThroughOptions()
    .option('--name <name>', 'human name ([a-z0-9][a-z0-9._-]*)')
    .option('--cpu <cpu>', 'declared CPU: cores (0.5, 2) or millicores (500m)')
    .option('--memory <size>', 'declared memory: bytes, or 512Mi, 1Gi, 1G')
    .option('--driver <driver>', 'process (default) or docker')
    .option(
      '--image <image>',
      "docker: the sandbox image (default: the agent's, mo-sandbox:latest); implies --driver docker",
    )
    .option('--network <net>', 'docker: none (default, loopback only) or bridge')
    .option('--read-only', 'docker: read-only root filesystem (the default; /tmp is a writable tmpfs)')
    .option('--no-read-only', 'docker: a writable root filesystem, if the agent allows it')
    .option('--port <port>', 'docker: publish this container TCP port on a host port (repeatable)', collect)
    .option('--mount <src:dst[:ro]>', 'docker: bind a host path (under a root the agent allows) (repeatable)', collect)
    .option(
      '--pids <n>',
      "most processes: in the docker sandbox (default: the agent's, 256), or a process workload's cgroup (default: no limit)",
    )
    .option('--cap-add <cap>', 'docker: give back a Linux capability the agent allows (repeatable)', collect)
    .option('--allow-new-privileges', 'docker: let the workload gain privileges (setuid), if the agent allows it')
    .option('--env <K=V>', 'environment variable (repeatable)', collect)
    .option('--cwd <dir>', 'working directory (absolute path on the node)')
    .option('--user <user>', "run as this user of the node (name or uid[:gid]; default: the node's, nobody)")
    .option('--label <k=v>', 'workload label (repeatable)', collect)
    .option('--constraint <k=v>', 'only nodes with this label (repeatable)', collect)
    .option('--node <name>', 'only this node')
    .option('--restart <policy>', 'never (default), on-failure or always')
    .option('--max-restarts <n>', 'restarts in a row allowed by --restart (default: unlimited, with backoff)')
    .option('--priority <p>', 'high, normal (default) or low: the queue order when nodes are full')
    .option('--strategy <s>', "binpack or spread (default: the cluster's)")
    .option('--idempotency-key <key>', 'a retried submit with the same key returns the first workload')
    .option('--count <n>', `an array of n workloads (1-${MAX_ARRAY_COUNT}), each with $MO_INDEX`)
    .option('--grace <duration>', 'time between SIGTERM and SIGKILL on stop (10s, 500ms)')
    .option('--run-timeout <duration>', 'stop it after this long (then it is failed: timed out); default none')
    .option(
      '--lost-after <duration>',
      "while its node is unheard from it is unknown; after this long it is lost and replaced (default: the scheduler's, 30s; 0: at once)",
    )
    .option('--wait [until]', 'wait until the workload runs (--wait=exit: until it ends)')
    .option('--wait-timeout <duration>', 'give up waiting after this long (exit 5)');
  addGlobalOptions(cmd).action(async (argv: string[], flags: StartFlags, self: Command) => {
    const globals = ctx.resolve(self);
    if (globals.target.kind === 'agent') {
      const scheduling = SCHEDULER_ONLY.find(([key]) => flags[key] !== undefined);
      if (scheduling) throw new UsageError('needs the scheduler, not --agent (or MO_AGENT_ADDR)', scheduling[1]);
      const spec = buildSpec(argv, flags);
      const w = await ctx.withAgent(globals, (client) => client.startWorkload(spec));
      await (globals.json ? writeJson(ctx.io, w) : write(ctx.io.stdout, renderStarted(w)));
      return;
    }
    await runStart(ctx, globals, argv, flags);
  });
}

/**
 * `mo start` on the scheduler (the fast path's too): SubmitWorkload over the wire client, then
 * the wait, if asked for, on its Watch stream. Every flag error is thrown before anything is dialled.
 */
export async function runStart(
  ctx: CliContext,
  globals: GlobalOptions,
  argv: readonly string[],
  flags: StartFlags,
): Promise<void> {
  const req = buildSubmit(argv, flags);
  const wait = parseWait(flags);
  // The rest (rendering, waiting) is loaded only for a submission.
  if (req.count) {
    const { submitArrayAndWait } = await import('./submit-array.js');
    await ctx.withSchedulerWire(globals, (client) => submitArrayAndWait(ctx, globals, client, req, wait));
    return;
  }
  const { submitAndWait } = await import('./submit.js');
  await ctx.withSchedulerWire(globals, (client) => submitAndWait(ctx, globals, client, req, wait));
}
