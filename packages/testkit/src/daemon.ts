// Spawns a mo daemon (this process's node + the daemon's bin, through execa) and waits for its
// "<name> ready" JSON log line on stderr. Shared by the agent and scheduler launchers.
import { after } from '@mo/api/timers';
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ownDirs = new Set<string>();
let cleanupHooked = false;

/**
 * A temp data dir that is removed when this process exits (tests restart daemons on the same dir,
 * so it must outlive each daemon; thousands of test runs must not fill /tmp).
 */
export function tempDataDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  ownDirs.add(dir);
  if (!cleanupHooked) {
    cleanupHooked = true;
    process.once('exit', () => {
      for (const d of ownDirs) rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}

/** Starts the daemon's process: stderr piped (its JSON log lines), the rest ignored. */
function startProcess(argv: readonly string[], env: Record<string, string> | undefined) {
  const [cmd, ...args] = argv;
  return execa(cmd!, args, {
    env,
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    // A test's kill(signal) is exactly that signal: some tests time a graceful stop.
    forceKillAfterDelay: false,
    // execa's `cleanup` (the default) SIGTERMs a daemon the test process leaves behind when it exits.
  });
}

export interface SpawnedDaemon<Ready> {
  readonly child: ReturnType<typeof startProcess>;
  /** The parsed "ready" log line. */
  readonly ready: Ready;
  /** Everything the daemon logged so far. */
  logs(): string;
  /** Resolves when the process has exited (or could not be started). */
  readonly exited: Promise<void>;
}

export async function spawnDaemon<Ready>(options: {
  /** Program name for messages ("mo-agent"). */
  name: string;
  /** Node flags, the bin, and its arguments. */
  args: string[];
  /** A command to run node under, e.g. a test bed host's `ip netns exec NAME` (netns.ts). */
  wrap?: readonly string[];
  env?: Record<string, string>;
  /** The `msg` of the readiness log line ("agent ready"). */
  readyMsg: string;
  timeoutMs?: number;
}): Promise<SpawnedDaemon<Ready>> {
  const child = startProcess([...(options.wrap ?? []), process.execPath, ...options.args], options.env);
  let output = '';
  // The 'exit' event, not execa's promise alone: that one also waits for stderr to close, which an
  // agent's mo-shim launcher shares and may hold a little longer.
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    void child.then(() => resolve());
  });
  const marker = `"msg":"${options.readyMsg}"`;
  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = after(
      options.timeoutMs ?? 15_000,
      () => {
        child.kill('SIGKILL');
        reject(new Error(`${options.name} did not become ready in time; output:\n${output}`));
      },
      { ref: true },
    );
    // Read to the end (a daemon blocks on a full pipe), in whole lines.
    void (async () => {
      for await (const line of child.iterable({ from: 'stderr' })) {
        output += `${line}\n`;
        if (!line.includes(marker)) continue;
        timer.cancel();
        resolve(JSON.parse(line) as Ready);
      }
    })().catch(() => {});
    // Settles once its output is all read: the message has the daemon's last words.
    void child.then((r) => {
      timer.cancel();
      const how = r.cause instanceof Error && child.pid === undefined ? r.cause.message : (r.exitCode ?? r.signal);
      reject(new Error(`${options.name} exited (${how}) before it was ready; output:\n${output}`));
    });
  });
  return { child, ready, logs: () => output, exited };
}

/** A mo daemon running as a separate process, with a client connected to it. */
export interface DaemonProcess<Client> {
  readonly pid: number;
  readonly dataDir: string;
  readonly grpcAddress: string;
  readonly httpAddress: string;
  readonly client: Client;
  /** Everything the daemon logged so far (JSON lines). */
  logs(): string;
  /** Sends a signal and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts a daemon on loopback (debug logs) and connects `client` to its gRPC address. */
export async function startDaemonProcess<Client extends { close(): void }>(o: {
  name: string;
  bin: string;
  nodeFlags: readonly string[];
  dataDir: string;
  grpcListen?: string;
  /** HTTP listen address (default 127.0.0.1:0: inside a bed host's namespace, reachable only there). */
  httpListen?: string;
  extraArgs?: readonly string[];
  wrap?: readonly string[];
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  readyMsg: string;
  /** Where the ready line says the daemon listens. */
  addresses: (ready: Record<string, unknown>) => { grpc: string; http: string };
  client: (grpcAddress: string) => Client;
}): Promise<DaemonProcess<Client>> {
  const { child, ready, logs, exited } = await spawnDaemon<Record<string, unknown>>({
    name: o.name,
    args: [
      ...o.nodeFlags,
      o.bin,
      '--grpc-listen',
      o.grpcListen ?? '127.0.0.1:0',
      '--http-listen',
      o.httpListen ?? '127.0.0.1:0',
      '--data-dir',
      o.dataDir,
      '--log-level',
      'debug',
      ...(o.extraArgs ?? []),
    ],
    ...(o.env ? { env: o.env } : {}),
    ...(o.wrap ? { wrap: o.wrap } : {}),
    readyMsg: o.readyMsg,
    ...(o.readyTimeoutMs ? { timeoutMs: o.readyTimeoutMs } : {}),
  });
  const { grpc, http } = o.addresses(ready);
  const client = o.client(grpc);
  return {
    pid: child.pid!,
    dataDir: o.dataDir,
    grpcAddress: grpc,
    httpAddress: http,
    client,
    logs,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      client.close();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
