// Global options (`--agent`, `--json`, `--timeout`): declared once, accepted before or after the
// command name, resolved with their defaults in one place, and a client built from them.
import { AgentClient } from '@mo/api';
import type { Command } from 'commander';
import { parseTimeout } from './flags.js';
import type { CliIo } from './io.js';

export const DEFAULT_AGENT_ADDR = '127.0.0.1:7610';
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface GlobalOptions {
  /** host:port of the agent's gRPC service. */
  readonly agent: string;
  readonly json: boolean;
  /** Deadline of each unary call, in ms. */
  readonly timeoutMs: number;
}

/** What every command's action gets: parsed globals, the output streams, state for error reports. */
export class CliContext {
  /** The last resolved globals; the error reporter reads `json` from here once parsing got that far. */
  globals: GlobalOptions | undefined;
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
      if (o.agent !== undefined) raw.agent = o.agent;
      if (o.json !== undefined) raw.json = o.json;
      if (o.timeout !== undefined) raw.timeout = o.timeout;
    }
    const globals: GlobalOptions = {
      agent: raw.agent || this.env.MO_AGENT_ADDR || DEFAULT_AGENT_ADDR,
      json: raw.json === true,
      timeoutMs: raw.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseTimeout(raw.timeout),
    };
    this.globals = globals;
    return globals;
  }

  /** Runs `fn` with a client for the agent, closing it afterwards so the process can exit. */
  async withAgent<T>(globals: GlobalOptions, fn: (client: AgentClient) => Promise<T>): Promise<T> {
    const client = new AgentClient(globals.agent, { deadlineMs: globals.timeoutMs });
    try {
      return await fn(client);
    } finally {
      client.close();
    }
  }
}

interface RawGlobals {
  agent?: string;
  json?: boolean;
  timeout?: string;
}

/**
 * Adds the global options to a command. Defaults and the environment are not given to commander
 * (they live in `resolve`): a subcommand's default or env value would mask a flag given before the
 * command name.
 */
export function addGlobalOptions(cmd: Command): Command {
  return cmd
    .option('--agent <addr>', `agent gRPC address (env MO_AGENT_ADDR, default ${DEFAULT_AGENT_ADDR})`)
    .option('--json', 'print machine-readable JSON')
    .option('--timeout <ms>', `deadline of each call, in ms or with a unit (default ${DEFAULT_TIMEOUT_MS})`);
}
