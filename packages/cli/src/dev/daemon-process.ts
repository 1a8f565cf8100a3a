// One run of a dev daemon (mo-scheduler or mo-agent) as a child process of `mo dev`: its own
// session, its JSON log lines turned into prefixed lines, its ready line and its exit observed.
// A daemon that is restarted gets a new DaemonProcess; the cluster keeps the daemon's slot.
import { after, type Timer } from '@mo/api/timers';
import { readProcStat } from '@mo/agent';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
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
}

export class DaemonProcess {
  readonly pid: number;
  /** Its start time (clock ticks since boot): with the pid, what identifies its session later. */
  readonly startTime: number | undefined;
  /** Resolves with the ready line's fields. */
  readonly ready: Promise<Record<string, unknown>>;
  /** Resolves once it has exited (or could not be started). */
  readonly exited: Promise<DaemonExit>;
  private readonly child: ChildProcess;
  private readyNow = false;
  private exitedNow = false;

  constructor(o: DaemonProcessOptions) {
    const shebang = shebangOf(o.bin);
    this.child = spawn(process.execPath, [...shebang.flags, o.bin, ...o.args], {
      // Its own session and process group: Ctrl-C in a terminal reaches only `mo dev`, which then
      // stops the workloads before the daemons; and what it leaves in its session can be found.
      // (The flip side: if `mo dev` itself is SIGKILLed, the daemons keep running.)
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...shebang.env },
    });
    this.pid = this.child.pid ?? -1;
    // Not reaped before our 'exit' event, so this pid is still this child.
    this.startTime = readProcStat(this.pid)?.startTime;
    let markReady: (fields: Record<string, unknown>) => void = () => {};
    this.ready = new Promise((resolve) => (markReady = resolve));
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        const { text, fields } = formatLogLine(line);
        if (fields?.msg === o.readyMsg) {
          this.readyNow = true;
          markReady(fields);
        }
        o.log(`${o.prefix}${text}`);
      });
    }
    this.exited = new Promise((resolve) => {
      const done = (e: DaemonExit) => {
        if (this.exitedNow) return;
        this.exitedNow = true;
        resolve(e);
      };
      this.child.once('exit', (code, signal) => done({ code, signal }));
      this.child.once('error', (error) => {
        // Without a pid it could not be spawned, and no 'exit' follows. (Other errors: a failed kill.)
        if (this.child.pid === undefined) done({ code: null, signal: null, error });
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
    try {
      this.child.kill(sig);
    } catch {
      // Gone in the meantime.
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within `timeoutMs`; true if it needed SIGKILL. */
  async terminate(timeoutMs: number): Promise<boolean> {
    if (!this.alive) return false;
    this.signal('SIGTERM');
    let timer: Timer | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = after(timeoutMs, () => resolve(true), { ref: true });
    });
    const late = await Promise.race([this.exited.then(() => false), timedOut]);
    timer?.cancel();
    if (late) {
      this.signal('SIGKILL');
      await this.exited;
    }
    return late;
  }
}
