// `mo logs ID [-f] [--tail N] [--stdout|--stderr]`: StreamWorkloadLogs (the scheduler proxies the
// node that runs or ran the workload; StreamLogs on the agent with --agent), each chunk to the
// stream it came from (raw bytes), or one JSON object per chunk with --json. Ctrl-C ends a follow.
import type { LogChunk__Output, LogStream, StreamLogsRequest, StreamWorkloadLogsRequest } from '@mo/api';
import type { Command } from 'commander';
import { StringDecoder } from 'node:string_decoder';
import { addGlobalOptions, type CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { parseCount } from '../flags.js';
import { write, type CliIo } from '../io.js';
import { resolveWorkloadId } from '../refs/resolve.js';
import { followLogs } from './logs-follow.js';

export interface LogsFlags {
  follow?: boolean;
  previous?: boolean;
  alloc?: string;
  tail?: string;
  stdout?: boolean;
  stderr?: boolean;
}

const INT32_MAX = 2 ** 31 - 1;

export function buildLogsRequest(workloadId: string, flags: LogsFlags): StreamLogsRequest {
  if (flags.stdout && flags.stderr) {
    throw new UsageError('cannot be combined with --stderr (give neither for both streams)', '--stdout');
  }
  const stream: LogStream = flags.stdout
    ? 'LOG_STREAM_STDOUT'
    : flags.stderr
      ? 'LOG_STREAM_STDERR'
      : 'LOG_STREAM_UNSPECIFIED';
  return {
    workloadId,
    stream,
    tailLines: flags.tail === undefined ? 0 : parseCount(flags.tail, '--tail', INT32_MAX),
    follow: flags.follow === true,
  };
}

/** The scheduler's request: which allocation (--previous, --alloc) on top of the agent's fields. */
export function buildWorkloadLogsRequest(workloadId: string, flags: LogsFlags): StreamWorkloadLogsRequest {
  if (flags.previous && flags.alloc !== undefined) {
    throw new UsageError('cannot be combined with --alloc (pick one allocation)', '--previous');
  }
  if (flags.alloc !== undefined && flags.alloc.trim() === '') throw new UsageError('is empty', '--alloc');
  return {
    ...buildLogsRequest(workloadId, flags),
    ...(flags.alloc !== undefined ? { allocationId: flags.alloc.trim() } : {}),
    ...(flags.previous ? { previous: true } : {}),
  };
}

/** Where chunks go: raw to the matching stream, or as JSON lines on stdout. */
interface ChunkSink {
  write(chunk: LogChunk__Output): Promise<void>;
  end(): Promise<void>;
}

function rawSink(io: CliIo): ChunkSink {
  return {
    write: (chunk) => write(chunk.stream === 'LOG_STREAM_STDERR' ? io.stderr : io.stdout, chunk.data),
    end: async () => {},
  };
}

/**
 * One `{"stream":"stdout","data":"..."}` line per chunk. A decoder per stream keeps a UTF-8
 * character that a chunk boundary split in two from turning into two replacement characters.
 */
function jsonSink(io: CliIo): ChunkSink {
  const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  const line = (stream: keyof typeof decoders, data: string) =>
    data ? write(io.stdout, `${JSON.stringify({ stream, data })}\n`) : Promise.resolve();
  return {
    write: (chunk) => {
      const stream = chunk.stream === 'LOG_STREAM_STDERR' ? 'stderr' : 'stdout';
      return line(stream, decoders[stream].write(chunk.data));
    },
    end: async () => {
      await line('stdout', decoders.stdout.end());
      await line('stderr', decoders.stderr.end());
    },
  };
}

function isBrokenPipe(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'EPIPE';
}

export function registerLogs(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('logs')
    .summary("print a workload's output")
    .description(
      "Print a workload's stdout and stderr, each to the same stream of this process: its current allocation's, " +
        'or an earlier one (a restart starts a new allocation; `mo status ID` lists them). With -f, the ' +
        "next allocation after a restart is followed too (one line on stderr says so). An earlier allocation's " +
        'logs stay on its node only until that node drops them (--max-log-disk, --max-ended): then they are gone.',
    )
    .argument(
      '<id>',
      'workload id, unique id prefix (6+ characters) or name of a live workload (--agent: the exact id)',
    )
    .option('-f, --follow', 'keep streaming until the workload ends, across restarts (Ctrl-C to stop)')
    .option('-p, --previous', 'the allocation before the current one (the run a restart replaced)')
    .option('--alloc <id>', 'this allocation of the workload (its current one or an earlier one)')
    .option('--tail <n>', 'start with the last n lines of each stream (0: everything kept)')
    .option('--stdout', 'only the stdout stream')
    .option('--stderr', 'only the stderr stream');
  addGlobalOptions(cmd).action(async (id: string, flags: LogsFlags, self: Command) => {
    const globals = ctx.resolve(self);
    const req = buildWorkloadLogsRequest(id, flags);
    if (globals.target.kind === 'agent' && (flags.previous || flags.alloc !== undefined)) {
      throw new UsageError(
        'needs the scheduler, not --agent (an agent knows one allocation per id)',
        flags.previous ? '--previous' : '--alloc',
      );
    }
    const sink = globals.json ? jsonSink(ctx.io) : rawSink(ctx.io);
    const abort = new AbortController();
    const stop = () => abort.abort();
    // A reader that went away (`mo logs -f x | head`) is a normal end, not a crash. The listeners
    // stay attached: EPIPE can surface after the last write, and an unhandled one prints a trace.
    const onStreamError = (err: unknown) => {
      if (isBrokenPipe(err)) stop();
    };
    ctx.io.stdout.on('error', onStreamError);
    ctx.io.stderr.on('error', onStreamError);
    if (req.follow) process.once('SIGINT', stop);
    try {
      const copy = async (chunks: AsyncIterable<LogChunk__Output>) => {
        for await (const chunk of chunks) {
          if (abort.signal.aborted) break;
          await sink.write(chunk);
        }
      };
      await (globals.target.kind === 'agent'
        ? ctx.withAgent(globals, (client) => copy(client.streamLogs(buildLogsRequest(id, flags), abort.signal)))
        : ctx.withScheduler(globals, async (client) => {
            const resolved = { ...req, workloadId: await resolveWorkloadId(client, id) };
            // Across restarts only when following the current allocation; a chosen one is read alone.
            return resolved.follow && !resolved.previous && !resolved.allocationId
              ? followLogs(client, resolved, copy, (line) => ctx.io.stderr.write(line), abort.signal)
              : copy(client.streamLogs(resolved, abort.signal));
          }));
      await sink.end();
    } catch (err) {
      if (!isBrokenPipe(err)) throw err;
    } finally {
      process.removeListener('SIGINT', stop);
    }
  });
}
