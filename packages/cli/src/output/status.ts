// Human views of agent replies: the node header and workload table of `mo status`, the detail
// view of `mo status ID`, and the one-line summaries printed by `mo start` and `mo stop`.
import type { NodeStatus__Output, WorkloadStatus__Output } from '@mo/api';
import {
  commandLine,
  exitText,
  hasEnded,
  humanBytes,
  humanDuration,
  percent,
  stateName,
  timestamp,
  truncate,
} from './format.js';
import { paintState } from './colour.js';
import { renderFields, renderTable, type Column } from './table.js';
import { portsText, sandboxText } from './docker.js';

/** Long enough for most command lines, short enough that a row fits a wide terminal. */
const COMMAND_WIDTH = 48;

/** `mo status`: node facts and metrics, a blank line, then one row per workload. */
export function renderNodeStatus(node: NodeStatus__Output, now: number): string {
  return `${renderNodeHeader(node)}\n${renderWorkloadTable(node.workloads, now)}`;
}

export function renderNodeHeader(node: NodeStatus__Output): string {
  const f = node.facts;
  const m = node.metrics;
  const fields: [string, string][] = [];
  if (f) {
    fields.push(['node', f.hostname && f.hostname !== f.nodeName ? `${f.nodeName} (host ${f.hostname})` : f.nodeName]);
    const os = [f.os, f.kernel, f.arch].filter(Boolean).join(' ');
    if (os) fields.push(['os', os]);
    fields.push(['cpu', `${f.cpuModel || 'unknown'}, ${f.cpuCores} cores`]);
  }
  if (m) {
    const total = m.memoryTotalBytes || f?.memoryTotalBytes || 0;
    const used = Math.max(0, total - m.memoryAvailableBytes);
    fields.push(['cpu used', percent(m.cpuUtilization)]);
    fields.push(['memory', `${humanBytes(used)} / ${humanBytes(total)} used (${total ? percent(used / total) : '-'})`]);
    fields.push(['load', [m.load1, m.load5, m.load15].map((l) => l.toFixed(2)).join(' ')]);
  } else if (f) {
    fields.push(['memory', humanBytes(f.memoryTotalBytes)]);
  }
  if (f) {
    fields.push(['docker', f.dockerAvailable ? `yes${f.dockerVersion ? ` (${f.dockerVersion})` : ''}` : 'no']);
    fields.push(['cgroups', cgroupsText(f.cgroupMode, f.enforcedLimits)]);
    if (f.agentVersion) fields.push(['agent', f.agentVersion]);
  }
  const running = node.workloads.filter((w) => w.state === 'WORKLOAD_STATE_RUNNING').length;
  fields.push(['workloads', `${node.workloads.length} (${running} running)`]);
  return renderFields(fields);
}

const WORKLOAD_COLUMNS: readonly Column[] = [
  { header: 'ID' },
  { header: 'NAME' },
  { header: 'STATE' },
  { header: 'PID', align: 'right' },
  { header: 'CPU%', align: 'right' },
  { header: 'RSS', align: 'right' },
  { header: 'AGE/EXIT' },
  { header: 'COMMAND' },
];

/** One row per workload, oldest first (creation order, as ids are). */
export function renderWorkloadTable(workloads: readonly WorkloadStatus__Output[], now: number): string {
  if (workloads.length === 0) return 'no workloads\n';
  const sorted = [...workloads].sort((a, b) => a.createdAtMs - b.createdAtMs);
  return renderTable(
    WORKLOAD_COLUMNS,
    sorted.map((w) => {
      const usage = hasEnded(w) ? null : w.usage;
      return [
        w.spec?.id || '-',
        w.spec?.name || '-',
        paintState(stateName(w.state)),
        w.pid ? String(w.pid) : '-',
        usage ? usage.cpuPercent.toFixed(1) : '-',
        usage ? humanBytes(usage.rssBytes) : '-',
        ageOrExit(w, now),
        truncate(commandLine(w.spec?.argv ?? []), COMMAND_WIDTH),
      ];
    }),
  );
}

/** How long it has been alive, or how it ended. */
function ageOrExit(w: WorkloadStatus__Output, now: number): string {
  if (hasEnded(w)) return exitText(w.exit) || '-';
  const since = w.startedAtMs || w.createdAtMs;
  return since ? humanDuration(Math.max(0, now - since)) : '-';
}

/** `mo status ID`: every field worth knowing, one per line. */
export function renderWorkload(w: WorkloadStatus__Output, now: number): string {
  const spec = w.spec;
  const fields: [string, string][] = [
    ['id', spec?.id || '-'],
    ['name', spec?.name || '-'],
    ['state', paintState(stateName(w.state))],
    ['reason', w.reason || '-'],
    ['pid', w.pid ? String(w.pid) : '-'],
    ['argv', commandLine(spec?.argv ?? [])],
    ['cwd', spec?.workingDir || '-'],
    ['user', w.runAs || spec?.user || '-'],
    // Keys only: values are often secrets, and `--json` is there for whoever needs them.
    ['env', listOrDash(Object.keys(spec?.env ?? {}).sort())],
    ['labels', listOrDash(Object.entries(spec?.labels ?? {}).map(([k, v]) => `${k}=${v}`))],
  ];
  const res = spec?.resources;
  const pids = spec?.pidsLimit ?? 0;
  if (res?.cpuMillis || res?.memoryBytes || pids) {
    const parts = [
      res?.cpuMillis ? `cpu ${res.cpuMillis}m` : '',
      res?.memoryBytes ? `memory ${humanBytes(res.memoryBytes)}` : '',
      pids ? `pids ${pids}` : '',
    ];
    fields.push(['resources', parts.filter(Boolean).join(', ')]);
  }
  if (spec?.gracePeriodMs) fields.push(['grace', humanDuration(spec.gracePeriodMs)]);
  if (spec?.driver) fields.push(['driver', spec.driver]);
  const sandbox = sandboxText(spec?.docker);
  if (sandbox) fields.push(['sandbox', sandbox]);
  const ports = portsText(w.ports);
  if (ports) fields.push(['ports', ports]);
  fields.push(['created', timestamp(w.createdAtMs, now)]);
  fields.push(['started', timestamp(w.startedAtMs, now)]);
  if (w.exit) {
    fields.push(['finished', timestamp(w.exit.finishedAtMs, now)]);
    fields.push(['exit', exitText(w.exit) || '-']);
  }
  if (w.usage && !hasEnded(w)) {
    fields.push(['cpu', `${w.usage.cpuPercent.toFixed(1)}%`]);
    fields.push(['rss', humanBytes(w.usage.rssBytes)]);
    if (w.usage.processes) fields.push(['processes', String(w.usage.processes)]);
  }
  return renderFields(fields);
}

/** How the node contains process workloads: `v1 (limits: cpu, memory, pids)`. */
function cgroupsText(mode: string, enforced: readonly string[]): string {
  if (!mode) return 'none (process trees found from /proc, no limits)';
  return `${mode} (limits: ${enforced.length ? enforced.join(', ') : 'none'})`;
}

function listOrDash(items: readonly string[]): string {
  return items.length ? items.join(', ') : '-';
}

/** `started 01J… (pid 4242)` */
export function renderStarted(w: WorkloadStatus__Output): string {
  const ports = portsText(w.ports);
  return `started ${w.spec?.id ?? '?'} (pid ${w.pid || '-'})${ports ? `, ports ${ports}` : ''}\n`;
}

/** `01J… stopped (SIGTERM): stopped by request` — the state a stop left the workload in. */
export function renderStopped(w: WorkloadStatus__Output): string {
  const how = exitText(w.exit);
  return `${w.spec?.id ?? '?'} ${paintState(stateName(w.state))}${how ? ` (${how})` : ''}${w.reason ? `: ${w.reason}` : ''}\n`;
}
