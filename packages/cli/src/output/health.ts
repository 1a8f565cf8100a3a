// How health checks read in a terminal: a workload's health word and its checks' details, shared by
// `mo status ID`, `mo ps`, `mo job status`, `mo service info` and the `--wait` messages.
import type { CheckStatus__Output, Health__Output } from '@mo/api';

/** `HEALTH_HEALTHY` -> `healthy`; '' for unspecified (no checks), so callers can leave it out. */
export function healthName(health: Health__Output | string | null | undefined): string {
  if (!health || health === 'HEALTH_UNSPECIFIED') return '';
  return health.replace(/^HEALTH_/, '').toLowerCase();
}

/** `ready healthy (HTTP 200), db unhealthy (connect ECONNREFUSED 10.0.0.2:5432; 3 failures)`. */
export function checksText(checks: readonly CheckStatus__Output[] | undefined): string {
  if (!checks?.length) return '';
  return checks
    .map((c) => {
      const notes = [c.detail, c.failures > 0 ? `${c.failures} failure${c.failures === 1 ? '' : 's'} in a row` : '']
        .filter(Boolean)
        .join('; ');
      return `${c.name} ${healthName(c.health) || 'unknown'}${notes ? ` (${notes})` : ''}`;
    })
    .join(', ');
}
