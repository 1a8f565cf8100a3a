// The command-line life of a daemon (mo-agent, mo-scheduler): parse flags, start, stop cleanly on
// SIGTERM/SIGINT. Exit codes: 0 after a clean stop, 1 when it cannot start, 2 for bad flags.
import { flushLogs } from './log.js';

export interface DaemonSpec<Options, Daemon extends { close(): Promise<void> }> {
  /** The program name, used in messages ("mo-agent"). */
  name: string;
  help: string;
  version: string;
  /** Flags -> options; throws an Error naming the bad flag. */
  parse(argv: string[]): Options | 'help' | 'version';
  start(options: Options): Promise<Daemon>;
  /** Extra wiring once it runs (e.g. SIGHUP). */
  onStarted?(daemon: Daemon): void;
}

export async function runDaemon<Options, Daemon extends { close(): Promise<void> }>(
  spec: DaemonSpec<Options, Daemon>,
  argv: string[],
): Promise<void> {
  let parsed: Options | 'help' | 'version';
  try {
    parsed = spec.parse(argv);
  } catch (err) {
    process.stderr.write(`${spec.name}: ${(err as Error).message}\n${spec.help}\n`);
    process.exitCode = 2;
    return;
  }
  if (parsed === 'help') return void process.stdout.write(spec.help + '\n');
  if (parsed === 'version') return void process.stdout.write(spec.version + '\n');
  let daemon: Daemon;
  try {
    daemon = await spec.start(parsed);
  } catch (err) {
    // The same JSON line shape as the daemons' own logs, so log shippers see it.
    const line = {
      ts: new Date().toISOString(),
      level: 'error',
      msg: `${spec.name} failed to start`,
      error: (err as Error).message,
    };
    flushLogs();
    process.stderr.write(JSON.stringify(line) + '\n');
    process.exitCode = 1;
    return;
  }
  const shutdown = () => {
    void daemon.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  spec.onStarted?.(daemon);
}
