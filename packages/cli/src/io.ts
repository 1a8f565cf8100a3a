// Where the CLI writes: the process's streams by default, anything stream-like in tests.
import { once } from 'node:events';

/** The two output streams a command may write to. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr };
}

/**
 * Writes and waits for the stream to drain when its buffer is full, so a long `mo logs` piped
 * into a slow reader does not pile up in memory.
 */
export async function write(stream: NodeJS.WritableStream, data: string | Uint8Array): Promise<void> {
  if (!stream.write(data)) await once(stream, 'drain');
}

/** One JSON document: indented, because people read `--json` output as often as programs do. */
export function writeJson(io: CliIo, value: unknown): Promise<void> {
  return write(io.stdout, `${JSON.stringify(value, null, 2)}\n`);
}
