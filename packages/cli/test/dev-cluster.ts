// Helpers for the `mo dev` tests: start it as a user would (the built CLI, --json, --port-base 0),
// talk to its scheduler with the CLI, wait for its stderr notes, and look at /proc for what is left.
import { afterEach } from '@jest/globals';
import { CLI_BIN, runMo, waitFor, type MoResult } from '@mo/testkit';
import { execa } from 'execa';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Ready {
  scheduler: { grpcAddress: string; httpAddress: string; pid: number; dataDir: string; tokenFile: string };
  agents: {
    name: string;
    grpcAddress: string;
    pid: number;
    dataDir: string;
    dockerPorts: string;
    dockerPortIp: string;
  }[];
  dataDir: string;
  /** The certificates mo dev made in <data-dir>/tls (absent with --insecure). */
  tls?: { caCert: string; clientCert: string; clientKey: string };
}

/** `mo dev` run by execa: a ChildProcess (kill, pid) that is also a promise of its result. */
function spawnDev(args: string[]) {
  return execa(process.execPath, [CLI_BIN, 'dev', ...args], {
    env: { PATH: process.env.PATH },
    extendEnv: false,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    // A test's SIGINT is what it tests: no SIGKILL after it. (execa's `cleanup` still ends a mo
    // dev that a crashed test file leaves behind.)
    forceKillAfterDelay: false,
  });
}

export interface Dev {
  child: ReturnType<typeof spawnDev>;
  ready: Ready;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const dirs: string[] = [];
const started: Dev['child'][] = [];

/** Registers the cleanup of every `mo dev` started by the calling test file (and its data dirs). */
export function cleanUpDevAfterEach(): void {
  afterEach(() => {
    for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
}

/** Starts `mo dev --json --port-base 0` and resolves with its ready report. */
export async function startDev(...args: string[]): Promise<Dev> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mo-dev-test-'));
  dirs.push(dataDir);
  const child = spawnDev(['--json', '--port-base', '0', '--data-dir', dataDir, ...args]);
  started.push(child);
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exit = child.then((r) => ({ code: r.exitCode ?? null, signal: (r.signal ?? null) as NodeJS.Signals | null }));
  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mo dev not ready after 45 s:\n${err}`)), 45_000);
    void (async () => {
      // The ready report is its first line on stdout; the rest is read too, so it never blocks.
      for await (const line of child.iterable({ from: 'stdout' })) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as Ready);
      }
    })().catch(reject);
    void exit.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`mo dev exited (${code}) before it was ready:\n${err}`));
    });
  });
  const t = ready.tls;
  credentials.set(
    ready.scheduler.grpcAddress,
    t
      ? { MO_CA_CERT: t.caCert, MO_CLIENT_CERT: t.clientCert, MO_CLIENT_KEY: t.clientKey }
      : { MO_INSECURE: '1', MO_CA_CERT: '' },
  );
  return { child, ready, stderr: () => err, exit };
}

/** Each dev scheduler's credentials for the CLI (what mo dev's export lines say). */
const credentials = new Map<string, Record<string, string>>();

/** The CLI against this scheduler, with the credentials of the mo dev that started it. */
export function mo(scheduler: string, ...args: string[]): Promise<MoResult> {
  return runMo(['--scheduler', scheduler, ...args], { timeoutMs: 20_000, env: credentials.get(scheduler) ?? {} });
}

/** Waits for a line of mo dev's stderr and returns its match. */
export function stderrLine(dev: Dev, re: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  return waitFor(`mo dev to print ${re}\n${dev.stderr()}`, () => re.exec(dev.stderr()) ?? undefined, { timeoutMs });
}

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
