// Global options (`--scheduler`, `--agent`, `--token`, `--json`, `--timeout`): declared once, accepted before
// or after the command name, resolved with their defaults in one place, and clients built from them.
//
// `mo` talks to the scheduler by default. `--agent ADDR` (or MO_AGENT_ADDR) switches to the direct
// mode of the first release: one agent, no scheduler (start/stop/status/logs only).
import type { AgentClient, PipelineClient, SchedulerClient, TokenClient } from '@mo/api';
import type { LiteSchedulerClient } from '@mo/api/lite';
import type { Command } from 'commander';
import { UsageError } from './errors.js';
import { parseTimeout } from './flags.js';
import type { CliIo } from './io.js';

export const DEFAULT_SCHEDULER_ADDR = '127.0.0.1:7600';
export const DEFAULT_AGENT_ADDR = '127.0.0.1:7610';
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Which daemon a command talks to. */
export type Target =
  { readonly kind: 'scheduler'; readonly address: string } | { readonly kind: 'agent'; readonly address: string };

export interface GlobalOptions {
  /** The daemon this command talks to, and its host:port. */
  readonly target: Target;
  readonly json: boolean;
  /** Deadline of each unary call, in ms. */
  readonly timeoutMs: number;
  /** The bearer token sent on every call (`--token`, else MO_TOKEN), if any. */
  readonly token?: string;
}

/** What every command's action gets: parsed globals, the output streams, state for error reports. */
export class CliContext {
  /** The last resolved globals. */
  globals: GlobalOptions | undefined;
  /** `--json` as soon as it is known; the error reporter reads it (even if resolving then failed). */
  json: boolean | undefined;
  /** The command being run (`start`, ...), for usage hints. */
  command: string | undefined;
  /** The command line as given to `execute` (node, script, args...). */
  argv: readonly string[] = [];
  constructor(
    readonly io: CliIo,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Resolves globals for the command whose action is running (flags > env > defaults). */
  resolve(cmd: Command): GlobalOptions {
    // Commander's optsWithGlobals() lets the program's value win; we want the flag nearest the
    // command to win, and defaults to apply only when no flag was given anywhere.
    const chain: Command[] = [];
    for (let c: Command | null = cmd; c; c = c.parent) chain.unshift(c);
    const raw: RawGlobals = {};
    for (const c of chain) {
      const o = c.opts<RawGlobals>();
      if (o.scheduler !== undefined) raw.scheduler = o.scheduler;
      if (o.agent !== undefined) raw.agent = o.agent;
      if (o.json !== undefined) raw.json = o.json;
      if (o.timeout !== undefined) raw.timeout = o.timeout;
      if (o.token !== undefined) raw.token = o.token;
    }
    return this.resolveRaw(raw);
  }

  /** Globals from raw flag values (the fast path parses them without commander). */
  resolveRaw(raw: RawGlobals): GlobalOptions {
    // Known before anything below can throw, so that error is reported as JSON too.
    this.json = raw.json === true;
    const token = resolveToken(raw, this.env);
    const globals: GlobalOptions = {
      target: resolveTarget(raw, this.env),
      json: raw.json === true,
      timeoutMs: raw.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseTimeout(raw.timeout),
      ...(token !== undefined ? { token } : {}),
    };
    this.globals = globals;
    return globals;
  }

  /** Runs `fn` with a client for the scheduler, closing it afterwards so the process can exit. */
  async withScheduler<T>(globals: GlobalOptions, fn: (client: SchedulerClient) => Promise<T>): Promise<T> {
    const address = this.schedulerAddress(globals);
    // Loaded here, not at the top: `mo --help` and usage errors do not pay for grpc.
    const { SchedulerClient } = await import('@mo/api');
    return using(new SchedulerClient(address, clientOptions(globals)), fn);
  }

  /** Like withScheduler, with a client for the scheduler's Pipelines service. */
  async withPipelines<T>(globals: GlobalOptions, fn: (client: PipelineClient) => Promise<T>): Promise<T> {
    const address = this.schedulerAddress(globals);
    const { PipelineClient } = await import('@mo/api');
    return using(new PipelineClient(address, clientOptions(globals)), fn);
  }

  /** Like withScheduler, with a client for the scheduler's Tokens service (admin access). */
  async withTokens<T>(globals: GlobalOptions, fn: (client: TokenClient) => Promise<T>): Promise<T> {
    const address = this.schedulerAddress(globals);
    const { TokenClient } = await import('@mo/api');
    return using(new TokenClient(address, clientOptions(globals)), fn);
  }

  /**
   * Like withScheduler, for the read-only calls (`mo status`, `mo nodes`): the lite client speaks
   * gRPC over node:http2 with mo's codec, so these commands skip loading grpc-js (most of their
   * wall time). Errors are turned into the usual MoErrors.
   */
  async withSchedulerReads<T>(globals: GlobalOptions, fn: (client: LiteSchedulerClient) => Promise<T>): Promise<T> {
    const address = this.schedulerAddress(globals);
    const { LiteSchedulerClient, LiteCallError } = await import('@mo/api/lite');
    try {
      return await using(new LiteSchedulerClient(address, clientOptions(globals)), fn);
    } catch (err) {
      if (!(err instanceof LiteCallError)) throw err;
      // The failure path may load the full API: it maps codes exactly as for the full client.
      const { fromServiceError } = await import('@mo/api');
      throw fromServiceError(err, address);
    }
  }

  /** Runs `fn` with a client for the agent (direct mode), closing it afterwards. */
  async withAgent<T>(globals: GlobalOptions, fn: (client: AgentClient) => Promise<T>): Promise<T> {
    const { AgentClient } = await import('@mo/api');
    return using(new AgentClient(globals.target.address, clientOptions(globals)), fn);
  }

  private schedulerAddress(globals: GlobalOptions): string {
    if (globals.target.kind !== 'scheduler') {
      throw new UsageError('needs the scheduler, not --agent (or MO_AGENT_ADDR)', this.command ?? 'this command');
    }
    return globals.target.address;
  }
}

/** What every client gets from the globals: the deadline and the bearer token. */
function clientOptions(globals: GlobalOptions): { deadlineMs: number; token?: string } {
  return { deadlineMs: globals.timeoutMs, ...(globals.token !== undefined ? { token: globals.token } : {}) };
}

/** Runs `fn` with the client, then closes it (so the process can exit). */
async function using<C extends { close(): void }, T>(client: C, fn: (client: C) => Promise<T>): Promise<T> {
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

export interface RawGlobals {
  scheduler?: string;
  agent?: string;
  json?: boolean;
  timeout?: string;
  token?: string;
}

/**
 * `--token` beats MO_TOKEN; surrounding whitespace is dropped (`MO_TOKEN=$(cat file)` keeps none,
 * a file read another way may end in a newline). A token that cannot be sent as a header is a
 * usage error that never repeats the value.
 */
function resolveToken(raw: RawGlobals, env: NodeJS.ProcessEnv): string | undefined {
  const [value, source] = raw.token !== undefined ? [raw.token, '--token'] : [env.MO_TOKEN, 'MO_TOKEN'];
  if (value === undefined) return undefined;
  const token = value.trim();
  if (token === '') {
    if (source === 'MO_TOKEN') return undefined; // `export MO_TOKEN=` clears it
    throw new UsageError('is empty', source);
  }
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new UsageError('holds spaces or characters a header cannot carry (a token is mo_<id>_<secret>)', source);
  }
  return token;
}

/**
 * Flags beat the environment: `--scheduler` wins over MO_AGENT_ADDR, `--agent` over
 * MO_SCHEDULER_ADDR. Both flags at once is a contradiction, not a preference. With both variables
 * set, the scheduler wins: it is the default, and `mo dev` tells people to export its address.
 */
function resolveTarget(raw: RawGlobals, env: NodeJS.ProcessEnv): Target {
  if (raw.scheduler && raw.agent) {
    throw new UsageError('cannot be combined with --scheduler: pick the scheduler or one agent', '--agent');
  }
  if (raw.agent) return { kind: 'agent', address: raw.agent };
  if (raw.scheduler) return { kind: 'scheduler', address: raw.scheduler };
  if (env.MO_AGENT_ADDR && !env.MO_SCHEDULER_ADDR) return { kind: 'agent', address: env.MO_AGENT_ADDR };
  return { kind: 'scheduler', address: env.MO_SCHEDULER_ADDR || DEFAULT_SCHEDULER_ADDR };
}

/**
 * Adds the global options to a command. Defaults and the environment are not given to commander
 * (they live in `resolve`): a subcommand's default or env value would mask a flag given before the
 * command name.
 */
export function addGlobalOptions(cmd: Command): Command {
  return cmd
    .option('--scheduler <addr>', `scheduler gRPC address (env MO_SCHEDULER_ADDR, default ${DEFAULT_SCHEDULER_ADDR})`)
    .option('--agent <addr>', 'talk to this one agent directly instead of the scheduler (env MO_AGENT_ADDR)')
    .option('--token <token>', 'bearer token sent with every call (env MO_TOKEN, which keeps it out of ps)')
    .option('--json', 'print machine-readable JSON')
    .option('--timeout <ms>', `deadline of each call, in ms or with a unit (default ${DEFAULT_TIMEOUT_MS})`);
}
