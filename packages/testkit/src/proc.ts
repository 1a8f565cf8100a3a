// CPU use of a process from /proc/<pid>/stat (utime + stime) or, to the nanosecond, its threads'
// schedstat, for tests and benchmarks that report what a daemon costs while it is idle or under load.
import { execaSync } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import { sleep } from './wait.js';

let clockTicks: number | undefined;

/** Clock ticks per second of /proc's times (USER_HZ; 100 on every Linux we run on). */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execaSync('getconf', ['CLK_TCK']).stdout) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU seconds (user + system) a process has used so far, or undefined if it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: fields are counted after its ')'.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state); utime is field 14, stime field 15.
  return (Number(f[11]) + Number(f[12])) / ticksPerSecond();
}

/**
 * CPU seconds a process has used so far to the nanosecond (the sum of its threads'
 * /proc/<pid>/task/<tid>/schedstat run times), or undefined if it is gone or the kernel keeps no
 * schedstat. Ticks (cpuSecondsOf) are 10 ms: over a 10 s window that is 0.1 % of a core, too
 * coarse for an idle daemon. Threads that ended during a window are not counted.
 */
export function preciseCpuSecondsOf(pid: number): number | undefined {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    }
    return Number.isFinite(ns) ? ns / 1e9 : undefined;
  } catch {
    return undefined;
  }
}

/** The share of one core (percent) a process used over the next `ms` milliseconds. */
export async function measureCpuPercent(pid: number, ms: number): Promise<number> {
  let read = preciseCpuSecondsOf;
  let before = read(pid);
  if (before === undefined) [read, before] = [cpuSecondsOf, cpuSecondsOf(pid)];
  const t0 = performance.now();
  await sleep(ms); // the measurement window
  const after = read(pid);
  const seconds = (performance.now() - t0) / 1000;
  if (before === undefined || after === undefined) throw new Error(`process ${pid} is gone`);
  return ((after - before) / seconds) * 100;
}
