// A client's stop of a workload: marked at once (never restarted from then on), stopped at once if
// it was never placed, else its node is asked to stop the allocation (after an in-flight start)
// and the node's answer is folded in. A node that is down or no longer knows it cannot hold the
// stop up: the workload counts as stopped, and its copy is fenced if the node returns.
import * as grpc from '@grpc/grpc-js';
import { NodeUnreachableError, UnavailableError, tidyConnectError } from '@mo/api';
import type { NodeTable } from '../registry/nodes.js';
import { codeOf, type AgentDirectory } from './agent-calls.js';
import type { WorkloadBook } from './book.js';
import type { Clock } from './clock.js';
import { onAgentStatus, onStopRequest, onStopUnreachable, type Random } from './lifecycle.js';
import { TERMINAL_STATES, type WorkloadRecord } from './record.js';

export interface StopOptions {
  nodes: Pick<NodeTable, 'get'>;
  agents: AgentDirectory;
  clock: Clock;
  random: Random;
}

/** Stops r and resolves once it has ended (or at once when it never started). */
export async function stopWorkload(
  book: WorkloadBook,
  o: StopOptions,
  r: WorkloadRecord,
  graceMs: number,
): Promise<WorkloadRecord> {
  const verdict = onStopRequest(r, o.clock.now());
  if (verdict.kind === 'done') return r;
  book.apply(r, verdict.step);
  if (verdict.kind === 'stopped') return r;
  const { allocationId, nodeId } = r;
  await book.starting.get(allocationId);
  if (TERMINAL_STATES.has(r.state) || r.allocationId !== allocationId) return r;
  const node = o.nodes.get(nodeId);
  if (!node || node.state !== 'up') {
    book.apply(r, onStopUnreachable(r, 'node-down', o.clock.now(), o.random));
    return r;
  }
  try {
    const status = await o.agents.get(node).stopWorkload(allocationId, graceMs || r.spec.gracePeriodMs);
    book.apply(r, onAgentStatus(r, status, o.clock.now(), o.random));
  } catch (err) {
    if (codeOf(err) === grpc.status.NOT_FOUND) {
      book.apply(r, onStopUnreachable(r, 'not-found', o.clock.now(), o.random));
    } else {
      const why =
        err instanceof UnavailableError
          ? tidyConnectError(err.message.replace(`${err.address}: `, ''))
          : (err as Error).message;
      throw new NodeUnreachableError(
        r.nodeName,
        node.address,
        `could not stop ${r.id} there (${why}); it is stopped when the node reconnects`,
      );
    }
  }
  return r;
}
