// The fast path for the commands people and scripts run most: `mo status [ID]`, `mo nodes`,
// `mo ps`, `mo start` (with --wait too) and `mo stop`. The same code as the full command line
// (each command's run function, over the wire client), reached without loading commander, grpc-js
// and every other command. bin/mo.cjs tries it first; anything it does not take exactly as
// commander would (another command, --agent, --help, an unknown flag, a flag without its value, a
// stray argument) falls through to the full command line, which handles and reports it as always.
// fast.test.ts checks, argv by argv, that what it takes it reads as commander does.
import { CliContext, type RawGlobals } from './context.js';
import { ExitCode } from './errors.js';
import type { WirePool } from './helper/wire-pool.js';
import type { CliIo } from './io.js';
import { colourWanted, configureColour, isTTY } from './output/colour.js';

/** How an option is written: a switch, one value, a repeatable value, an optional value. */
type Kind = 'flag' | 'negate' | 'value' | 'list' | 'optional';
type OptionTable = Readonly<Record<string, readonly [key: string, kind: Kind]>>;
/** What a command's options parse to: commander's opts() for the same argv. */
export type FastFlags = Record<string, string | boolean | string[]>;

/** The global options (addGlobalOptions), but --agent: direct-to-agent mode is the full CLI's. */
const GLOBALS: OptionTable = {
  '--json': ['json', 'flag'],
  '--scheduler': ['scheduler', 'value'],
  '--timeout': ['timeout', 'value'],
  '--ca-cert': ['caCert', 'value'],
  '--client-cert': ['clientCert', 'value'],
  '--client-key': ['clientKey', 'value'],
  '--token': ['token', 'value'],
  '--insecure': ['insecure', 'flag'],
};

/** Each fast command's own options (as registered in commands/*.ts) and what its operands are. */
const COMMANDS = {
  status: { options: { '--recent': ['recent', 'value'] }, operands: 'one' },
  nodes: { options: {}, operands: 'none' },
  ps: {
    options: {
      '-a': ['all', 'flag'],
      '--all': ['all', 'flag'],
      '--state': ['state', 'list'],
      '--node': ['node', 'value'],
      '--label': ['label', 'list'],
      '--name': ['name', 'value'],
      '--group': ['group', 'value'],
    },
    operands: 'none',
  },
  stop: {
    options: {
      '--label': ['label', 'list'],
      '--name': ['name', 'value'],
      '-y': ['yes', 'flag'],
      '--yes': ['yes', 'flag'],
      '--grace': ['grace', 'value'],
    },
    operands: 'many',
  },
  start: {
    options: {
      ...Object.fromEntries(
        [
          'name',
          'cpu',
          'memory',
          'driver',
          'image',
          'network',
          'pids',
          'cwd',
          'user',
          'node',
          'restart',
          'max-restarts',
          'priority',
          'strategy',
          'idempotency-key',
          'count',
          'grace',
          'run-timeout',
          'lost-after',
          'wait-timeout',
        ].map((o) => [`--${o}`, [camel(o), 'value']]),
      ),
      ...Object.fromEntries(
        ['port', 'mount', 'cap-add', 'env', 'label', 'constraint'].map((o) => [`--${o}`, [camel(o), 'list']]),
      ),
      '--read-only': ['readOnly', 'flag'],
      '--no-read-only': ['readOnly', 'negate'],
      '--allow-new-privileges': ['allowNewPrivileges', 'flag'],
      '--wait': ['wait', 'optional'],
    },
    // After its first word, everything is the workload's argv (passThroughOptions).
    operands: 'argv',
  },
} as const satisfies Record<string, { options: OptionTable; operands: 'none' | 'one' | 'many' | 'argv' }>;

export type FastCommandName = keyof typeof COMMANDS;

export interface FastCommand {
  command: FastCommandName;
  raw: RawGlobals;
  operands: string[];
  flags: FastFlags;
}

/** Every option the fast path reads for `command` (its own and the globals). */
export function fastOptionNames(command: FastCommandName): string[] {
  return [...Object.keys(GLOBALS), ...Object.keys(COMMANDS[command].options)];
}

function camel(option: string): string {
  return option.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Reads the option at `args[i]` from `table` into `into`: the index of its last word, or
 * undefined when it is not in the table or is not written exactly as the fast path takes it
 * (no value, an empty one or one that looks like a flag, `--switch=value`): the full parser's.
 */
function takeOption(table: OptionTable, into: FastFlags, args: readonly string[], i: number): number | undefined {
  const arg = args[i]!;
  const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
  const name = eq > 0 ? arg.slice(0, eq) : arg;
  const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
  if (!Object.hasOwn(table, name)) return undefined;
  const [key, kind] = table[name]!;
  if (kind === 'flag' || kind === 'negate') {
    if (inline !== undefined) return undefined;
    into[key] = kind === 'flag';
    return i;
  }
  if (kind === 'optional') {
    if (inline !== undefined) {
      if (inline === '') return undefined;
      into[key] = inline;
      return i;
    }
    // Commander takes the next word as the value unless it looks like an option.
    const next = args[i + 1];
    if (next !== undefined && (!next.startsWith('-') || next === '-')) return undefined;
    into[key] = true;
    return i;
  }
  const value = inline ?? args[i + 1];
  if (value === undefined || value === '' || value.startsWith('-')) return undefined;
  if (kind === 'list') ((into[key] ??= []) as string[]).push(value);
  else into[key] = value;
  return inline !== undefined ? i : i + 1;
}

/** Parses `mo [globals] COMMAND [options, globals and operands]` for a fast command, or undefined. */
export function parseFast(userArgs: readonly string[], env: NodeJS.ProcessEnv): FastCommand | undefined {
  const raw: FastFlags = {};
  const flags: FastFlags = {};
  const operands: string[] = [];
  let i = 0;
  // Before the command: the program's options, i.e. the globals.
  for (; i < userArgs.length && userArgs[i]!.startsWith('-'); i++) {
    const last = takeOption(GLOBALS, raw, userArgs, i);
    if (last === undefined) return undefined;
    i = last;
  }
  const command = userArgs[i++];
  if (command === undefined || !Object.hasOwn(COMMANDS, command)) return undefined;
  const spec: { options: OptionTable; operands: string } = COMMANDS[command as FastCommandName];
  for (; i < userArgs.length; i++) {
    const arg = userArgs[i]!;
    if (arg === '--') {
      operands.push(...userArgs.slice(i + 1));
      break;
    }
    if (arg.startsWith('-') && arg !== '-') {
      const last = takeOption(GLOBALS, raw, userArgs, i) ?? takeOption(spec.options, flags, userArgs, i);
      if (last === undefined) return undefined;
      i = last;
      continue;
    }
    if (spec.operands === 'argv') {
      operands.push(...userArgs.slice(i));
      break;
    }
    operands.push(arg);
  }
  const most = spec.operands === 'none' ? 0 : spec.operands === 'one' ? 1 : Infinity;
  if (operands.length > most) return undefined;
  // Direct-to-agent mode (MO_AGENT_ADDR alone) is the full command line's.
  if (!raw.scheduler && env.MO_AGENT_ADDR && !env.MO_SCHEDULER_ADDR) return undefined;
  return { command: command as FastCommandName, raw: raw as RawGlobals, operands, flags };
}

/** Runs the command if the fast path takes it; undefined means "use the full command line". */
export async function fastPath(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
  options: { cwd?: string; wirePool?: WirePool } = {},
): Promise<ExitCode | undefined> {
  const parsed = parseFast(argv.slice(2), env);
  if (!parsed) return undefined;
  const ctx = new CliContext(io, env);
  ctx.argv = argv;
  ctx.cwd = options.cwd;
  ctx.wirePool = options.wirePool;
  ctx.command = parsed.command;
  configureColour(colourWanted(isTTY(io.stdout), env));
  const { flags, operands } = parsed;
  try {
    const globals = ctx.resolveRaw(parsed.raw);
    // Each command's code is loaded only when it runs (the bundle initialises its parts lazily).
    switch (parsed.command) {
      case 'nodes': {
        const { listNodes } = await import('./commands/nodes.js');
        await listNodes(ctx, globals);
        break;
      }
      case 'status': {
        const [{ schedulerStatus, MAX_RECENT }, { parseCount }] = await Promise.all([
          import('./commands/status.js'),
          import('./flags.js'),
        ]);
        const recent =
          flags.recent === undefined ? undefined : parseCount(flags.recent as string, '--recent', MAX_RECENT);
        await schedulerStatus(ctx, globals, operands[0], recent);
        break;
      }
      case 'ps': {
        const { runPs } = await import('./commands/ps.js');
        await runPs(ctx, globals, flags);
        break;
      }
      case 'start': {
        const { runStart } = await import('./commands/start.js');
        await runStart(ctx, globals, operands, flags);
        break;
      }
      case 'stop': {
        const { runStop } = await import('./commands/stop.js');
        await runStop(ctx, globals, operands, flags);
        break;
      }
    }
    return ExitCode.Ok;
  } catch (err) {
    const { reportFailure } = await import('./report.js');
    return reportFailure(err, ctx, argv);
  }
}

/**
 * Serves `mo` calls handed over by the front (native/mo-front.c) on the Unix socket at
 * `socketPath` until idle (src/helper/). Loaded only by the helper process.
 */
export async function serveHelper(socketPath: string, env: NodeJS.ProcessEnv): Promise<void> {
  const { serve } = await import('./helper/server.js');
  await serve(socketPath, env);
}
