// A running allocation's health checks as its agent reports them (WorkloadStatus.health, .checks):
// folded into the record. Only a change of health (overall, or of one check) is worth a write and
// an event; the counters and times of each check change on every report and are kept in memory.
import type { WorkloadStatus__Output } from '@mo/api';
import type { CheckStatusRecord, HealthName, WorkloadRecord } from './record.js';

const HEALTH: Record<string, HealthName | undefined> = {
  HEALTH_STARTING: 'starting',
  HEALTH_HEALTHY: 'healthy',
  HEALTH_UNHEALTHY: 'unhealthy',
};

/** The wire enum name of a health (absent: no checks). */
export const HEALTH_ENUM = {
  none: 'HEALTH_UNSPECIFIED',
  starting: 'HEALTH_STARTING',
  healthy: 'HEALTH_HEALTHY',
  unhealthy: 'HEALTH_UNHEALTHY',
} as const;

export function healthOfWire(name: string | undefined): HealthName | undefined {
  return name ? HEALTH[name] : undefined;
}

/**
 * r with the health `status` reports, and whether that is a change worth persisting. `nowMs` (the
 * scheduler's clock) dates a change of overall health: min_healthy_time counts on one clock.
 */
export function withHealth(
  r: WorkloadRecord,
  status: Pick<WorkloadStatus__Output, 'health' | 'checks'>,
  nowMs: number,
): { next: WorkloadRecord; changed: boolean } {
  const health = healthOfWire(status.health);
  const checks: CheckStatusRecord[] = (status.checks ?? []).map((c) => ({
    name: c.name,
    health: healthOfWire(c.health) ?? 'none',
    detail: c.detail,
    successes: c.successes,
    failures: c.failures,
    checkedAtMs: Number(c.checkedAtMs),
    changedAtMs: Number(c.changedAtMs),
  }));
  const before = r.checks ?? [];
  // Reports cross: a start call's answer (checks not yet run) can land after a heartbeat that
  // already said healthy. The agent's times order them: an older report, or one without the checks
  // the record has (sent before they started), says nothing new. They are cleared when it ends.
  if (before.length > 0 && (checks.length === 0 || latestOf(checks) < latestOf(before))) {
    return { next: r, changed: false };
  }
  const checksMoved =
    checks.length !== before.length ||
    checks.some((c, k) => c.name !== before[k]?.name || c.health !== before[k]?.health);
  const healthMoved = health !== r.health;
  if (!healthMoved && !checksMoved && checks.length === 0) return { next: r, changed: false };
  const next: WorkloadRecord = { ...r, checks };
  if (health) next.health = health;
  else delete next.health;
  if (healthMoved) next.healthChangedAtMs = nowMs;
  if (checks.length === 0) delete next.checks;
  return { next, changed: healthMoved || checksMoved };
}

/** The agent's time of the newest fact in `checks` (a probe's result, or a change). */
function latestOf(checks: readonly CheckStatusRecord[]): number {
  return checks.reduce((m, c) => Math.max(m, c.checkedAtMs, c.changedAtMs), 0);
}

/** What an allocation that no longer runs keeps of its health: nothing. */
export function withoutHealth(r: WorkloadRecord): void {
  delete r.health;
  delete r.checks;
  delete r.healthChangedAtMs;
}
