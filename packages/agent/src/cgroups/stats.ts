// Pure parsers of the cgroup files the agent reads for a workload's usage (fixtures in tests).
import type { CgroupVersion } from './plan.js';

/** "key value" lines (cpu.stat, memory.stat, memory.events, cgroup.events) into a map. */
export function parseFlatKeyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^\d+$/.test(value)) out.set(key, Number(value));
  }
  return out;
}

/** CPU time used by the cgroup, in microseconds: v2 cpu.stat usage_usec, v1 cpuacct.usage (ns). */
export function cpuUsageUs(version: CgroupVersion, text: string): number | undefined {
  if (version === 2) return parseFlatKeyed(text).get('usage_usec');
  const ns = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(ns) ? Math.floor(ns / 1000) : undefined;
}

/** Pids listed in cgroup.procs (one per line). */
export function parsePids(text: string): number[] {
  const out: number[] = [];
  for (const line of text.split('\n')) {
    const pid = Number(line);
    if (line !== '' && Number.isSafeInteger(pid) && pid > 0) out.push(pid);
  }
  return out;
}

/**
 * CPU percent (100 = one core) from cumulative CPU time, per workload: over the time since the
 * previous reading at least `minWindowMs` old, else the rate last computed; the first reading
 * averages over the workload's life (as pidusage does for a pid it sees for the first time).
 */
export class CpuRate {
  private readonly last = new Map<string, { usageUs: number; atMs: number; percent: number }>();

  constructor(private readonly minWindowMs = 250) {}

  percent(id: string, usageUs: number, nowMs: number, startedAtMs: number): number {
    const prev = this.last.get(id);
    if (prev && nowMs - prev.atMs < this.minWindowMs) return prev.percent;
    const [fromUs, fromMs] = prev ? [prev.usageUs, prev.atMs] : [0, startedAtMs];
    const wallMs = nowMs - fromMs;
    const percent = wallMs > 0 ? Math.max(0, ((usageUs - fromUs) / 1000 / wallMs) * 100) : 0;
    this.last.set(id, { usageUs, atMs: nowMs, percent });
    return percent;
  }

  /** Forgets workloads not read since `beforeMs` (they ended; a single read must not drop the rest). */
  forgetOlder(beforeMs: number): void {
    for (const [id, v] of this.last) if (v.atMs < beforeMs) this.last.delete(id);
  }
}
