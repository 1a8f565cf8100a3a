// Global options (`--scheduler` (one address or several: a,b,c), `--agent`, `--json`, `--timeout`, and the credentials `--ca-cert`,
// `--client-cert`, `--client-key`, `--token`, `--insecure`): declared once, accepted before or
// after the command name, resolved with their defaults in one place, and clients built from them.
//
// `mo` talks to the scheduler by default. `--agent ADDR` (or MO_AGENT_ADDR) switches to the direct
// mode of the first release: one agent, no scheduler (start/stop/status/logs only).
import type { AgentClient, ClientOptions, JobClient, PipelineClient, SchedulerClient, TokenClient } from '@mo/api';
import type { ClientTls, WireSchedulerClient } from '@mo/api/wire';
import type { Command } from 'commander';
import { isAbsolute, join } from 'node:path';
import { UsageError } from './errors.js';
import { parseTimeout } from './flags.js';
import type { WirePool } from './helper/wire-pool.js';
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
  /** The credential flags as given; resolved (resolveSecurity) only by commands that make a client. */
  readonly credentials: Pick<RawGlobals, 'caCert' | 'clientCert' | 'clientKey' | 'token' | 'insecure'>;
}

/** The credentials the flags and MO_* variables give (files are read when a client is made). */
export type CliSecurity =
  | { readonly kind: 'insecure'; readonly token?: string }
  | {
      readonly kind: 'tls';
      readonly ca: string;
      readonly cert?: string;
      readonly key?: string;
      readonly token?: string;
    };

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
  /**
   * The caller's working directory, when it is not this process's (the CLI helper runs calls
   * from many): relative credential paths are read from there.
   */
  cwd: string | undefined;
  /** Connections kept between calls (the CLI helper's); none: a connection per command. */
  wirePool: WirePool | undefined;
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
      for (const k of ['caCert', 'clientCert', 'clientKey', 'token'] as const) if (o[k] !== undefined) raw[k] = o[k];
      if (o.insecure !== undefined) raw.insecure = o.insecure;
    }
    return this.resolveRaw(raw);
  }

  /** Globals from raw flag values (the fast path parses them without commander). */
  resolveRaw(raw: RawGlobals): GlobalOptions {
    // Known before anything below can throw, so that error is reported as JSON too.
    this.json = raw.json === true;
    const globals: GlobalOptions = {
      target: resolveTarget(raw, this.env),
      json: raw.json === true,
      timeoutMs: raw.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseTimeout(raw.timeout),
      credentials: {
        ...(raw.caCert !== undefined ? { caCert: raw.caCert } : {}),
        ...(raw.clientCert !== undefined ? { clientCert: raw.clientCert } : {}),
        ...(raw.clientKey !== undefined ? { clientKey: raw.clientKey } : {}),
        ...(raw.token !== undefined ? { token: raw.token } : {}),
        ...(raw.insecure !== undefined ? { insecure: raw.insecure } : {}),
      },
    };
    this.globals = globals;
    return globals;
  }

  /** Runs `fn` with a client for the scheduler, closing it afterwards so the process can exit. */
  async withScheduler<T>(globals: GlobalOptions, fn: (client: SchedulerClient) => Promise<T>): Promise<T> {
    const address = this.schedulerAddress(globals);
    // Loaded here, not at the top: `mo --help` and usage errors do not pay for grpc.
    const { SchedulerClient } = await this.api();
    return using(new SchedulerClient(address, await this.clientOptions(globals)), fn);
  }

  /** Like withScheduler, with a client for the scheduler's Pipelines service. */
  async withPipelines<T>(globals: GlobalOptions, fn: (client: PipelineClient) => Promise<T>): Promise<T> {
    const address = this.schedulerAddress(globals);
    const { PipelineClient } = await this.api();
    return using(new PipelineClient(address, await this.clientOptions(globals)), fn);
  }

  /** Like withScheduler, with a client for the scheduler's Jobs service (same address). */
  async withJobs<T>(globals: GlobalOptions, fn: (client: JobClient) => Promise<T>): Promise<T> {
    const address = this.schedulerAddress(globals);
    const { JobClient } = await this.api();
    return using(new JobClient(address, await this.clientOptions(globals)), fn);
  }

  /** Like withScheduler, with a client for the scheduler's Tokens service (admin access). */
  async withTokens<T>(globals: GlobalOptions, fn: (client: TokenClient) => Promise<T>): Promise<T> {
    const address = this.schedulerAddress(globals);
    const { TokenClient } = await this.api();
    return using(new TokenClient(address, await this.clientOptions(globals)), fn);
  }

  /**
   * Like withScheduler, over the wire client, for the common commands (`mo status`, `nodes`, `ps`,
   * `start`, `stop`): it speaks gRPC over node:http2 with mo's codec, so these commands skip
   * loading grpc-js (most of their wall time). The TLS files are read, not checked (node:crypto
   * and the checks were a tenth of `mo status`): when the command fails, they are checked then,
   * and a problem with them is what is reported (a usage error naming the file), as the other
   * commands do before dialling. Its errors are the full client's MoErrors.
   */
  async withSchedulerWire<T>(globals: GlobalOptions, fn: (client: WireSchedulerClient) => Promise<T>): Promise<T> {
    const address = this.schedulerAddress(globals);
    const { WireSchedulerClient } = await import('@mo/api/wire');
    const { tls, insecure, token } = await this.clientOptions(globals, { check: false });
    const options = {
      deadlineMs: globals.timeoutMs,
      env: this.env,
      ...(tls ? { tls } : { insecure }),
      ...(token ? { token } : {}),
    };
    const make = () => new WireSchedulerClient(address, options);
    try {
      if (!this.wirePool) return await using(make(), fn);
      const parts = { address, deadlineMs: globals.timeoutMs, env: this.env, ...(token ? { token } : {}) };
      return await this.wirePool.use({ ...parts, ...(tls ? { tls: tls.material() } : {}) }, make, fn);
    } catch (err) {
      if (tls) await this.clientOptions(globals, { check: true });
      throw err;
    }
  }

  /** Runs `fn` with a client for the agent (direct mode), closing it afterwards. */
  async withAgent<T>(globals: GlobalOptions, fn: (client: AgentClient) => Promise<T>): Promise<T> {
    const { AgentClient } = await this.api();
    // Any agent of the CA: the person named its address. An agent serves only the scheduler's
    // certificate, so direct mode needs --client-cert/--client-key to be the scheduler's.
    const options: ClientOptions = { ...(await this.clientOptions(globals)), peer: { kind: 'agent' } };
    return using(new AgentClient(globals.target.address, options), fn);
  }

  /** @mo/api (and grpc-js), loaded on first use, with grpc-js's own log lines kept off stderr. */
  private async api(): Promise<typeof import('@mo/api')> {
    const api = await import('@mo/api');
    api.quietGrpcLogs(this.env);
    return api;
  }

  private tls: { key: string; tls: ClientTls } | undefined;

  /**
   * Client options for the resolved credentials: TLS files read and checked once per command
   * (`check: false`: read only, see withSchedulerWire). A problem with them is a UsageError.
   */
  async clientOptions(globals: GlobalOptions, { check = true }: { check?: boolean } = {}): Promise<ClientOptions> {
    const sec = resolveSecurity(globals.credentials, this.env);
    const base = { deadlineMs: globals.timeoutMs, ...(sec.token !== undefined ? { token: sec.token } : {}) };
    if (sec.kind === 'insecure') return { ...base, insecure: true };
    const key = JSON.stringify([sec.ca, sec.cert, sec.key, check]);
    if (this.tls?.key !== key) {
      const at = (p: string) => (this.cwd === undefined || isAbsolute(p) ? p : join(this.cwd, p));
      const files = {
        ca: at(sec.ca),
        ...(sec.cert !== undefined ? { cert: at(sec.cert) } : {}),
        ...(sec.key !== undefined ? { key: at(sec.key) } : {}),
      };
      const load = check
        ? (await import('@mo/api/tls-check')).loadClientTls
        : (await import('@mo/api/wire')).readClientTls;
      try {
        this.tls = { key, tls: load(files) };
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    }
    return { ...base, tls: this.tls.tls };
  }

  private schedulerAddress(globals: GlobalOptions): string {
    if (globals.target.kind !== 'scheduler') {
      throw new UsageError('needs the scheduler, not --agent (or MO_AGENT_ADDR)', this.command ?? 'this command');
    }
    return globals.target.address;
  }
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
  caCert?: string;
  clientCert?: string;
  clientKey?: string;
  token?: string;
  insecure?: boolean;
}

const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes)$/i.test(v.trim());

/**
 * Credentials: flags beat MO_CA_CERT, MO_CLIENT_CERT, MO_CLIENT_KEY, MO_TOKEN and MO_INSECURE.
 * TLS needs the CA and either a client certificate with its key or a token (or both: the token
 * names the caller); plaintext only with --insecure.
 */
export function resolveSecurity(raw: RawGlobals, env: NodeJS.ProcessEnv): CliSecurity {
  const nonEmpty = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);
  const ca = nonEmpty(raw.caCert ?? env.MO_CA_CERT);
  const cert = nonEmpty(raw.clientCert ?? env.MO_CLIENT_CERT);
  const key = nonEmpty(raw.clientKey ?? env.MO_CLIENT_KEY);
  const token = resolveToken(raw, env);
  const withToken = token !== undefined ? { token } : {};
  if (raw.insecure === true || (raw.insecure === undefined && truthy(env.MO_INSECURE) && ca === undefined)) {
    return { kind: 'insecure', ...withToken };
  }
  if (ca === undefined) {
    throw new UsageError(
      'no credentials: give --ca-cert (MO_CA_CERT) with --client-cert and --client-key (MO_CLIENT_CERT, ' +
        'MO_CLIENT_KEY) or --token (MO_TOKEN); or --insecure for a daemon run with --insecure ' +
        '(mo dev prints the export lines)',
    );
  }
  if ((cert === undefined) !== (key === undefined)) {
    throw new UsageError(
      cert === undefined ? 'needs --client-cert (MO_CLIENT_CERT) too' : 'needs --client-key (MO_CLIENT_KEY) too',
      cert === undefined ? '--client-key' : '--client-cert',
    );
  }
  if (cert === undefined && token === undefined) {
    throw new UsageError(
      'needs --client-cert and --client-key (MO_CLIENT_CERT, MO_CLIENT_KEY) or --token (MO_TOKEN)',
      '--ca-cert',
    );
  }
  return { kind: 'tls', ca, ...(cert !== undefined ? { cert, key: key! } : {}), ...withToken };
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
  if (raw.scheduler) return { kind: 'scheduler', address: schedulerList(raw.scheduler, '--scheduler') };
  if (env.MO_AGENT_ADDR && !env.MO_SCHEDULER_ADDR) return { kind: 'agent', address: env.MO_AGENT_ADDR };
  if (!env.MO_SCHEDULER_ADDR) return { kind: 'scheduler', address: DEFAULT_SCHEDULER_ADDR };
  return { kind: 'scheduler', address: schedulerList(env.MO_SCHEDULER_ADDR, 'MO_SCHEDULER_ADDR') };
}

/**
 * Several schedulers (`a:7600,b:7600,c:7600`): the clients find the leader among them (and
 * follow a follower's redirect). Passed on as written; an empty entry is a usage error.
 */
function schedulerList(value: string, source: string): string {
  if (!value.includes(',')) return value;
  const parts = value.split(',').map((s) => s.trim());
  if (parts.some((p) => p === '')) throw new UsageError(`expected host:port[,host:port...], got "${value}"`, source);
  return parts.join(',');
}

/**
 * Adds the global options to a command. Defaults and the environment are not given to commander
 * (they live in `resolve`): a subcommand's default or env value would mask a flag given before the
 * command name.
 */
export function addGlobalOptions(cmd: Command): Command {
  return cmd
    .option(
      '--scheduler <addr>',
      `scheduler gRPC address, or several as a,b,c: the leader is found (env MO_SCHEDULER_ADDR, default ${DEFAULT_SCHEDULER_ADDR})`,
    )
    .option('--agent <addr>', 'talk to this one agent directly instead of the scheduler (env MO_AGENT_ADDR)')
    .option('--json', 'print machine-readable JSON')
    .option(
      '--timeout <duration>',
      `deadline of each call, with a unit: 5s, 500ms (default ${DEFAULT_TIMEOUT_MS / 1000}s)`,
    )
    .option('--ca-cert <file>', "the cluster's CA certificate (env MO_CA_CERT)")
    .option('--client-cert <file>', 'your client certificate (env MO_CLIENT_CERT)')
    .option('--client-key <file>', 'its private key, mode 0600 (env MO_CLIENT_KEY)')
    .option('--token <token>', 'a bearer token (env MO_TOKEN)')
    .option('--insecure', 'plaintext, for daemons run with --insecure (env MO_INSECURE=1)');
}
