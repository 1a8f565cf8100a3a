// CPU use of a process from /proc/<pid>/stat (utime + stime), for tests and benchmarks that report
// what a daemon costs while it is idle or under load.
import { execaSync } from 'execa';
import { readFileSync } from 'node:fs';
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

/** The share of one core (percent) a process used over the next `ms` milliseconds. */
export async function measureCpuPercent(pid: number, ms: number): Promise<number> {
  const before = cpuSecondsOf(pid);
  const t0 = performance.now();
  await sleep(ms); // the measurement window
  const after = cpuSecondsOf(pid);
  const seconds = (performance.now() - t0) / 1000;
  if (before === undefined || after === undefined) throw new Error(`process ${pid} is gone`);
  return ((after - before) / seconds) * 100;
}
