// The CLI helper: a long-lived Node process of one user that runs the fast path's commands for
// the `mo` front (native/mo-front.c), so a script's `mo start` does not pay for starting Node.
// Each call runs with the caller's arguments, environment and working directory, and writes its
// stdout and stderr back as frames (protocol.ts); a call the fast path does not take is declined
// ('F') and the front runs the Node CLI. It exits after `MO_CLI_HELPER_IDLE_MS` (default a
// minute) without calls. The socket lives in a directory only its user can enter (checked here
// as the front checks it), so only that user's processes reach it: the helper can do nothing
// they could not do with their own credentials, which each call names and which are read per call.
import { lstatSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import { after, type Timer } from '@mo/api/timers';
import { connect, createServer, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import { fastPath, parseFast } from '../fast.js';
import type { CliIo } from '../io.js';
import { WirePool } from './wire-pool.js';
import { frame, parseRequest, requestLength, type FrameType, type HelperRequest } from './protocol.js';

const DEFAULT_IDLE_MS = 60_000;
/** A caller must send its request within this; the front sends it at once. */
const REQUEST_TIMEOUT_MS = 5_000;
/** Calls served at once; more wait in the kernel's backlog (the front's connect blocks). */
const MAX_CONNECTIONS = 256;

/** Throws unless `dir` is a directory of this user that nobody else can enter. */
export function checkPrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  const uid = process.getuid?.() ?? -1;
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0) {
    throw new Error(`${dir}: not a private directory of uid ${uid} (mode 0700): no CLI helper there`);
  }
}

/** Whether a helper answers at `path` already. */
function alive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Connections kept between calls (wire-pool.ts). */
const pool = new WirePool();

/** Runs one call: the fast path with the caller's environment and directory. */
async function runCall(req: HelperRequest, io: CliIo): Promise<number> {
  const code = await fastPath(['mo', 'mo', ...req.args], req.env, io, { cwd: req.cwd, wirePool: pool });
  return code ?? 1;
}

/** A stream of one kind of frame on the socket; a caller gone away makes it a sink. */
function frameStream(socket: Socket, type: FrameType): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (socket.destroyed) return done();
      socket.write(frame(type, chunk), () => done());
    },
  });
}

function finished(stream: Writable): Promise<void> {
  return new Promise((resolve) => stream.end(resolve));
}

export async function serve(socketPath: string, env: NodeJS.ProcessEnv): Promise<void> {
  const idleMs = Number(env.MO_CLI_HELPER_IDLE_MS) > 0 ? Number(env.MO_CLI_HELPER_IDLE_MS) : DEFAULT_IDLE_MS;
  checkPrivateDir(dirname(socketPath));
  // Started twice at once (two fronts found none): the second one leaves.
  if (await alive(socketPath)) return;
  try {
    unlinkSync(socketPath); // a dead helper's
  } catch {
    // none
  }
  process.umask(0o077);
  let open = 0;
  let ino = -1;
  let idle: Timer | undefined;
  let closing = false;
  const server = createServer({ allowHalfOpen: true });
  server.maxConnections = MAX_CONNECTIONS;

  const shutdown = () => {
    closing = true;
    server.close();
    pool.close();
    try {
      if (statSync(socketPath).ino === ino) unlinkSync(socketPath);
    } catch {
      // gone already
    }
    if (open === 0) process.exit(0);
  };
  const armIdle = () => {
    idle?.cancel();
    if (open === 0 && !closing) idle = after(idleMs, shutdown);
  };

  server.on('connection', (socket) => {
    open++;
    idle?.cancel();
    socket.on('error', () => undefined);
    socket.once('close', () => {
      open--;
      if (closing && open === 0) process.exit(0);
      armIdle();
    });
    void handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    // Another helper bound it first.
    if (err.code === 'EADDRINUSE') process.exit(0);
    throw err;
  });
  ino = statSync(socketPath).ino;
  armIdle();
}

/** Reads the request, then runs it or declines it. */
async function handle(socket: Socket): Promise<void> {
  let req: HelperRequest;
  try {
    req = await readRequest(socket);
  } catch {
    socket.destroy();
    return;
  }
  // What the fast path does not take exactly, the Node CLI runs (from the front, by exec).
  if (!parseFast(req.args, req.env)) {
    socket.end(frame('F'));
    return;
  }
  socket.write(frame('A'));
  const io = { stdout: frameStream(socket, 'O'), stderr: frameStream(socket, 'E') };
  let code: number;
  try {
    code = await runCall(req, io);
  } catch (err) {
    io.stderr.write(`mo: internal error in the CLI helper: ${(err as Error).stack ?? String(err)}\n`);
    code = 1;
  }
  await Promise.all([finished(io.stdout), finished(io.stderr)]);
  if (!socket.destroyed) socket.end(frame('X', Uint8Array.of(code & 0xff)));
}

function readRequest(socket: Socket): Promise<HelperRequest> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let have = 0;
    let need = -1;
    const timer = after(REQUEST_TIMEOUT_MS, () => done(new Error('request timed out')));
    const done = (err?: Error, req?: HelperRequest) => {
      timer.cancel();
      socket.off('data', onData);
      socket.off('end', onEnd);
      if (err) reject(err);
      else resolve(req!);
    };
    const onEnd = () => done(new Error('closed before its request'));
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      have += chunk.length;
      try {
        if (need < 0 && have >= 4) need = requestLength(chunks.length === 1 ? chunk : Buffer.concat(chunks));
        if (need >= 0 && have > 4 + need) throw new RangeError('data after the request');
        if (need >= 0 && have === 4 + need) done(undefined, parseRequest(Buffer.concat(chunks).subarray(4)));
      } catch (err) {
        done(err as Error);
      }
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
  });
}
