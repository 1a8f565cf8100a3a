// `mo stop REF… | --label k=v… | --name N [--grace D] [--yes]`: StopScheduledWorkload for each
// workload (or StopWorkload on one agent with --agent, exact ids), a few at once; each call
// returns once its workload has ended, and its final state is printed.
import type { ScheduledWorkload__Output } from '@mo/api';
import type { WireSchedulerClient } from '@mo/api/wire';
import type { Command } from 'commander';
import { addGlobalOptions, type CliContext, type GlobalOptions } from '../context.js';
import { ExitCode, SomeFailedError, UsageError } from '../errors.js';
import { collect, parseDuration, parseLabels } from '../flags.js';
import { write, writeJson } from '../io.js';
import { confirm, isInteractive, shouldConfirm } from '../prompt.js';
import { LIVE_STATES } from '../refs/match.js';
import { mapBounded, resolveWorkloadId } from '../refs/resolve.js';

export interface StopFlags {
  grace?: string;
  label?: string[];
  name?: string;
  yes?: boolean;
}

/** Stop calls in flight at once: each holds a call open until its workload has ended. */
const CONCURRENT_STOPS = 8;

/** What to stop: the workloads references name, or every live one the selectors match. */
export type StopTarget =
  | { readonly kind: 'refs'; readonly refs: readonly string[] }
  | { readonly kind: 'select'; readonly labels: Record<string, string>; readonly name?: string };

export function planStop(refs: readonly string[], flags: StopFlags): StopTarget {
  const selectors = (flags.label?.length ?? 0) > 0 || flags.name !== undefined;
  if (refs.length > 0 && selectors) {
    throw new UsageError(
      'give workload ids or selectors (--label, --name), not both',
      flags.name ? '--name' : '--label',
    );
  }
  if (refs.length > 0) return { kind: 'refs', refs };
  if (!selectors) throw new UsageError('give one or more workload ids, or --label k=v / --name N', 'id');
  if (flags.name === '') throw new UsageError('is empty', '--name');
  return {
    kind: 'select',
    labels: parseLabels(flags.label ?? []),
    ...(flags.name !== undefined ? { name: flags.name } : {}),
  };
}

/** How one stop went. */
export type StopOutcome =
  | { readonly ok: true; readonly workload: ScheduledWorkload__Output }
  | { readonly ok: false; readonly id: string; readonly error: unknown };

export function registerStop(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('stop')
    .summary('stop workloads (SIGTERM, grace, SIGKILL)')
    .description(
      'Stop workloads: SIGTERM to the process group on its node, then SIGKILL after the grace period. ' +
        'A pending workload is just cancelled. Returns once they have ended, a line each.\n\n' +
        'Name them by id, unique id prefix (6+ characters) or the name of a live workload (several at once), ' +
        'or select every live workload with --label (all must match) and/or --name. Asks before stopping ' +
        'more than one when run at a terminal (--yes: do not ask); off a terminal (a script) it does not ask. ' +
        'Up to 8 are stopped at once. If any stop fails, the others still go ahead; the exit code is the ' +
        "first failure's (1 refused or not found, 3 unreachable); nothing matching the selectors is not an error. " +
        '--json: the workload for one id given, else {"workloads": [...], "failed": [{"id", "code", "message"}]}. ' +
        '--agent: one exact id.',
    )
    .argument('[id...]', 'workload ids, id prefixes or names')
    .option('--label <k=v>', 'every live workload with this label (repeatable: all must match)', collect)
    .option('--name <name>', 'every live workload with this name')
    .option('-y, --yes', 'do not ask before stopping more than one')
    .option('--grace <duration>', "override the workloads' grace period (10s, 500ms)");
  addGlobalOptions(cmd).action(async (refs: string[], flags: StopFlags, self: Command) => {
    await runStop(ctx, ctx.resolve(self), refs, flags);
  });
}

/** `mo stop` (the fast path's too): on the scheduler over the wire client, or on one agent. */
export async function runStop(
  ctx: CliContext,
  globals: GlobalOptions,
  refs: readonly string[],
  flags: StopFlags,
): Promise<void> {
  const target = planStop(refs, flags);
  const graceMs = flags.grace === undefined ? 0 : parseDuration(flags.grace, '--grace');
  if (globals.target.kind === 'agent') return stopOnAgent(ctx, globals, target, graceMs);
  const { renderWorkloadLine } = await import('../output/cluster.js');
  await ctx.withSchedulerWire(globals, async (client) => {
    if (target.kind === 'refs' && target.refs.length === 1) {
      // One workload: its failure is the command's, reported as any other error.
      const w = await client.stopWorkload(await resolveWorkloadId(client, target.refs[0]!), graceMs);
      return globals.json ? writeJson(ctx.io, w) : write(ctx.io.stdout, renderWorkloadLine(w));
    }
    const chosen = await selectWorkloads(client, target);
    if (chosen.length === 0) {
      ctx.io.stderr.write('mo stop: no live workload matches\n');
      return globals.json ? writeJson(ctx.io, { workloads: [], failed: [] }) : undefined;
    }
    if (shouldConfirm(chosen.length, flags.yes === true, isInteractive())) {
      ctx.io.stderr.write(chosen.map((c) => `  ${c.id}${c.name ? `  ${c.name}` : ''}\n`).join(''));
      if (!(await confirm(`stop ${chosen.length} workloads?`))) {
        throw new SomeFailedError('not confirmed: nothing stopped', ExitCode.Failed, 'CANCELLED');
      }
    }
    const outcomes = await mapBounded(chosen, CONCURRENT_STOPS, async ({ id }): Promise<StopOutcome> => {
      try {
        const stopped = await client.stopWorkload(id, graceMs);
        if (!globals.json) await write(ctx.io.stdout, renderWorkloadLine(stopped));
        return { ok: true, workload: stopped };
      } catch (error) {
        if (!globals.json) ctx.io.stderr.write(`mo stop: ${id}: ${(error as Error).message}\n`);
        return { ok: false, id, error };
      }
    });
    const failed = await describeFailed(outcomes);
    if (globals.json) {
      await writeJson(ctx.io, { workloads: outcomes.flatMap((o) => (o.ok ? [o.workload] : [])), failed });
    }
    const first = failed[0];
    if (first) {
      throw new SomeFailedError(
        `${failed.length} of ${outcomes.length} workloads were not stopped`,
        first.exitCode,
        first.code,
      );
    }
  });
}

/** The workloads to stop: ids for references (exact ids need no call), records for selectors. */
async function selectWorkloads(
  client: WireSchedulerClient,
  target: StopTarget,
): Promise<{ id: string; name?: string }[]> {
  if (target.kind === 'refs') {
    const ids = await mapBounded(target.refs, CONCURRENT_STOPS, (ref) => resolveWorkloadId(client, ref));
    return [...new Set(ids)].map((id) => ({ id }));
  }
  const { workloads } = await client.listAllWorkloads({
    labels: target.labels,
    ...(target.name !== undefined ? { name: target.name } : {}),
    states: [...LIVE_STATES],
    omitEvents: true,
  });
  return workloads.map((w) => ({ id: w.id, name: w.spec?.name ?? '' }));
}

/** The failed stops, each as the error report would word it. */
async function describeFailed(
  outcomes: readonly StopOutcome[],
): Promise<{ id: string; code: string; message: string; exitCode: ExitCode }[]> {
  if (outcomes.every((o) => o.ok)) return [];
  const { describeFailure } = await import('../failure.js');
  return outcomes.flatMap((o) => {
    if (o.ok) return [];
    const f = describeFailure(o.error);
    return [{ id: o.id, code: f.code, message: f.message, exitCode: f.exitCode }];
  });
}

async function stopOnAgent(
  ctx: CliContext,
  globals: GlobalOptions,
  target: StopTarget,
  graceMs: number,
): Promise<void> {
  if (target.kind !== 'refs' || target.refs.length !== 1) {
    throw new UsageError('one exact workload id with --agent (selectors and several ids need the scheduler)', 'id');
  }
  const { renderStopped } = await import('../output/status.js');
  const w = await ctx.withAgent(globals, (client) => client.stopWorkload(target.refs[0]!, graceMs));
  await (globals.json ? writeJson(ctx.io, w) : write(ctx.io.stdout, renderStopped(w)));
}
