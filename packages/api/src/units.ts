// The unit grammars mo accepts wherever a person writes a quantity (CLI flags, daemon flags,
// pipeline specs): durations, byte sizes, CPU. Each parser returns undefined for text it does not
// recognise; callers report that with their own field or flag name.

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds as durationMs reads them back: `300ms` below a second, else seconds (`1.5s`, `90s`). */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${+(ms / 1000).toFixed(1)}s`;
}

/** `500ms`, `10s`, `1.5s`, `1m30s`, `2h` → whole milliseconds. A unit is required. */
export function durationMs(text: string): number | undefined {
  const t = text.trim();
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  while (pos < t.length) {
    part.lastIndex = pos;
    const m = part.exec(t);
    if (!m) break;
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    pos = part.lastIndex;
  }
  if (t.length === 0 || pos !== t.length || !Number.isFinite(total)) return undefined;
  return Math.round(total);
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** `1048576`, `512Mi`, `1G`, `1.5Gi` → whole bytes. */
export function sizeBytes(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([a-zA-Z]*)$/.exec(text.trim());
  const unit = m ? SIZE_UNITS[m[2] ?? ''] : undefined;
  return m && unit !== undefined ? Math.round(Number(m[1]) * unit) : undefined;
}

/** CPU as Kubernetes writes it: `500m` (millicores), `0.5` or `2` (cores) → millicores (may be fractional). */
export function cpuMillis(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?|\.\d+)(m?)$/.exec(text.trim());
  if (!m) return undefined;
  return m[2] === 'm' ? Number(m[1]) : Number(m[1]) * 1000;
}
