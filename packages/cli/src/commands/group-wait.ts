// Waiting on a workload array (a group): every member until each runs or ends, the answer being the
// worst. For `mo start --count N --wait` and `mo wait GROUP`. The Watch is opened first (live, whole
// cluster: a Watch filters by one workload only), then the group is listed, so no change falls
// between the two; each member's verdict is final once seen, so the order of list and events does
// not matter. A stream cut off (a slow reader), broken (a failover) or closed is reopened and the
// group listed again.
import type { ClusterEvent__Output, ScheduledWorkload__Output } from '@mo/api';
import type { WireSchedulerClient } from '@mo/api/wire';
import { ExitCode, WaitFailedError } from '../errors.js';
import { stateName } from '../output/format.js';
import type { WaitFor } from './start.js';
import { judge } from './submit.js';
import { waitLimit } from './wait-limit.js';
import { WatchReopens } from './watch-reopen.js';

/** What waiting on a group needs of a scheduler client (the full one and the wire one both have it). */
export type GroupClient = Pick<WireSchedulerClient, 'watch' | 'listAllWorkloads'>;

export interface GroupOutcome {
  groupId: string;
  /** Every member as last seen (the one that decided its verdict), by index. */
  members: ScheduledWorkload__Output[];
  /** Those that did not get what was waited for (failed, lost, stopped). */
  failed: ScheduledWorkload__Output[];
}

/** Every member of the group still kept, by index (follows next_page_token). */
export async function listGroup(client: Pick<GroupClient, 'listAllWorkloads'>, groupId: string) {
  const { workloads } = await client.listAllWorkloads({ groupId, omitEvents: true });
  return workloads.sort((a, b) => a.groupIndex - b.groupIndex);
}

/** Members by state name ("succeeded" -> 48), in the order states first appear by index. */
export function countStates(members: readonly Pick<ScheduledWorkload__Output, 'state'>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const w of members) counts[stateName(w.state)] = (counts[stateName(w.state)] ?? 0) + 1;
  return counts;
}

/** "48 succeeded, 2 failed". */
export function summarizeStates(members: readonly Pick<ScheduledWorkload__Output, 'state'>[]): string {
  return Object.entries(countStates(members))
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
}

/**
 * Waits until every member of `groupId` is judged (see `judge`). Rejects with
 * WaitFailedError(WaitTimeout) when `timeoutMs` passes first, and with an error when the group has
 * no member (unknown, or all retired). `onProgress` sees the members as they change.
 */
export async function waitForGroup(
  client: GroupClient,
  groupId: string,
  until: WaitFor,
  timeoutMs: number | undefined,
  onProgress: (members: readonly ScheduledWorkload__Output[]) => void = () => {},
): Promise<GroupOutcome> {
  const latest = new Map<string, ScheduledWorkload__Output>();
  const decided = new Set<string>();
  const see = (w: ScheduledWorkload__Output): boolean => {
    if (decided.has(w.id)) return false;
    latest.set(w.id, w);
    if (judge(w, until)) decided.add(w.id);
    return true;
  };
  const done = () => decided.size === latest.size;
  const limit = waitLimit(timeoutMs);
  const reopens = new WatchReopens();
  try {
    while (!limit.signal.aborted) {
      reopens.opened();
      const events = client.watch({}, limit.signal)[Symbol.asyncIterator]();
      let failure: unknown;
      try {
        // The first message (caught_up) says the stream is live: list only then.
        const first = await events.next();
        if (!first.done) {
          const members = await listGroup(client, groupId);
          if (latest.size === 0 && members.length === 0) throw new Error(`no workloads in array ${groupId}`);
          for (const w of members) see(w);
          onProgress([...latest.values()]);
          if (done()) return outcome(groupId, latest, until);
          for (let ev = await events.next(); !ev.done; ev = await events.next()) {
            const w = (ev.value as ClusterEvent__Output).workload;
            if (!w || w.groupId !== groupId || !latest.has(w.id) || !see(w)) continue;
            onProgress([...latest.values()]);
            if (done()) return outcome(groupId, latest, until);
          }
        }
      } catch (err) {
        failure = err;
      } finally {
        await events.return?.(undefined);
      }
      // Closed or broken (a failover, a slow reader cut off): reopen and list again (watch-reopen.ts).
      await reopens.after(failure, limit.signal);
    }
  } catch (err) {
    if (!limit.timedOut()) throw err;
  } finally {
    limit.cancel();
  }
  const left = [...latest.values()].filter((w) => !decided.has(w.id));
  throw new WaitFailedError(
    `gave up waiting for array ${groupId} after ${timeoutMs} ms: ${left.length} of ${latest.size} not done (${summarizeStates(left)})`,
    ExitCode.WaitTimeout,
  );
}

function outcome(groupId: string, latest: Map<string, ScheduledWorkload__Output>, until: WaitFor): GroupOutcome {
  const members = [...latest.values()].sort((a, b) => a.groupIndex - b.groupIndex);
  return { groupId, members, failed: members.filter((w) => judge(w, until) === 'failed') };
}
