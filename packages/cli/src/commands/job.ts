// Jobs (issue 17), on the scheduler's Jobs service: `mo run -f FILE [--wait]`, `mo job
// status|list|history|revert|stop|plan`, `mo jobs`, `mo scale NAME N` and `mo service info NAME`.
// The file's text is sent as it is: the scheduler parses and validates it (one schema, one set of
// field-named errors: packages/scheduler/src/jobs/README.md). Every command takes --json (the reply
// as it is); flag errors are thrown before anything is dialled.
import type { Job__Output, JobClient, ListJobsResponse__Output } from '@mo/api';
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { addGlobalOptions, type CliContext, type GlobalOptions } from '../context.js';
import { UsageError, WaitFailedError } from '../errors.js';
import { parseCount, parseDuration } from '../flags.js';
import { write, writeJson } from '../io.js';
import { DEFAULT_JOB_WAIT_MS } from './job-wait.js';

/** Most instances of a job (jobs.proto ScaleJobRequest.count); one workload array. */
export const MAX_JOB_COUNT = 10_000;
/** Most text in a job file (jobs.proto RunJobRequest.spec). */
export const MAX_JOB_FILE_BYTES = 256 * 1024;
/** Most jobs `mo job list` shows. */
const MAX_LIST = 10_000;

/** The job file's text; `-` reads stdin. A missing, unreadable, empty or too large file names -f. */
export function readJobFile(file: string | undefined, read: (f: string | 0) => string = readUtf8): string {
  if (file === undefined || file === '') throw new UsageError('needs a job file (YAML or JSON; - for stdin)', '-f');
  let text: string;
  try {
    text = read(file === '-' ? 0 : file);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new UsageError(`cannot read ${file}: ${why}`, '-f');
  }
  if (text.trim() === '') throw new UsageError(`${file === '-' ? 'stdin' : file} is empty`, '-f');
  if (Buffer.byteLength(text) > MAX_JOB_FILE_BYTES) {
    throw new UsageError(`${file} is larger than ${MAX_JOB_FILE_BYTES / 1024} KiB`, '-f');
  }
  return text;
}

function readUtf8(f: string | 0): string {
  return readFileSync(f, 'utf8');
}

/** A job name as given on the command line; the scheduler checks the rest (NOT_FOUND names it). */
export function parseJobName(name: string, arg = 'NAME'): string {
  if (name.trim() === '') throw new UsageError('is empty', arg);
  return name;
}

/** `mo job revert NAME VERSION`: a version number, 1 or more. */
export function parseVersion(value: string): number {
  const n = parseCount(value.replace(/^v/i, ''), 'VERSION', 2 ** 31 - 1);
  if (n < 1) throw new UsageError('must be at least 1 (mo job history NAME lists them)', 'VERSION');
  return n;
}

/** `mo scale NAME N`: 0..MAX_JOB_COUNT (0 keeps the job but stops its instances). */
export function parseScaleCount(value: string): number {
  return parseCount(value, 'N', MAX_JOB_COUNT);
}

export interface RunFlags {
  file?: string;
  wait?: boolean;
  waitTimeout?: string;
}

/** `--wait [--wait-timeout D]` → the bound of the wait (default DEFAULT_JOB_WAIT_MS); undefined without --wait. */
export function parseJobWait(flags: RunFlags): { timeoutMs: number } | undefined {
  if (!flags.wait) {
    if (flags.waitTimeout !== undefined) throw new UsageError('needs --wait', '--wait-timeout');
    return undefined;
  }
  if (flags.waitTimeout === undefined) return { timeoutMs: DEFAULT_JOB_WAIT_MS };
  const timeoutMs = parseDuration(flags.waitTimeout, '--wait-timeout');
  if (timeoutMs <= 0) throw new UsageError('must be greater than 0', '--wait-timeout');
  return { timeoutMs };
}

/** Every job, by name, at most `max` (follows next_page_token). */
export async function listAllJobs(client: Pick<JobClient, 'list'>, max = MAX_LIST): Promise<ListJobsResponse__Output> {
  const jobs: Job__Output[] = [];
  let pageToken = '';
  do {
    const page = await client.list({ pageSize: Math.min(1000, max - jobs.length), pageToken });
    jobs.push(...page.jobs);
    pageToken = page.nextPageToken;
  } while (pageToken && jobs.length < max);
  return { jobs: jobs.slice(0, max), nextPageToken: pageToken };
}

export function registerJobs(program: Command, ctx: CliContext): void {
  const run = program
    .command('run')
    .summary('run a job file (a service or a batch job): declarative, idempotent by job name')
    .description(
      'Makes the job file (YAML or JSON; -f - reads stdin) the current version of its job. A new name ' +
        'creates version 1; the same file again changes nothing; a changed file makes the next version and ' +
        'rolls it out (update: max_parallel at a time); a changed count alone scales. Prints what happened ' +
        'and the changes.\n\n--wait follows the deployment: exit 0 when it succeeded (a service: every ' +
        'instance healthy, or running without checks; a batch job: every instance done), 4 when it failed ' +
        '(or was reverted or stopped), 5 when --wait-timeout (default 10m) passed first.',
    )
    .requiredOption('-f, --file <file>', 'the job file, YAML or JSON (- for stdin)')
    .option('--wait', 'wait until the deployment ends')
    .option('--wait-timeout <duration>', 'give up waiting after this long (default 10m; exit 5)');
  addGlobalOptions(run).action(async (flags: RunFlags, self: Command) => {
    const globals = ctx.resolve(self);
    const wait = parseJobWait(flags);
    const spec = readJobFile(flags.file);
    await runJob(ctx, globals, spec, wait);
  });

  const job = program.command('job').summary('jobs: status, list, history, revert, stop, plan');

  const status = job.command('status').summary('a job: version, deployment, instances').argument('<name>');
  addGlobalOptions(status).action(async (name: string, _f: object, self: Command) => {
    const globals = ctx.resolve(self);
    const j = await ctx.withJobs(globals, (c) => c.get(parseJobName(name)));
    const { renderJob } = await import('../output/job.js');
    await (globals.json ? writeJson(ctx.io, j) : write(ctx.io.stdout, renderJob(j, Date.now())));
  });

  const listAction = async (_f: object, self: Command) => {
    const globals = ctx.resolve(self);
    const res = await ctx.withJobs(globals, (c) => listAllJobs(c));
    const { renderJobList } = await import('../output/job.js');
    await (globals.json ? writeJson(ctx.io, res) : write(ctx.io.stdout, renderJobList(res.jobs, Date.now())));
  };
  addGlobalOptions(job.command('list').summary('every job, by name')).action(listAction);
  addGlobalOptions(program.command('jobs').summary('every job, by name (mo job list)')).action(listAction);

  const history = job
    .command('history')
    .summary("a job's versions (newest first, with what each changed) and deployments")
    .argument('<name>');
  addGlobalOptions(history).action(async (name: string, _f: object, self: Command) => {
    const globals = ctx.resolve(self);
    const h = await ctx.withJobs(globals, (c) => c.history(parseJobName(name)));
    const { renderHistory } = await import('../output/job.js');
    await (globals.json ? writeJson(ctx.io, h) : write(ctx.io.stdout, renderHistory(name, h, Date.now())));
  });

  const revert = job
    .command('revert')
    .summary('make an earlier version current again (a new deployment of it)')
    .argument('<name>')
    .argument('<version>');
  addGlobalOptions(revert).action(async (name: string, version: string, _f: object, self: Command) => {
    const globals = ctx.resolve(self);
    const v = parseVersion(version);
    const j = await ctx.withJobs(globals, (c) => c.revert(parseJobName(name), v));
    await (globals.json ? writeJson(ctx.io, j) : write(ctx.io.stdout, await jobLine(j, `reverted to version ${v}`)));
  });

  const stop = job
    .command('stop')
    .summary('stop every instance; the job and its history stay (mo run -f starts it again)')
    .argument('<name>');
  addGlobalOptions(stop).action(async (name: string, _f: object, self: Command) => {
    const globals = ctx.resolve(self);
    const j = await ctx.withJobs(globals, (c) => c.stop(parseJobName(name)));
    await (globals.json ? writeJson(ctx.io, j) : write(ctx.io.stdout, await jobLine(j, 'stopped')));
  });

  const plan = job
    .command('plan')
    .summary('what mo run -f would change, and where new instances would go, without doing it')
    .requiredOption('-f, --file <file>', 'the job file, YAML or JSON (- for stdin)');
  addGlobalOptions(plan).action(async (flags: { file?: string }, self: Command) => {
    const globals = ctx.resolve(self);
    const spec = readJobFile(flags.file);
    const p = await ctx.withJobs(globals, (c) => c.plan(spec));
    const { renderPlan } = await import('../output/job.js');
    await (globals.json ? writeJson(ctx.io, p) : write(ctx.io.stdout, renderPlan(p)));
  });

  const scale = program
    .command('scale')
    .summary("set a job's count (no new version)")
    .argument('<name>')
    .argument('<n>', `instances, 0-${MAX_JOB_COUNT} (0 stops them, the job stays)`);
  addGlobalOptions(scale).action(async (name: string, n: string, _f: object, self: Command) => {
    const globals = ctx.resolve(self);
    const count = parseScaleCount(n);
    const j = await ctx.withJobs(globals, (c) => c.scale(parseJobName(name), count));
    await (globals.json ? writeJson(ctx.io, j) : write(ctx.io.stdout, await jobLine(j, `scaled to ${count}`)));
  });

  const service = program.command('service').summary("services' instances and where to reach them");
  const info = service
    .command('info')
    .summary("a service's healthy instances: node, address:port, health, version (--all: every one)")
    .argument('<name>')
    .option('--all', 'also instances that are not healthy (starting, unhealthy, not running)');
  addGlobalOptions(info).action(async (name: string, flags: { all?: boolean }, self: Command) => {
    const globals = ctx.resolve(self);
    const all = flags.all === true;
    const svc = await ctx.withJobs(globals, (c) => c.service({ name: parseJobName(name), all }));
    const { renderService } = await import('../output/job.js');
    await (globals.json ? writeJson(ctx.io, svc) : write(ctx.io.stdout, renderService(svc, all)));
  });
}

/** `job web: scaled to 5; deployment version 2 running: …`. */
async function jobLine(j: Job__Output, what: string): Promise<string> {
  const { deploymentText } = await import('../output/job.js');
  return `job ${j.name}: ${what}${j.deployment ? `; deployment ${deploymentText(j.deployment, j.type)}` : ''}\n`;
}

/**
 * RunJob, the answer printed, and with --wait the deployment followed (progress on stderr, the job
 * as it ended on stdout: one line, or {…RunJobResponse, job} as one JSON document).
 */
export async function runJob(
  ctx: CliContext,
  globals: GlobalOptions,
  spec: string,
  wait: { timeoutMs: number } | undefined,
): Promise<void> {
  const { renderRunResult, renderJob } = await import('../output/job.js');
  await ctx.withJobs(globals, async (jobs) => {
    const res = await jobs.run(spec);
    if (!wait) {
      await (globals.json ? writeJson(ctx.io, res) : write(ctx.io.stdout, renderRunResult(res)));
      return;
    }
    if (!res.job) throw new Error('the scheduler answered RunJob without a job');
    if (!globals.json) await write(ctx.io.stderr, renderRunResult(res));
    const { waitForJob, progressLine } = await import('./job-wait.js');
    const progress = (j: Job__Output) => {
      if (!globals.json) ctx.io.stderr.write(progressLine(j));
    };
    let final: Job__Output = res.job;
    try {
      final = await ctx.withScheduler(globals, (scheduler) =>
        waitForJob(
          { get: (name) => jobs.get(name), watch: (req, signal) => scheduler.watch(req, signal) },
          res.job!.name,
          res.job!.version,
          wait.timeoutMs,
          (j) => {
            final = j;
            progress(j);
          },
        ),
      );
    } catch (err) {
      // The job as last seen is the output either way; the error says why the wait failed.
      if (err instanceof WaitFailedError) {
        await (globals.json
          ? writeJson(ctx.io, { ...res, job: final })
          : write(ctx.io.stdout, renderJob(final, Date.now())));
      }
      throw err;
    }
    await (globals.json
      ? writeJson(ctx.io, { ...res, job: final })
      : write(ctx.io.stdout, renderJob(final, Date.now())));
  });
}
