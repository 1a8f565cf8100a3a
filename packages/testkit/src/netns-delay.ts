// The delay queue of an impaired host of the netns test bed: python/link_delay.py run inside the
// host's namespace, holding each packet the bed's NFQUEUE rules send it (netns-faults.ts). A
// process, because this kernel has no netem qdisc; started and stopped here, killed with the
// namespace's other processes when the bed closes.
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after } from '@mo/api/timers';

/** Debian's python (not another on PATH): the script needs nothing but its standard library. */
export const PYTHON = '/usr/bin/python3';
const LINK_DELAY = fileURLToPath(new URL('../python/link_delay.py', import.meta.url));

/** Starts the delay queue inside `host` (args: impairmentArgs); resolves once its queue is bound. */
export function startDelayQueue(
  host: { readonly netns: string; spawn(argv: readonly string[], options?: SpawnOptions): ChildProcess },
  args: readonly string[],
  timeoutMs: number,
): Promise<ChildProcess> {
  const child = host.spawn([PYTHON, LINK_DELAY, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null, signal: string | null) => fail(`exited (${code ?? signal})`);
    const fail = (why: string) => {
      timer.cancel();
      child.kill('SIGKILL');
      reject(new Error(`the delay queue in ${host.netns} ${why}; output:\n${output}`));
    };
    const timer = after(timeoutMs, () => fail('did not start in time'), { ref: true });
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      if (!output.includes('ready')) return;
      timer.cancel();
      child.removeListener('exit', onExit);
      resolve(child);
    });
    child.once('exit', onExit);
  });
}

/** Asks the delay queue to let what it holds through and exit; waits for it. */
export async function stopDelayQueue(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
