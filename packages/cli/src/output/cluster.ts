// Human views of scheduler replies: the cluster overview of `mo status`, the node table of
// `mo nodes`, one workload with its events (`mo status ID`), and the one-line summaries printed
// by `mo start` and `mo stop`.
import type { ClusterStatus__Output, Node__Output, ScheduledWorkload__Output, SchedulingSpec__Output } from '@mo/api';
import { paintState } from './colour.js';
import { commandLine, exitText, humanBytes, humanDuration, percent, stateName, timestamp, truncate } from './format.js';
import { renderFields, renderTable, type Column } from './table.js';
import { portsText, sandboxText } from './docker.js';
import { checksText, healthName } from './health.js';

const COMMAND_WIDTH = 40;

const ENDED: ReadonlySet<string> = new Set([
  'WORKLOAD_STATE_SUCCEEDED',
  'WORKLOAD_STATE_FAILED',
  'WORKLOAD_STATE_STOPPED',
  'WORKLOAD_STATE_LOST',
]);

export function workloadEnded(w: Pick<ScheduledWorkload__Output, 'state'>): boolean {
  return ENDED.has(w.state);
}

/** `NODE_STATE_UP` → `up`. */
export function nodeStateName(state: string): string {
  return state.replace(/^NODE_STATE_/, '').toLowerCase();
}

/** `500m`, `2` (cores), `1.5`: CPU the way `--cpu` takes it. */
export function humanCpu(millis: number): string {
  if (!Number.isFinite(millis) || millis < 0) return '-';
  return millis % 1000 === 0 ? String(millis / 1000) : millis < 1000 ? `${millis}m` : String(millis / 1000);
}

/** `used/capacity (pct)`, e.g. `500m/2 (25%)`. */
function usage(used: number, capacity: number, show: (n: number) => string): string {
  const pct = capacity > 0 ? ` (${Math.round((used / capacity) * 100)}%)` : '';
  return `${show(used)}/${show(capacity)}${pct}`;
}

const NODE_COLUMNS: readonly Column[] = [
  { header: 'NAME' },
  { header: 'STATE' },
  { header: 'ELIGIBILITY' },
  { header: 'ADDRESS' },
  { header: 'CPU RESERVED', align: 'right' },
  { header: 'MEMORY RESERVED', align: 'right' },
  { header: 'PORTS', align: 'right' },
  { header: 'CPU USE', align: 'right' },
  { header: 'MEM USE', align: 'right' },
  { header: 'RUNNING', align: 'right' },
  { header: 'HEARTBEAT' },
];

/** Host ports booked against the node's docker port range; '-' when it has none. */
function portsUsage(n: Node__Output): string {
  const capacity = n.capacity?.hostPorts ?? 0;
  return capacity > 0 ? `${n.reserved?.hostPorts ?? 0}/${capacity}` : '-';
}

/** One row per node, by name: declared reservations against capacity, then measured use. */
export function renderNodeTable(nodes: readonly Node__Output[], now: number): string {
  if (nodes.length === 0) return 'no nodes registered\n';
  // By code unit, not localeCompare: node names are [a-z0-9._-], and the first localeCompare
  // loads ICU's collator (~12 ms of every `mo status`).
  const sorted = [...nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const table = renderTable(
    NODE_COLUMNS,
    sorted.map((n) => {
      const m = n.metrics;
      const memTotal = m?.memoryTotalBytes || n.facts?.memoryTotalBytes || 0;
      let state = paintState(nodeStateName(n.state));
      if (n.avoidUntilMs > now) state += ' (avoided)';
      return [
        n.name || n.id,
        state,
        eligibilityOf(n),
        n.address || '-',
        usage(n.reserved?.cpuMillis ?? 0, n.capacity?.cpuMillis ?? 0, humanCpu),
        usage(n.reserved?.memoryBytes ?? 0, n.capacity?.memoryBytes ?? 0, humanBytes),
        portsUsage(n),
        m ? percent(m.cpuUtilization) : '-',
        m && memTotal ? percent(Math.max(0, memTotal - m.memoryAvailableBytes) / memTotal) : '-',
        String(n.workloadsRunning),
        n.lastHeartbeatMs ? `${humanDuration(Math.max(0, now - n.lastHeartbeatMs))} ago` : '-',
      ];
    }),
  );
  // Why a node is down or avoided is worth a line of its own, not a column that is mostly empty.
  const notes = sorted.filter((n) => n.reason && n.state !== 'NODE_STATE_UP').map((n) => `  ${n.name}: ${n.reason}\n`);
  const drains = sorted.filter(isDraining).map((n) => `  ${n.name}: ${drainText(n, now)}\n`);
  return table + notes.join('') + drains.join('');
}

const isDraining = (n: Node__Output): boolean => n.drain?.state === 'NODE_DRAIN_STATE_DRAINING';

/** The ELIGIBILITY column: eligible, ineligible, draining or drained. */
function eligibilityOf(n: Node__Output): string {
  if (isDraining(n)) return 'draining';
  if (n.drain?.state === 'NODE_DRAIN_STATE_DRAINED') return 'drained';
  return n.eligible ? 'eligible' : 'ineligible';
}

/** A drain in words: "draining, 2 service instances, 1 batch left, deadline in 52m" or "drained in 1m 3s". */
export function drainText(n: Node__Output, now: number): string {
  const d = n.drain;
  if (!d || d.state === 'NODE_DRAIN_STATE_UNSPECIFIED') return n.eligible ? 'eligible' : 'ineligible';
  if (d.state === 'NODE_DRAIN_STATE_DRAINED') {
    return `drained in ${humanDuration(Math.max(0, d.drainedAtMs - d.startedAtMs))}, ineligible`;
  }
  const left: string[] = [];
  if (d.servicesLeft) left.push(`${d.servicesLeft} service instance${d.servicesLeft === 1 ? '' : 's'}`);
  if (d.batchLeft) left.push(`${d.batchLeft} batch`);
  if (d.workloadsLeft) left.push(`${d.workloadsLeft} workload${d.workloadsLeft === 1 ? '' : 's'}`);
  const what = left.length ? `${left.join(', ')} left` : 'nothing left';
  const deadline = d.force
    ? 'forced'
    : d.deadlineMs > now
      ? `deadline in ${humanDuration(d.deadlineMs - now)}`
      : 'deadline passed';
  return `draining, ${what}, ${deadline}`;
}

const WORKLOAD_COLUMNS: readonly Column[] = [
  { header: 'ID' },
  { header: 'NAME' },
  { header: 'STATE' },
  { header: 'NODE' },
  { header: 'AGE/EXIT' },
  { header: 'COMMAND' },
];

/** Workloads as given (the scheduler sends the newest first); pending rows carry their reason. */
export function renderScheduledTable(workloads: readonly ScheduledWorkload__Output[], now: number): string {
  if (workloads.length === 0) return 'no workloads\n';
  return renderTable(
    WORKLOAD_COLUMNS,
    workloads.map((w) => [
      w.id,
      w.spec?.name || '-',
      paintState(stateName(w.state)),
      w.nodeName || '-',
      workloadEnded(w)
        ? exitText(w.exit) || '-'
        : w.createdAtMs
          ? humanDuration(Math.max(0, now - w.createdAtMs))
          : '-',
      w.state === 'WORKLOAD_STATE_PENDING' && w.reason
        ? truncate(`(${w.reason})`, COMMAND_WIDTH)
        : truncate(commandLine(w.spec?.argv ?? []), COMMAND_WIDTH),
    ]),
  );
}

/** `mo status`: a summary, the nodes, then the most recent workloads. */
export function renderClusterStatus(cs: ClusterStatus__Output, now: number): string {
  const up = cs.nodes.filter((n) => n.state === 'NODE_STATE_UP').length;
  const counts = Object.entries(cs.workloadCounts)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => stateOrder(a) - stateOrder(b))
    .map(([state, n]) => `${n} ${state}`);
  const reserved = cs.nodes.reduce(
    (acc, n) => ({
      cpu: acc.cpu + (n.reserved?.cpuMillis ?? 0),
      cpuCap: acc.cpuCap + (n.capacity?.cpuMillis ?? 0),
      mem: acc.mem + (n.reserved?.memoryBytes ?? 0),
      memCap: acc.memCap + (n.capacity?.memoryBytes ?? 0),
      ports: acc.ports + (n.reserved?.hostPorts ?? 0),
      portsCap: acc.portsCap + (n.capacity?.hostPorts ?? 0),
    }),
    { cpu: 0, cpuCap: 0, mem: 0, memCap: 0, ports: 0, portsCap: 0 },
  );
  const fields: [string, string][] = [
    [
      'scheduler',
      [
        cs.schedulerVersion && `v${cs.schedulerVersion}`,
        cs.startedAtMs ? `up ${humanDuration(now - cs.startedAtMs)}` : '',
      ]
        .filter(Boolean)
        .join(', ') || '-',
    ],
    ['nodes', `${cs.nodes.length} (${up} up${cs.nodes.length > up ? `, ${cs.nodes.length - up} down` : ''})`],
    [
      'reserved',
      `cpu ${usage(reserved.cpu, reserved.cpuCap, humanCpu)}, memory ${usage(reserved.mem, reserved.memCap, humanBytes)}` +
        (reserved.portsCap > 0 ? `, host ports ${reserved.ports}/${reserved.portsCap}` : ''),
    ],
    ['workloads', counts.length ? counts.join(', ') : 'none'],
    ['queue', cs.queueDepth === 0 ? 'empty' : `${cs.queueDepth} pending`],
  ];
  return [
    renderFields(fields),
    `\nNODES\n${renderNodeTable(cs.nodes, now)}`,
    `\nRECENT WORKLOADS\n${renderScheduledTable(cs.recent, now)}`,
  ].join('');
}

const STATE_ORDER = ['pending', 'starting', 'running', 'unknown', 'succeeded', 'failed', 'stopped', 'lost'];
function stateOrder(state: string): number {
  const i = STATE_ORDER.indexOf(state);
  return i === -1 ? STATE_ORDER.length : i;
}

/** `mo status ID`: every field worth knowing, then the events, oldest first. */
export function renderScheduledWorkload(w: ScheduledWorkload__Output, now: number): string {
  const spec = w.spec;
  const fields: [string, string][] = [
    ['id', w.id],
    ['name', spec?.name || '-'],
    ['state', paintState(stateName(w.state))],
    ['reason', w.reason || '-'],
    ['node', w.nodeName ? `${w.nodeName} (${w.nodeId})` : '-'],
    ['allocation', w.allocationId || '-'],
    // Earlier runs, newest first: what `mo logs --previous` / `--alloc` read.
    ...(w.previousAllocations?.length
      ? [
          [
            'earlier',
            [...w.previousAllocations]
              .reverse()
              .map((a) => `${a.allocationId} (attempt ${a.attempt} on ${a.nodeName}, ${stateName(a.state)})`)
              .join(', '),
          ] as [string, string],
        ]
      : []),
    ['attempt', `${w.attempt}${w.restartsLeft > 0 ? ` (${w.restartsLeft} restarts left)` : ''}`],
    ['pid', w.pid ? String(w.pid) : '-'],
    ['exit', exitText(w.exit) || '-'],
    ['argv', commandLine(spec?.argv ?? [])],
    // As its node runs it; before that, what it asked for.
    ['user', w.runAs || (spec?.user ? `${spec.user} (asked)` : "the node's default")],
  ];
  const res = spec?.resources;
  fields.push([
    'resources',
    res && (res.cpuMillis || res.memoryBytes || res.hostPorts)
      ? [
          res.cpuMillis ? `cpu ${humanCpu(res.cpuMillis)}` : '',
          res.memoryBytes ? `memory ${humanBytes(res.memoryBytes)}` : '',
          res.hostPorts ? `host ports ${res.hostPorts}` : '',
        ]
          .filter(Boolean)
          .join(', ')
      : '-',
  ]);
  fields.push(['scheduling', schedulingText(w.scheduling)]);
  if (spec?.driver && spec.driver !== 'process') fields.push(['driver', spec.driver]);
  const sandbox = sandboxText(spec?.docker);
  if (sandbox) fields.push(['sandbox', sandbox]);
  const ports = portsText(w.ports);
  if (ports) fields.push(['ports', ports]);
  const health = healthName(w.health);
  if (health) {
    const since = w.healthChangedAtMs ? ` since ${timestamp(w.healthChangedAtMs, now)}` : '';
    fields.push(['health', `${health}${since}`]);
  } else if (spec?.checks?.length && !workloadEnded(w)) {
    fields.push(['health', 'not reported yet']);
  }
  const checks = checksText(w.checks);
  if (checks) fields.push(['checks', checks]);
  if (w.job) fields.push(['job', `${w.job} version ${w.jobVersion}, index ${w.jobIndex} (mo job status ${w.job})`]);
  if (spec?.workingDir) fields.push(['cwd', spec.workingDir]);
  // Keys only: values are often secrets, and `--json` is there for whoever needs them.
  const env = Object.keys(spec?.env ?? {}).sort();
  if (env.length) fields.push(['env', env.join(', ')]);
  const labels = Object.entries(spec?.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  if (labels.length) fields.push(['labels', labels.join(', ')]);
  if (w.idempotencyKey) fields.push(['idempotency key', w.idempotencyKey]);
  fields.push(['created', timestamp(w.createdAtMs, now)]);
  fields.push(['updated', timestamp(w.updatedAtMs, now)]);
  if (w.notBeforeMs > now) fields.push(['next attempt', `in ${humanDuration(w.notBeforeMs - now)}`]);
  if (w.unknownSinceMs > 0) {
    const left = w.lostAtMs > now ? `given up in ${humanDuration(w.lostAtMs - now)}` : 'being given up';
    fields.push(['unknown', `since ${timestamp(w.unknownSinceMs, now)}; ${left} unless its node returns`]);
  }
  const lostAfter = spec?.lostAfterMs;
  if (lostAfter !== undefined) fields.push(['lost after', humanDuration(lostAfter)]);
  const events = [...w.events].sort((a, b) => a.atMs - b.atMs);
  const eventTable = events.length
    ? renderTable(
        [{ header: 'TIME' }, { header: 'STATE' }, { header: 'REASON' }],
        events.map((e) => [new Date(e.atMs).toISOString(), paintState(stateName(e.state)), e.reason || '-']),
      )
    : 'no events\n';
  return `${renderFields(fields)}\nEVENTS\n${eventTable}`;
}

function schedulingText(s: SchedulingSpec__Output | null | undefined): string {
  if (!s) return '-';
  const parts: string[] = [];
  if (s.priority !== 'PRIORITY_UNSPECIFIED')
    parts.push(`priority ${s.priority.replace(/^PRIORITY_/, '').toLowerCase()}`);
  if (s.strategy !== 'PLACEMENT_STRATEGY_UNSPECIFIED') {
    parts.push(`strategy ${s.strategy.replace(/^PLACEMENT_STRATEGY_/, '').toLowerCase()}`);
  }
  const mode = s.restart?.mode ?? 'RESTART_MODE_UNSPECIFIED';
  if (mode !== 'RESTART_MODE_UNSPECIFIED') {
    const name = mode
      .replace(/^RESTART_MODE_/, '')
      .toLowerCase()
      .replace('_', '-');
    const max = mode !== 'RESTART_MODE_NEVER' && s.restart?.maxAttempts ? ` (max ${s.restart.maxAttempts})` : '';
    parts.push(`restart ${name}${max}`);
  }
  if (s.node) parts.push(`node ${s.node}`);
  const constraints = Object.entries(s.constraints).map(([k, v]) => `${k}=${v}`);
  if (constraints.length) parts.push(`constraints ${constraints.join(',')}`);
  if (s.batch) parts.push('batch');
  return parts.length ? parts.join(', ') : 'defaults';
}

/**
 * One line about a workload: `01J… running on dev-0 (pid 42)`, `01J… pending: 2 nodes: 2 lacked
 * memory`, `01J… failed on dev-1 (exit 3): exited with code 3`. The id comes first, for scripts.
 */
export function renderWorkloadLine(w: ScheduledWorkload__Output): string {
  const state = paintState(stateName(w.state));
  if (w.state === 'WORKLOAD_STATE_PENDING') return `${w.id} pending${w.reason ? `: ${w.reason}` : ''}${portsNote(w)}\n`;
  const where = w.nodeName ? ` on ${w.nodeName}` : '';
  const how = workloadEnded(w) ? exitText(w.exit) : w.pid ? `pid ${w.pid}` : '';
  // "exited with code 0" after "succeeded (exit 0)" says nothing new.
  const why = workloadEnded(w) && w.state !== 'WORKLOAD_STATE_SUCCEEDED' && w.reason ? `: ${w.reason}` : '';
  const health = workloadEnded(w) ? '' : healthName(w.health);
  return `${w.id} ${state}${where}${how ? ` (${how})` : ''}${health ? `, ${health}` : ''}${why}${portsNote(w)}\n`;
}

/**
 * The published ports (`, ports 0.0.0.0:32768->80/tcp`) while they are held; before the workload
 * runs, the ones it asked for and where to find them once published.
 */
function portsNote(w: ScheduledWorkload__Output): string {
  const published = portsText(w.ports);
  if (published) return `, ports ${published}`;
  const asked = w.spec?.docker?.ports ?? [];
  const waiting = w.state === 'WORKLOAD_STATE_PENDING' || w.state === 'WORKLOAD_STATE_STARTING';
  if (!waiting || asked.length === 0) return '';
  return `; ports ${asked.map((p) => `${p}/tcp`).join(', ')} are published once it runs (mo status ${w.id})`;
}
