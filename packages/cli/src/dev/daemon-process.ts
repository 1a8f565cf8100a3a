// One run of a dev daemon (mo-scheduler or mo-agent) as a child process of `mo dev`, started with
// execa: its own session, its JSON log lines (each stream's, as lines) turned into prefixed lines,
// its ready line and its exit observed; stopped with SIGTERM, then SIGKILL after the stop timeout.
// A daemon that is restarted gets a new DaemonProcess; the cluster keeps the daemon's slot.
import { readProcStat } from '@mo/agent';
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatLogLine } from './log-lines.js';

/** A package's executable, from its resolved entry point (`dist/index.js` → `bin/<name>.js`). */
export function binOf(pkg: string, bin: string): string {
  try {
    return fileURLToPath(new URL(`../bin/${bin}.js`, import.meta.resolve(pkg)));
  } catch (err) {
    // An installed release (scripts/package.sh) has no packages to resolve: its daemons are the
    // bundle's entries beside this module (/usr/lib/mo/dist/mo-agent.js), with the same first line.
    const beside = fileURLToPath(new URL(`./${bin}.js`, import.meta.url));
    if (existsSync(beside)) return beside;
    throw err;
  }
}

/**
 * What an executable's `#!/usr/bin/env -S [NAME=value …] node [flags …]` line asks for: its
 * environment (malloc tunables) and Node flags (we run it with our node, which ignores the line).
 */
function shebangOf(script: string): { env: Record<string, string>; flags: string[] } {
  const first = readFileSync(script, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!\S*env -S((?: [A-Z_][A-Z0-9_]*=\S*)*) node((?: \S+)*)\s*$/.exec(first);
  const words = (s: string | undefined) => s?.trim().split(' ').filter(Boolean) ?? [];
  const env = Object.fromEntries(words(m?.[1]).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
  return { env, flags: words(m?.[2]) };
}

function startDaemon(nodeArgs: string[], env: Record<string, string>, stopTimeoutMs: number) {
  return execa(process.execPath, nodeArgs, {
    // Its own session and process group: Ctrl-C in a terminal reaches only `mo dev`, which then
    // stops the workloads before the daemons; and what it leaves in its session can be found.
    // (The flip side: if `mo dev` itself is SIGKILLed, the daemons keep running; and execa's
    // `cleanup` does not apply to a detached child: mo dev stops its daemons itself, in order.)
    detached: true,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    env,
    // terminate()'s SIGTERM is followed by SIGKILL after this long.
    forceKillAfterDelay: stopTimeoutMs,
  });
}

export interface DaemonExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all. */
  error?: Error;
}

/** `killed by SIGKILL`, `exit code 1`, or why it could not start. */
export function describeExit(e: DaemonExit): string {
  if (e.error) return e.error.message;
  return e.signal ? `killed by ${e.signal}` : `exit code ${e.code}`;
}

export interface DaemonProcessOptions {
  bin: string;
  args: string[];
  /** Put before each of its log lines (`dev-0     | `). */
  prefix: string;
  /** The `msg` of its ready line (`agent ready`). */
  readyMsg: string;
  log: (line: string) => void;
  /** Between terminate()'s SIGTERM and SIGKILL. */
  stopTimeoutMs: number;
}

export class DaemonProcess {
  readonly pid: number;
  /** Its start time (clock ticks since boot): with the pid, what identifies its session later. */
  readonly startTime: number | undefined;
  /** Resolves with the ready line's fields. */
  readonly ready: Promise<Record<string, unknown>>;
  /** Resolves once it has exited (or could not be started). */
  readonly exited: Promise<DaemonExit>;
  private readonly child: ReturnType<typeof startDaemon>;
  private readyNow = false;
  private exitedNow = false;
  /** We sent SIGKILL ourselves (so a death by SIGKILL is not terminate()'s timeout). */
  private killedByUs = false;

  constructor(o: DaemonProcessOptions) {
    const shebang = shebangOf(o.bin);
    const child = startDaemon([...shebang.flags, o.bin, ...o.args], shebang.env, o.stopTimeoutMs);
    this.child = child;
    this.pid = child.pid ?? -1;
    // Not reaped before our 'exit' event, so this pid is still this child.
    this.startTime = readProcStat(this.pid)?.startTime;
    let markReady: (fields: Record<string, unknown>) => void = () => {};
    this.ready = new Promise((resolve) => (markReady = resolve));
    // Each stream in lines of its own (a merged stream could splice a line of one into the other's).
    for (const from of ['stdout', 'stderr'] as const) {
      void (async () => {
        for await (const line of child.iterable({ from })) {
          const { text, fields } = formatLogLine(line);
          if (fields?.msg === o.readyMsg) {
            this.readyNow = true;
            markReady(fields);
          }
          o.log(`${o.prefix}${text}`);
        }
      })().catch(() => {
        // Its end is reported by `exited`.
      });
    }
    this.exited = new Promise((resolve) => {
      const done = (e: DaemonExit) => {
        if (this.exitedNow) return;
        this.exitedNow = true;
        resolve(e);
      };
      // The 'exit' event, not execa's promise: that one also waits for the pipes to close, which
      // what the daemon leaves in its session may hold until the cluster kills it on this event.
      child.once('exit', (code, signal) => done({ code, signal }));
      void child.then((r) => {
        // Without a pid it could not be spawned, and no 'exit' follows.
        if (child.pid === undefined) done({ code: null, signal: null, error: r.cause as Error });
      });
    });
  }

  /** It printed its ready line (and has not exited). */
  get isReady(): boolean {
    return this.readyNow && this.alive;
  }

  get alive(): boolean {
    return !this.exitedNow && this.child.exitCode === null && this.child.signalCode === null;
  }

  signal(sig: NodeJS.Signals): void {
    if (!this.alive) return;
    if (sig === 'SIGKILL') this.killedByUs = true;
    // execa's kill: SIGTERM is followed by SIGKILL after the stop timeout (forceKillAfterDelay).
    this.child.kill(sig);
  }

  /** SIGTERM, then SIGKILL if it has not exited within the stop timeout; true if it needed SIGKILL. */
  async terminate(): Promise<boolean> {
    if (!this.alive) return false;
    this.signal('SIGTERM');
    const exit = await this.exited;
    return exit.signal === 'SIGKILL' && !this.killedByUs;
  }
}
