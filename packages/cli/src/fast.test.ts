// The fast path takes `mo [globals] (status [ID] | nodes | ps | start | stop) …` written plainly,
// and reads each command line it takes exactly as commander does (the same operands, options and
// resolved globals): checked here against the real commander tree, argv by argv. Everything else
// falls through to the full command line (which reports errors as always).
import { describe, expect, it } from '@jest/globals';
import type { Command } from 'commander';
import { Writable } from 'node:stream';
import { CliContext } from './context.js';
import { fastOptionNames, parseFast, type FastCommandName } from './fast.js';
import { buildProgram } from './main.js';

const GLOBAL_KEYS = ['json', 'scheduler', 'agent', 'timeout', 'caCert', 'clientCert', 'clientKey', 'token', 'insecure'];

function nullIo() {
  const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
  return { stdout: sink(), stderr: sink() };
}

/** What commander makes of `args`: the command, its operands, its own options, the globals. */
async function commanderReads(args: readonly string[]) {
  const ctx = new CliContext(nullIo(), {});
  const program = buildProgram(ctx);
  let got: unknown;
  for (const cmd of program.commands) {
    cmd.action((...params: unknown[]) => {
      const self = params[params.length - 1] as Command;
      const opts = Object.fromEntries(Object.entries(self.opts()).filter(([k]) => !GLOBAL_KEYS.includes(k)));
      const operands = (self.processedArgs as unknown[]).flat().filter((a) => a !== undefined);
      got = { command: self.name(), operands, flags: opts, globals: ctx.resolve(self) };
    });
  }
  await program.parseAsync(['node', 'mo', ...args]);
  return got;
}

function fastReads(args: readonly string[]) {
  const parsed = parseFast(args, {});
  if (!parsed) return undefined;
  const globals = new CliContext(nullIo(), {}).resolveRaw(parsed.raw);
  return { command: parsed.command, operands: parsed.operands, flags: parsed.flags, globals };
}

/** Command lines the fast path must take, each read as commander reads it. */
const TAKEN: string[][] = [
  ['status'],
  ['nodes', '--json'],
  ['--scheduler', 'h:1', 'status', 'W1'],
  ['status', '--recent=5', '--timeout', '2s', '--scheduler=h:2'],
  ['status', '--recent', 'x'],
  ['nodes', '--token', 'mo_t'],
  ['--token=mo_t', 'status', 'W1'],
  ['--scheduler', 'a:1', 'status', '--scheduler', 'b:2'],
  ['ps'],
  ['ps', '-a'],
  ['ps', '--all', '--json', '--state', 'running,pending', '--state=lost', '--label', 'a=b', '--label', 'c=d'],
  ['ps', '--node', 'dev-0', '--name', 'web', '--group', '01M8TEJVMH41JT8JEVEHYSP09Z'],
  ['--insecure', 'ps', '--ca-cert', 'ca.pem', '--client-cert', 'c.pem', '--client-key', 'k.pem'],
  ['start', '--', '/bin/true'],
  ['start', '/bin/true'],
  ['start', 'ls', '-l', '--json'],
  ['start', 'ls', '--', '-x'],
  ['start', '--wait', '--', 'true'],
  ['start', '--wait=exit', '--wait-timeout', '5s', '--', 'true'],
  ['start', '--json', '--wait', '--name', 'x', '--', 'true'],
  ['start', '--wait', '--json', 'sh', '-c', 'exit 3'],
  [
    'start',
    '--name=web',
    '--cpu',
    '0.5',
    '--memory',
    '1Gi',
    '--env',
    'A=1',
    '--env=B=2',
    '--label',
    'k=v',
    '--constraint',
    'zone=a',
    '--node',
    'n1',
    '--restart',
    'on-failure',
    '--max-restarts',
    '3',
    '--priority',
    'high',
    '--strategy',
    'spread',
    '--idempotency-key',
    'key-1',
    '--grace',
    '2s',
    '--run-timeout',
    '1m',
    '--lost-after',
    '0s',
    '--cwd',
    '/tmp',
    '--user',
    '1000:1000',
    '--pids',
    '64',
    '--',
    'sleep',
    '1',
  ],
  [
    'start',
    '--image',
    'mo-debian:12',
    '--network',
    'bridge',
    '--no-read-only',
    '--port',
    '80',
    '--port=443',
    '--mount',
    '/a:/b:ro',
    '--cap-add',
    'NET_ADMIN',
    '--allow-new-privileges',
    '--driver',
    'docker',
    'true',
  ],
  ['start', '--read-only', '--count', '5', '--', 'true'],
  ['stop', 'W1'],
  ['stop', 'W1', 'W2', '--yes', '--grace', '1s'],
  ['stop', '-y', '--label', 'a=b', '--name', 'n', '--json'],
  ['stop', '--', '-W1'],
];

/** Left to the full command line: not written as the fast path takes them, or not its commands. */
const LEFT: string[][] = [
  [],
  ['logs', 'W1'],
  ['status', '--help'],
  ['start', '--help'],
  ['-h'],
  ['status', '--agent', 'h:1'],
  ['start', '--agent', 'h:1', '--', 'true'],
  ['nodes', 'extra'],
  ['ps', 'extra'],
  ['status', 'a', 'b'],
  ['nodes', '--recent', '3'],
  ['status', '--scheduler'],
  ['status', '--timeout', '--json'],
  ['status', '--token'],
  ['status', '--token', '--json'],
  ['status', '--json=true'],
  ['status', '--unknown'],
  ['--', 'status'],
  ['ps', '-ay'],
  ['ps', '--all=1'],
  ['ps', '--name', ''],
  ['start', '--wait', 'exit', '--', 'true'],
  ['start', '--wait', 'true'],
  ['start', '--wait='],
  ['start', '--name', '--', 'true'],
  ['start', '--cpu'],
  ['start', '--bogus', '--', 'true'],
  ['stop', '--grace'],
  ['--json', '--agent', 'h:1', 'stop', 'W1'],
];

describe('parseFast', () => {
  it.each(TAKEN.map((a) => [a]))('reads %j as commander does', async (args) => {
    const fast = fastReads(args);
    expect(fast).toBeDefined();
    expect(fast).toEqual(await commanderReads(args));
  });

  it.each(LEFT.map((a) => [a]))('leaves %j to the full command line', (args) => {
    expect(parseFast(args, {})).toBeUndefined();
  });

  it.each(['status', 'nodes', 'ps', 'start', 'stop'] as FastCommandName[])(
    'knows every option of `mo %s` but --agent',
    (name) => {
      const cmd = buildProgram(new CliContext(nullIo(), {})).commands.find((c) => c.name() === name)!;
      const registered = cmd.options.flatMap((o) => [o.long, o.short]).filter((f) => f && f !== '--agent');
      expect(registered.length).toBeGreaterThanOrEqual(8);
      expect(fastOptionNames(name).sort()).toEqual([...registered].sort());
    },
  );

  it('leaves direct-to-agent mode (MO_AGENT_ADDR alone) to the full command line', () => {
    expect(parseFast(['status'], { MO_AGENT_ADDR: 'a:1' })).toBeUndefined();
    expect(parseFast(['start', 'true'], { MO_AGENT_ADDR: 'a:1' })).toBeUndefined();
    expect(parseFast(['status'], { MO_AGENT_ADDR: 'a:1', MO_SCHEDULER_ADDR: 's:1' })).toMatchObject({
      command: 'status',
      raw: {},
    });
    expect(parseFast(['--scheduler', 's:2', 'status'], { MO_AGENT_ADDR: 'a:1' })).toMatchObject({
      command: 'status',
      raw: { scheduler: 's:2' },
    });
  });
});
