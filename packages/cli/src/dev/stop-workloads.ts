// Stopping the dev cluster's workloads through the daemons' APIs, gracefully (each workload's own
// grace period), before the daemons stop: through the scheduler when it is up, so it neither
// restarts nor re-places them; then through each agent directly for whatever still runs there (the
// scheduler was dead or restarting, or never knew it). What neither reaches, reaper.ts kills.
import type { ClientOptions, SchedulerClient, WorkloadState } from '@mo/api';

/** Generous: a stop waits for the workload's grace period. */
const STOP_DEADLINE_MS = 15_000;

/** Unknown too: a node that cannot be heard from; the scheduler stops its copies when it returns. */
const ACTIVE_ON_SCHEDULER: WorkloadState[] = [
  'WORKLOAD_STATE_PENDING',
  'WORKLOAD_STATE_STARTING',
  'WORKLOAD_STATE_RUNNING',
  'WORKLOAD_STATE_UNKNOWN',
];
const ACTIVE_ON_AGENT = new Set<string>(['WORKLOAD_STATE_STARTING', 'WORKLOAD_STATE_RUNNING']);

export async function stopThroughScheduler(client: SchedulerClient, log: (line: string) => void): Promise<void> {
  const { workloads } = await client.listAllWorkloads({ states: ACTIVE_ON_SCHEDULER, omitEvents: true });
  if (workloads.length === 0) return;
  log(`mo dev: stopping ${workloads.length} workload(s)`);
  const results = await Promise.allSettled(workloads.map((w) => client.stopWorkload(w.id)));
  const failed = results.filter((r) => r.status === 'rejected').length;
  if (failed > 0) log(`mo dev: ${failed} workload(s) did not stop cleanly through the scheduler`);
}

/** `credentials`: the scheduler's certificate (an agent serves NodeAgent to it alone). */
export async function stopThroughAgent(
  name: string,
  address: string,
  credentials: Pick<ClientOptions, 'tls' | 'insecure'>,
  log: (line: string) => void,
): Promise<void> {
  const { AgentClient } = await import('@mo/api');
  const peer = { kind: 'agent' as const, node: name };
  const client = new AgentClient(address, {
    ...credentials,
    ...(credentials.tls ? { peer } : {}),
    deadlineMs: STOP_DEADLINE_MS,
  });
  try {
    const { workloads } = await client.getFullNodeStatus();
    const ids = workloads.filter((w) => ACTIVE_ON_AGENT.has(w.state) && w.spec?.id).map((w) => w.spec!.id);
    if (ids.length === 0) return;
    log(`mo dev: stopping ${ids.length} workload(s) on ${name} directly`);
    const results = await Promise.allSettled(ids.map((id) => client.stopWorkload(id)));
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed > 0) log(`mo dev: ${failed} workload(s) on ${name} did not stop cleanly`);
  } finally {
    client.close();
  }
}
