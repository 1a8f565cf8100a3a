// `mo start [flags] -- cmd args…`: StartWorkload on the agent; argv is sent as a list, never as a shell string.
import type { WorkloadSpec } from '@mo/api';
import type { Command } from 'commander';
import { addGlobalOptions, type CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { collect, parseCpuMillis, parseDuration, parseEnv, parseLabels, parseSize } from '../flags.js';
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
}

/** Turns the command line into a spec; every flag error is thrown here, before any call. */
export function buildSpec(argv: readonly string[], flags: StartFlags): WorkloadSpec {
  if (argv.length === 0) throw new UsageError('missing command: mo start [flags] -- <command> [args...]');
  const spec: WorkloadSpec = { argv: [...argv] };
  if (flags.name !== undefined) spec.name = flags.name;
  if (flags.env) spec.env = parseEnv(flags.env);
  if (flags.cwd !== undefined) spec.workingDir = flags.cwd;
  if (flags.label) spec.labels = parseLabels(flags.label);
  const cpuMillis = flags.cpu === undefined ? undefined : parseCpuMillis(flags.cpu);
  const memoryBytes = flags.memory === undefined ? undefined : parseSize(flags.memory, '--memory');
  if (cpuMillis !== undefined || memoryBytes !== undefined) spec.resources = { cpuMillis, memoryBytes };
  if (flags.grace !== undefined) spec.gracePeriodMs = parseDuration(flags.grace, '--grace');
  return spec;
}

export function registerStart(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('start')
    .summary('start a workload on the agent')
    .description(
      'Start a workload. Everything after -- (or after the first argument) is its argv, passed verbatim: ' +
        'no shell is involved unless you run one (mo start -- sh -c "...").',
    )
    .argument('[command...]', 'the program to run and its arguments')
    // Flags after the command's first word belong to the command (`mo start ls -l`).
    .passThroughOptions()
    .option('--name <name>', 'human name ([a-z0-9][a-z0-9._-]*)')
    .option('--env <K=V>', 'environment variable (repeatable)', collect)
    .option('--cwd <dir>', 'working directory (absolute path on the agent host)')
    .option('--label <k=v>', 'label (repeatable)', collect)
    .option('--cpu <millis>', 'declared CPU in millicores (1000 = one core)')
    .option('--memory <size>', 'declared memory: bytes, or 512Mi, 1Gi, 1G')
    .option('--grace <duration>', 'time between SIGTERM and SIGKILL on stop (10s, 500ms)');
  addGlobalOptions(cmd).action(async (argv: string[], flags: StartFlags, self: Command) => {
    const globals = ctx.resolve(self);
    const spec = buildSpec(argv, flags);
    const w = await ctx.withAgent(globals, (client) => client.startWorkload(spec));
    await (globals.json ? writeJson(ctx.io, w) : write(ctx.io.stdout, renderStarted(w)));
  });
}
