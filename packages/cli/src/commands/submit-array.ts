// `mo start --count N`: one SubmitWorkload for an array of N workloads (one group id; member i
// sees $MO_INDEX=i), printed as the group and its size; with --wait, every member is waited on and
// the exit code is the worst result (4 if any failed, was lost or stopped; 5 on --wait-timeout).
import type { ScheduledWorkload__Output, SubmitWorkloadRequest } from '@mo/api';
import type { WireSchedulerClient } from '@mo/api/wire';
import type { CliContext, GlobalOptions } from '../context.js';
import { ExitCode, WaitFailedError } from '../errors.js';
import { write, writeJson } from '../io.js';
import { renderWorkloadLine } from '../output/cluster.js';
import { countStates, summarizeStates, waitForGroup } from './group-wait.js';
import type { WaitFor } from './start.js';

/** Failed members named in the error message, at most (the rest: `mo ps --group`). */
const FAILED_SHOWN = 5;

export async function submitArrayAndWait(
  ctx: CliContext,
  globals: GlobalOptions,
  client: Pick<WireSchedulerClient, 'submitWorkload' | 'watch' | 'listAllWorkloads'>,
  req: SubmitWorkloadRequest,
  wait: { until: WaitFor; timeoutMs: number | undefined } | undefined,
): Promise<void> {
  const res = await client.submitWorkload(req);
  const { groupId, workloadIds, existing } = res;
  if (!groupId) {
    // The idempotency key had created a single workload: that is the answer.
    if (!res.workload) throw new Error('the scheduler answered an array submit without a group');
    const { submitAndWait } = await import('./submit.js');
    return submitAndWait(ctx, globals, client, { ...req, count: 0 }, wait);
  }
  const note = existing ? ' (already submitted with this idempotency key)' : '';
  const head = `${groupId} array of ${workloadIds.length} workloads`;
  if (!wait) {
    await (globals.json
      ? writeJson(ctx.io, { groupId, workloadIds, existing })
      : write(ctx.io.stdout, `${head}${note}\n`));
    return;
  }
  let shown = '';
  const progress = (members: readonly ScheduledWorkload__Output[]) => {
    const now = summarizeStates(members);
    if (globals.json || now === shown) return;
    shown = now;
    ctx.io.stderr.write(`waiting: ${groupId} ${now}\n`);
  };
  const { members, failed } = await waitForGroup(client, groupId, wait.until, wait.timeoutMs, progress);
  await (globals.json
    ? writeJson(ctx.io, {
        groupId,
        workloadIds,
        existing,
        states: countStates(members),
        failed: failed.map((w) => w.id),
      })
    : write(ctx.io.stdout, `${head}: ${summarizeStates(members)}${note}\n`));
  if (failed.length > 0) {
    const wanted = wait.until === 'exit' ? 'succeed' : 'run';
    const named = failed
      .slice(0, FAILED_SHOWN)
      .map((w) => `  [${w.groupIndex}] ${renderWorkloadLine(w).trimEnd()}`)
      .join('\n');
    const more =
      failed.length > FAILED_SHOWN ? `\n  … and ${failed.length - FAILED_SHOWN} more (mo ps --group ${groupId})` : '';
    throw new WaitFailedError(
      `${failed.length} of ${members.length} workloads of array ${groupId} did not ${wanted}:\n${named}${more}`,
      ExitCode.WorkloadFailed,
    );
  }
}
