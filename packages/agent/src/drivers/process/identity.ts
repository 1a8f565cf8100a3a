// A process is identified by pid + start time (field 22 of /proc/<pid>/stat) + boot id, never by
// pid alone: pids are reused, and signalling a reused pid would hit an unrelated process.
import { readBootId, readProcStat } from '../../host/proc.js';

export interface ProcessIdentity {
  pid: number;
  startTime: number;
  bootId: string;
}

let bootId: string | undefined;
/** This boot's id; constant for the life of the agent. */
export function currentBootId(): string {
  bootId ??= readBootId();
  return bootId;
}

/** The identity of a live pid now, or undefined if it does not exist. */
export function identify(pid: number): ProcessIdentity | undefined {
  const stat = readProcStat(pid);
  if (!stat) return undefined;
  return { pid, startTime: stat.startTime, bootId: currentBootId() };
}

/** True when exactly this process (not a pid reuse, not a zombie) is alive. */
export function isSameLiveProcess(id: ProcessIdentity): boolean {
  if (id.pid <= 0 || id.bootId !== currentBootId()) return false;
  const stat = readProcStat(id.pid);
  return stat !== undefined && stat.startTime === id.startTime && stat.state !== 'Z' && stat.state !== 'X';
}
