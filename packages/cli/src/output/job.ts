// How jobs read in a terminal: what `mo run` did, `mo job status` (the job, its deployment and its
// instances), `mo job list`, `mo job history`, `mo job plan` and `mo service info`. Pure: the
// commands print what these return (and --json prints the replies as they are).
import type {
  Deployment__Output,
  Job__Output,
  JobChange__Output,
  JobHistoryResponse__Output,
  JobInstance__Output,
  JobPlan__Output,
  PortMapping__Output,
  RunJobResponse__Output,
  Service__Output,
} from '@mo/api';
import { paintState } from './colour.js';
import { humanDuration, stateName, timestamp, truncate } from './format.js';
import { healthName } from './health.js';
import { renderFields, renderTable } from './table.js';

/** A change's value as the scheduler sent it (JSON text), or `(none)` for an addition's `from`. */
function valueText(json: string): string {
  return json === '' ? '(none)' : truncate(json, 80);
}

/** `  count: 3 → 5`, one line per change, in the scheduler's order (spec order). */
export function renderChanges(changes: readonly JobChange__Output[], indent = '  '): string {
  return changes.map((c) => `${indent}${c.path}: ${valueText(c.from)} → ${valueText(c.to)}\n`).join('');
}

/**
 * `version 2 running: 3 desired, 2 placed, 1 healthy, 0 unhealthy` (a batch job's: `… 1 succeeded`),
 * then the reason when there is one.
 */
export function deploymentText(d: Deployment__Output, type = 'service'): string {
  const counts = [`${d.desired} desired`, `${d.placed} placed`, `${d.healthy} healthy`, `${d.unhealthy} unhealthy`];
  if (type === 'batch') counts.push(`${d.succeeded} succeeded`);
  return `version ${d.version} ${d.state || '-'}: ${counts.join(', ')}${d.reason ? ` (${d.reason})` : ''}`;
}

/** What `mo run -f` did: created, unchanged, a new version with its changes, or scaled. */
export function renderRunResult(res: RunJobResponse__Output): string {
  const job = res.job;
  const name = job?.name ?? '?';
  const version = job?.version ?? 0;
  const head = (() => {
    switch (res.kind) {
      case 'create':
        return `job ${name}: created version ${version} (${job?.type || 'service'}, count ${job?.count ?? 0})`;
      case 'none':
        return `job ${name}: unchanged (version ${version})`;
      case 'scale':
        return `job ${name}: scaled to ${job?.count ?? 0} (version ${version})`;
      case 'update':
        return `job ${name}: new version ${version}`;
      default:
        return `job ${name}: ${res.kind || (res.changed ? 'changed' : 'unchanged')} (version ${version})`;
    }
  })();
  const changes = res.kind === 'update' || res.kind === 'scale' ? renderChanges(res.changes) : '';
  // The reply may still carry the previous version's record (the new one starts just after).
  const d = job?.deployment;
  const deployment = d && res.changed && d.version === version ? `deployment ${deploymentText(d, job.type)}\n` : '';
  return `${head}\n${changes}${deployment}`;
}

/** `10.0.0.2:31000` for one named port; `http=10.0.0.2:31000, admin=10.0.0.2:31001` for several. */
export function addressText(host: string, ports: readonly PortMapping__Output[]): string {
  const named = ports.filter((p) => p.name);
  const at = (p: PortMapping__Output) => `${host || p.hostIp || '0.0.0.0'}:${p.hostPort}`;
  if (named.length === 0) return host || '-';
  if (named.length === 1) return at(named[0]!);
  return named.map((p) => `${p.name}=${at(p)}`).join(', ');
}

const ENDED = new Set([
  'WORKLOAD_STATE_SUCCEEDED',
  'WORKLOAD_STATE_FAILED',
  'WORKLOAD_STATE_STOPPED',
  'WORKLOAD_STATE_LOST',
]);

/** Not ended: it holds its ports (an ended one is listed as its index's last, not as reachable). */
function live(i: Pick<JobInstance__Output, 'state'>): boolean {
  return !ENDED.has(i.state);
}

/** A live instance's health; `-` for an ended one or one without checks. */
function instanceHealth(i: Pick<JobInstance__Output, 'health' | 'state'>): string {
  return (live(i) && healthName(i.health)) || '-';
}

/** `mo job status NAME`: the job, its latest deployment, then one row per instance by index. */
export function renderJob(job: Job__Output, now: number): string {
  const fields: [string, string][] = [
    ['name', job.name],
    ['type', job.type || 'service'],
    [
      'version',
      `${job.version}${job.lastGoodVersion && job.lastGoodVersion !== job.version ? ` (last good: ${job.lastGoodVersion})` : ''}`,
    ],
    ['count', String(job.count)],
    ['state', job.stopped ? 'stopped (mo run -f starts it again)' : jobState(job)],
    ['instances', `${job.running} running, ${job.healthy} healthy, ${job.pending} pending`],
    ['deployment', job.deployment ? deploymentText(job.deployment, job.type) : '-'],
  ];
  const d = job.deployment;
  if (d?.startedAtMs) {
    const took = d.endedAtMs ? `, took ${humanDuration(d.endedAtMs - d.startedAtMs)}` : '';
    fields.push(['deployed', `${timestamp(d.startedAtMs, now)}${took}`]);
  }
  fields.push(['created', timestamp(job.createdAtMs, now)]);
  fields.push(['updated', timestamp(job.updatedAtMs, now)]);
  return `${renderFields(fields)}\nINSTANCES\n${renderInstances(job.instances)}`;
}

/** `running`, `deploying`, `failed`: the job in one word, from its deployment. */
function jobState(job: Job__Output): string {
  const d = job.deployment;
  if (!d) return 'no deployment';
  if (d.state === 'running') return job.type === 'batch' ? 'running' : 'deploying';
  if (d.state === 'succeeded') return job.type === 'batch' ? 'complete' : 'running';
  return d.state;
}

export function renderInstances(instances: readonly JobInstance__Output[]): string {
  if (instances.length === 0) return 'no instances\n';
  const sorted = [...instances].sort((a, b) => a.index - b.index || a.version - b.version);
  return renderTable(
    [
      { header: 'INDEX', align: 'right' },
      { header: 'WORKLOAD' },
      { header: 'VERSION', align: 'right' },
      { header: 'STATE' },
      { header: 'HEALTH' },
      { header: 'NODE' },
      { header: 'ADDRESS' },
      { header: 'REASON' },
    ],
    sorted.map((i) => [
      String(i.index),
      i.workloadId,
      String(i.version),
      paintState(stateName(i.state)),
      instanceHealth(i),
      i.nodeName || '-',
      i.nodeName && live(i) ? addressText(i.host, i.ports) : '-',
      // A running one's reason only repeats its state and node.
      i.state === 'WORKLOAD_STATE_RUNNING' ? '' : truncate(i.reason, 50),
    ]),
  );
}

/** `mo job list`: one row per job, by name. */
export function renderJobList(jobs: readonly Job__Output[], now: number): string {
  if (jobs.length === 0) return 'no jobs (mo run -f FILE makes one)\n';
  return renderTable(
    [
      { header: 'NAME' },
      { header: 'TYPE' },
      { header: 'VERSION', align: 'right' },
      { header: 'COUNT', align: 'right' },
      { header: 'RUNNING', align: 'right' },
      { header: 'HEALTHY', align: 'right' },
      { header: 'STATE' },
      { header: 'UPDATED', align: 'right' },
    ],
    jobs.map((j) => [
      j.name,
      j.type || 'service',
      String(j.version),
      String(j.count),
      String(j.running),
      String(j.healthy),
      j.stopped ? 'stopped' : jobState(j),
      j.updatedAtMs ? `${humanDuration(Math.max(0, now - j.updatedAtMs))} ago` : '-',
    ]),
  );
}

/** `mo job history NAME`: versions (newest first) with what each changed, then the deployments. */
export function renderHistory(name: string, h: JobHistoryResponse__Output, now: number): string {
  const versions = h.versions.map((v) => {
    const head = `version ${v.version}  ${timestamp(v.submittedAtMs, now)}  ${v.hash.slice(0, 12)}\n`;
    const changes = v.changes.length ? renderChanges(v.changes, '  ') : v.version === 1 ? '  (created)\n' : '';
    return head + changes;
  });
  const deployments = h.deployments.length
    ? renderTable(
        [
          { header: 'VERSION', align: 'right' },
          { header: 'STATE' },
          { header: 'DESIRED', align: 'right' },
          { header: 'PLACED', align: 'right' },
          { header: 'HEALTHY', align: 'right' },
          { header: 'UNHEALTHY', align: 'right' },
          { header: 'STARTED' },
          { header: 'TOOK', align: 'right' },
          { header: 'REASON' },
        ],
        h.deployments.map((d) => [
          String(d.version),
          paintState(d.state || '-'),
          String(d.desired),
          String(d.placed),
          String(d.healthy),
          String(d.unhealthy),
          d.startedAtMs ? new Date(d.startedAtMs).toISOString() : '-',
          d.startedAtMs ? humanDuration((d.endedAtMs || now) - d.startedAtMs) : '-',
          truncate(d.reason, 60),
        ]),
      )
    : 'no deployments\n';
  const head = `VERSIONS of ${name}, newest first\n`;
  return `${head}${versions.length ? versions.join('') : 'no versions\n'}\nDEPLOYMENTS\n${deployments}`;
}

/** `mo job plan -f`: the kind, the changes, what starts and stops, and where new instances go. */
export function renderPlan(plan: JobPlan__Output): string {
  const what: Record<string, string> = {
    create: `create the job at version ${plan.version}`,
    none: `nothing to do: the file is version ${plan.version} already`,
    scale: `scale (version ${plan.version} stays)`,
    update: `update to version ${plan.version}`,
  };
  const lines = [`plan: ${what[plan.kind] ?? `${plan.kind} (version ${plan.version})`}\n`];
  if (plan.changes.length) lines.push(`changes:\n${renderChanges(plan.changes)}`);
  if (plan.kind !== 'none') lines.push(`starts ${plan.starts}, stops ${plan.stops} now\n`);
  if (plan.placements.length) {
    const unplaced = plan.placements.filter((p) => !p.nodeId && !p.nodeName).length;
    lines.push(
      `placements${unplaced ? ` (${unplaced} cannot be placed now)` : ''}:\n` +
        renderTable(
          [{ header: 'INDEX', align: 'right' }, { header: 'NODE' }],
          [...plan.placements]
            .sort((a, b) => a.index - b.index)
            .map((p) => [String(p.index), p.nodeName || p.nodeId || `(not placed: ${p.reason || 'no reason given'})`]),
        ),
    );
  }
  return lines.join('');
}

/** `mo service info NAME`: where to reach each instance. */
export function renderService(svc: Service__Output, all: boolean): string {
  if (svc.instances.length === 0) {
    return `service ${svc.name}: no ${all ? '' : 'healthy '}instances${all ? '' : ' (--all: every instance)'}\n`;
  }
  const sorted = [...svc.instances].sort((a, b) => a.index - b.index || a.version - b.version);
  return renderTable(
    [
      { header: 'INDEX', align: 'right' },
      { header: 'ADDRESS' },
      { header: 'HEALTH' },
      { header: 'STATE' },
      { header: 'VERSION', align: 'right' },
      { header: 'NODE' },
      { header: 'PORTS' },
      { header: 'WORKLOAD' },
    ],
    sorted.map((i) => [
      String(i.index),
      i.address || '-',
      healthName(i.health) || '-',
      paintState(stateName(i.state)),
      String(i.version),
      i.nodeName || '-',
      i.ports.filter((p) => p.name).length
        ? i.ports
            .filter((p) => p.name)
            .map((p) => `${p.name}=${p.hostPort}`)
            .join(',')
        : '-',
      i.workloadId,
    ]),
  );
}

/** One line for a job event (`mo events --jobs`, the progress of `mo run --wait`). */
export function jobEventText(e: {
  name: string;
  what: string;
  job?: Job__Output | null;
  service?: Service__Output | null;
}): string {
  const job = e.job;
  switch (e.what) {
    case 'version':
      return `job ${e.name} version ${job?.version ?? '?'}`;
    case 'deployment':
      return `job ${e.name} deployment ${job?.deployment ? deploymentText(job.deployment, job.type) : '-'}`;
    case 'instances': {
      const addrs = (e.service?.instances ?? []).map((i) => i.address || i.workloadId);
      return `job ${e.name} healthy instances: ${addrs.length ? addrs.join(', ') : 'none'}`;
    }
    case 'stopped':
      return `job ${e.name} stopped`;
    default:
      return `job ${e.name} ${e.what}`;
  }
}
