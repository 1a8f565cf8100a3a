// `mo pipeline run|status|list|watch|cancel|approve|logs`: the Pipelines service of the scheduler.
// `run --wait` follows the pipeline's events: a live step table on a terminal, one plain line per
// event otherwise, and the exit code is the pipeline's result (0 succeeded, 4 failed/cancelled).
import type { Pipeline__Output, PipelineClient, PipelineState } from '@mo/api';
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { addGlobalOptions, type CliContext } from '../context.js';
import { ExitCode, UsageError, WaitFailedError } from '../errors.js';
import { parseCount } from '../flags.js';
import { write, writeJson } from '../io.js';
import { buildLogsRequest, type LogsFlags } from './logs.js';

const STATES = ['pending', 'running', 'awaiting_approval', 'compensating', 'succeeded', 'failed', 'cancelled'];
/** The states a pipeline ends in (event states are already lower-case names). */
const ENDED = new Set(['succeeded', 'failed', 'cancelled']);

function readSpec(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new UsageError(
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      'FILE',
    );
  }
}

export function registerPipeline(program: Command, ctx: CliContext): void {
  const pipeline = program
    .command('pipeline')
    .summary('run and follow pipelines (DAGs of steps)')
    .description(
      'Pipelines: a YAML/JSON spec of steps with needs, retries, timeouts, approval gates and ' +
        'compensations, each step a workload placed on the cluster.',
    );

  const run = pipeline
    .command('run')
    .summary('submit a pipeline spec')
    .argument('<file>', 'the spec, YAML or JSON (- for stdin)')
    .option('--wait', 'follow it until it ends; exit 0 if it succeeded, 4 if it failed or was cancelled')
    .option('--idempotency-key <key>', 'a retried run with the same key returns the first pipeline');
  addGlobalOptions(run).action(
    async (file: string, flags: { wait?: boolean; idempotencyKey?: string }, self: Command) => {
      const globals = ctx.resolve(self);
      const spec = readSpec(file);
      await ctx.withPipelines(globals, async (client) => {
        const res = await client.submit({ spec, idempotencyKey: flags.idempotencyKey ?? '' });
        const p = res.pipeline!;
        if (!flags.wait) {
          await (globals.json
            ? writeJson(ctx.io, res)
            : write(ctx.io.stdout, `${p.id} ${p.name} ${stateOf(p)}${res.existing ? ' (existing)' : ''}\n`));
          return;
        }
        if (!globals.json) await write(ctx.io.stderr, `pipeline ${p.id} (${p.name}) submitted\n`);
        const final = await follow(ctx, client, p.id, globals.json);
        const { renderPipeline } = await import('../output/pipeline.js');
        await (globals.json ? writeJson(ctx.io, final) : write(ctx.io.stdout, renderPipeline(final)));
        if (stateOf(final) !== 'succeeded') {
          throw new WaitFailedError(`pipeline ${final.id} ${stateOf(final)}: ${final.reason}`, ExitCode.WorkloadFailed);
        }
      });
    },
  );

  const status = pipeline.command('status').summary('one pipeline: state, steps, compensations').argument('<id>');
  addGlobalOptions(status).action(async (id: string, _flags: object, self: Command) => {
    const globals = ctx.resolve(self);
    const p = await ctx.withPipelines(globals, (client) => client.get(id));
    const { renderPipeline } = await import('../output/pipeline.js');
    await (globals.json ? writeJson(ctx.io, p) : write(ctx.io.stdout, renderPipeline(p)));
  });

  const list = pipeline
    .command('list')
    .summary('pipelines, newest first')
    .option('--state <state>', `only this state (${STATES.join('|')})`)
    .option('--name <name>', 'only pipelines with this name')
    .option('--limit <n>', 'at most n (default 100, up to 10000: fetched page by page)');
  addGlobalOptions(list).action(async (flags: { state?: string; name?: string; limit?: string }, self: Command) => {
    const globals = ctx.resolve(self);
    if (flags.state !== undefined && !STATES.includes(flags.state)) {
      throw new UsageError(`expected one of ${STATES.join(', ')}, got "${flags.state}"`, '--state');
    }
    const res = await ctx.withPipelines(globals, (client) =>
      client.listAll(
        {
          ...(flags.state ? { states: [`PIPELINE_STATE_${flags.state!.toUpperCase()}` as PipelineState] } : {}),
          name: flags.name ?? '',
        },
        (flags.limit === undefined ? 0 : parseCount(flags.limit, '--limit', 10_000)) || 100,
      ),
    );
    const { renderPipelineList } = await import('../output/pipeline.js');
    await (globals.json ? writeJson(ctx.io, res) : write(ctx.io.stdout, renderPipelineList(res.pipelines, res.total)));
  });

  const watch = pipeline
    .command('watch')
    .summary("print a pipeline's events (or every pipeline's) as they happen")
    .argument('[id]', 'one pipeline (ends with it); without it, every pipeline until Ctrl-C')
    .option('--after-seq <n>', 'first replay the retained events after this sequence number (default: all)');
  addGlobalOptions(watch).action(async (id: string | undefined, flags: { afterSeq?: string }, self: Command) => {
    const globals = ctx.resolve(self);
    const afterSeq = flags.afterSeq === undefined ? 0 : parseCount(flags.afterSeq, '--after-seq');
    const { renderEventLine } = await import('../output/pipeline.js');
    await ctx.withPipelines(globals, async (client) => {
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      try {
        for await (const e of client.watch({ pipelineId: id ?? '', afterSeq }, abort.signal)) {
          await write(ctx.io.stdout, globals.json ? `${JSON.stringify(e)}\n` : renderEventLine(e));
          if (id && !e.stepId && ENDED.has(e.state)) break;
        }
      } finally {
        process.removeListener('SIGINT', stop);
        abort.abort();
      }
    });
  });

  const cancel = pipeline
    .command('cancel')
    .summary('stop its running steps (and compensate, if its spec says onCancel: compensate)')
    .argument('<id>')
    .option('--reason <text>', 'recorded on the pipeline');
  addGlobalOptions(cancel).action(async (id: string, flags: { reason?: string }, self: Command) => {
    const globals = ctx.resolve(self);
    const p = await ctx.withPipelines(globals, (client) =>
      client.cancel({ pipelineId: id, reason: flags.reason ?? '' }),
    );
    await (globals.json ? writeJson(ctx.io, p) : write(ctx.io.stdout, `${p.id} ${stateOf(p)}: ${p.reason}\n`));
  });

  const approve = pipeline
    .command('approve')
    .summary('approve (or --reject) a step waiting at its approval gate')
    .argument('<id>')
    .argument('<step>')
    .option('--reject', 'reject it instead: the pipeline fails (and compensates)')
    .option('--reason <text>', 'why (recorded with who decided: your token or certificate, not a name you type)');
  addGlobalOptions(approve).action(
    async (id: string, step: string, flags: { reject?: boolean; reason?: string }, self: Command) => {
      const globals = ctx.resolve(self);
      const p = await ctx.withPipelines(globals, (client) =>
        client.approve({ pipelineId: id, stepId: step, reject: flags.reject === true, reason: flags.reason ?? '' }),
      );
      await (globals.json
        ? writeJson(ctx.io, p)
        : write(
            ctx.io.stdout,
            `${p.id} step ${step} ${flags.reject ? 'rejected' : 'approved'}; pipeline ${stateOf(p)}\n`,
          ));
    },
  );

  const logs = pipeline
    .command('logs')
    .summary("print a step's output (its latest attempt)")
    .argument('<id>')
    .argument('<step>')
    .option('-f, --follow', 'keep streaming until the step ends')
    .option('--tail <n>', 'start with the last n lines of each stream')
    .option('--stdout', 'only the stdout stream')
    .option('--stderr', 'only the stderr stream');
  addGlobalOptions(logs).action(async (id: string, step: string, flags: LogsFlags, self: Command) => {
    const globals = ctx.resolve(self);
    const { stream, tailLines, follow: followLogs } = buildLogsRequest(id, flags);
    const abort = new AbortController();
    const stop = () => abort.abort();
    if (followLogs) process.once('SIGINT', stop);
    try {
      await ctx.withPipelines(globals, async (client) => {
        const req = { pipelineId: id, stepId: step, stream: stream!, tailLines: tailLines!, follow: followLogs! };
        for await (const chunk of client.stepLogs(req, abort.signal)) {
          await write(chunk.stream === 'LOG_STREAM_STDERR' ? ctx.io.stderr : ctx.io.stdout, chunk.data);
        }
      });
    } finally {
      process.removeListener('SIGINT', stop);
    }
  });
}

/** output/pipeline.ts's pipelineStateName, kept here so plain answers do not load the renderers. */
function stateOf(p: Pipeline__Output): string {
  return p.state.replace('PIPELINE_STATE_', '').toLowerCase();
}

/** Follows a pipeline to its end: a live table on a terminal, plain event lines otherwise. */
async function follow(ctx: CliContext, client: PipelineClient, id: string, json: boolean): Promise<Pipeline__Output> {
  const { renderEventLine, renderSteps } = await import('../output/pipeline.js');
  const tty = !json && (ctx.io.stdout as { isTTY?: boolean }).isTTY === true;
  let drawn = 0;
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  try {
    for await (const e of client.watch({ pipelineId: id }, abort.signal)) {
      if (tty && e.pipeline) {
        const table = renderSteps(e.pipeline);
        // Move up over the previous table and clear to the end of the screen, then redraw.
        await write(ctx.io.stdout, `${drawn ? `\x1b[${drawn}A\x1b[J` : ''}${table}`);
        drawn = table.split('\n').length - 1;
      } else if (!json) {
        await write(ctx.io.stderr, renderEventLine(e));
      }
      if (!e.stepId && ENDED.has(e.state)) break;
    }
  } finally {
    process.removeListener('SIGINT', stop);
    abort.abort();
  }
  if (tty && drawn) await write(ctx.io.stdout, `\x1b[${drawn}A\x1b[J`);
  return client.get(id);
}
