// `mo dev` as a user starts it (the built CLI, --json, --port-base 0), for tests that want the
// whole one-machine cluster rather than daemons started one by one: its ready report, its stderr,
// the CLI with its credentials, and a stop that ends it as Ctrl-C does.
import { after } from '@mo/api/timers';
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BIN } from './agent-process.js';
import { runMo, type MoResult } from './cli.js';
import { waitFor } from './wait.js';

/** `mo dev --json`'s ready report (its first line on stdout). */
export interface DevReady {
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
  ready: DevReady;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGINT (Ctrl-C), then SIGKILL if it has not ended within `graceMs`; removes its data dir. */
  stop: (graceMs?: number) => Promise<void>;
}

const dirs: string[] = [];
const started: Dev['child'][] = [];

/** Kills (SIGKILL) every `mo dev` startDev started that still runs, and removes their data dirs. */
export function killStartedDevs(): void {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Starts `mo dev --json --port-base 0 [args]` in a temp data dir and resolves with its ready report. */
export async function startDev(...args: string[]): Promise<Dev> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mo-dev-test-'));
  dirs.push(dataDir);
  const child = spawnDev(['--json', '--port-base', '0', '--data-dir', dataDir, ...args]);
  started.push(child);
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exit = child.then((r) => ({ code: r.exitCode ?? null, signal: (r.signal ?? null) as NodeJS.Signals | null }));
  const ready = await new Promise<DevReady>((resolve, reject) => {
    const timer = after(45_000, () => reject(new Error(`mo dev not ready after 45 s:\n${err}`)));
    void (async () => {
      // The ready report is its first line on stdout; the rest is read too, so it never blocks.
      for await (const line of child.iterable({ from: 'stdout' })) {
        timer.cancel();
        resolve(JSON.parse(line) as DevReady);
      }
    })().catch(reject);
    void exit.then(({ code }) => {
      timer.cancel();
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
  const stop = async (graceMs = 30_000): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const timer = after(graceMs, () => child.kill('SIGKILL'));
      await exit.finally(() => timer.cancel());
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { child, ready, stderr: () => err, exit, stop };
}

/** Each dev scheduler's credentials for the CLI (what mo dev's export lines say). */
const credentials = new Map<string, Record<string, string>>();

/** The CLI against a dev scheduler, with the credentials of the mo dev that started it. */
export function devMo(scheduler: string, ...args: string[]): Promise<MoResult> {
  return runMo(['--scheduler', scheduler, ...args], { timeoutMs: 20_000, env: credentials.get(scheduler) ?? {} });
}

/** Waits for a line of mo dev's stderr and returns its match. */
export function devStderrLine(dev: Dev, re: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  return waitFor(`mo dev to print ${re}\n${dev.stderr()}`, () => re.exec(dev.stderr()) ?? undefined, { timeoutMs });
}
