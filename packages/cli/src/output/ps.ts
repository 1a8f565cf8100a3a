// `mo ps`: workloads as a table, newest first, with ids cut to the shortest prefix that still tells
// the listed ones apart (at least 12 characters, like docker's short ids).
import type { ScheduledWorkload__Output } from '@mo/api';
import { workloadEnded } from './cluster.js';
import { commandLine, exitText, humanDuration, stateName, truncate } from './format.js';
import { healthName } from './health.js';
import { renderTable, type Column } from './table.js';

/** Shortest id shown: the first 10 characters of a ULID are its timestamp, so 2 random ones follow. */
export const SHORT_ID = 12;
const COMMAND_WIDTH = 40;

/**
 * The shortest length, at least `min`, at which the ids' prefixes are all different (so each
 * listed one can be named by what is shown; `mo` resolves prefixes). Ids of one millisecond share
 * their first 10 characters, so a big array needs a few more.
 */
export function shortIdLength(ids: readonly string[], min = SHORT_ID): number {
  let len = min;
  const longest = Math.max(0, ...ids.map((id) => id.length));
  while (len < longest && new Set(ids.map((id) => id.slice(0, len).toUpperCase())).size < new Set(ids).size) len++;
  return len;
}

const COLUMNS: readonly Column[] = [
  { header: 'ID' },
  { header: 'NAME' },
  { header: 'STATE' },
  { header: 'NODE' },
  { header: 'AGE', align: 'right' },
  { header: 'COMMAND' },
];

/** `running`, `failed (exit 3)`, `stopped (SIGKILL)`. */
function stateText(w: ScheduledWorkload__Output): string {
  const how = workloadEnded(w) ? exitText(w.exit) : '';
  return how ? `${stateName(w.state)} (${how})` : stateName(w.state);
}

/** The argv, after the image for a docker workload; a pending one's reason instead. */
function commandText(w: ScheduledWorkload__Output): string {
  if (w.state === 'WORKLOAD_STATE_PENDING' && w.reason) return truncate(`(${w.reason})`, COMMAND_WIDTH);
  const image = w.spec?.docker ? `[${w.spec.docker.image || 'sandbox'}] ` : '';
  return truncate(image + commandLine(w.spec?.argv ?? []), COMMAND_WIDTH);
}

/**
 * The table; HEALTH and PORTS columns only when some listed workload has checks or named ports
 * (most lists have neither, and two columns of dashes would only push COMMAND off the screen).
 */
export function renderPsTable(workloads: readonly ScheduledWorkload__Output[], now: number): string {
  const len = shortIdLength(workloads.map((w) => w.id));
  const withHealth = workloads.some((w) => healthName(w.health) || w.spec?.checks?.length);
  const withPorts = workloads.some((w) => w.ports?.some((p) => p.name));
  const columns = [
    ...COLUMNS.slice(0, 3),
    ...(withHealth ? [{ header: 'HEALTH' }] : []),
    ...COLUMNS.slice(3, 5),
    ...(withPorts ? [{ header: 'PORTS' }] : []),
    ...COLUMNS.slice(5),
  ];
  return renderTable(
    columns,
    workloads.map((w) => [
      w.id.slice(0, len),
      w.spec?.name || '-',
      stateText(w),
      ...(withHealth ? [(!workloadEnded(w) && healthName(w.health)) || '-'] : []),
      w.nodeName || '-',
      w.createdAtMs ? humanDuration(Math.max(0, now - w.createdAtMs)) : '-',
      ...(withPorts ? [namedPorts(w)] : []),
      commandText(w),
    ]),
  );
}

/** `http=31000,admin=31001`: the named ports a workload holds (host ports; the host is its node's). */
function namedPorts(w: ScheduledWorkload__Output): string {
  const named = (w.ports ?? []).filter((p) => p.name);
  return named.length ? named.map((p) => `${p.name}=${p.hostPort}`).join(',') : '-';
}
