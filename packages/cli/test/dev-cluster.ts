// Helpers for the `mo dev` tests: testkit's startDev (it as a user starts it) with a cleanup after
// each test, and /proc readers for what it leaves behind.
import { afterEach } from '@jest/globals';
import { devMo, devStderrLine, killStartedDevs, startDev, type Dev, type DevReady } from '@mo/testkit';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Ready = DevReady;
export type { Dev };
export { startDev };

/** Registers the cleanup of every `mo dev` started by the calling test file (and its data dirs). */
export function cleanUpDevAfterEach(): void {
  afterEach(killStartedDevs);
}

/** The CLI against this scheduler, with the credentials of the mo dev that started it. */
export const mo = devMo;

/** Waits for a line of mo dev's stderr and returns its match. */
export const stderrLine = devStderrLine;

/**
 * A workload whose processes all carry `marker` in their argv: a shell with a child shell and an
 * escapee in a session of its own (setsid), each keeping a sleep (`; true` keeps dash from exec'ing
 * the sleep in its place, which would drop the marker). With `ignoreTerm`, all of them ignore
 * SIGTERM (an ignored signal stays ignored in children), so only SIGKILL ends them.
 */
export function markedWorkload(marker: string, { ignoreTerm = false } = {}): string[] {
  const script = 'setsid sh -c "sleep 300; true" "$0-escapee" & sh -c "sleep 300; true" "$0-child" & wait';
  return ['sh', '-c', ignoreTerm ? `trap "" TERM; ${script}` : script, marker];
}

/** Live (not zombie) processes whose command line contains `marker`. */
export function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(marker)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (!/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2))) found.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** Pids of the live children of `pid`, and of their children, and so on. */
export function descendantsOf(pid: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      byParent.set(ppid, [...(byParent.get(ppid) ?? []), Number(name)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const out: number[] = [];
  const queue = [pid];
  for (let p = queue.pop(); p !== undefined; p = queue.pop()) {
    for (const c of byParent.get(p) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

/** The shim's `started` record of every workload of an agent. */
export function shimRecords(agentDataDir: string): { pid: number; shimPid: number }[] {
  const root = join(agentDataDir, 'workloads');
  return readdirSync(root).flatMap((id) => {
    try {
      return [JSON.parse(readFileSync(join(root, id, 'started'), 'utf8')) as { pid: number; shimPid: number }];
    } catch {
      return [];
    }
  });
}
