// The `mo` front (native/mo-front.c) and the CLI helper (src/helper/), as built, against a real
// scheduler and agent: the first call of a script runs the Node CLI and starts a helper; later
// ones are served by it (proved by a PATH without node, which the Node CLI would need) with the
// same output and exit codes; the caller's directory and environment are the call's; a terminal,
// a shared directory or MO_CLI_HELPER=off keep the Node CLI; a stale socket is replaced; a
// hostile caller on the socket is dropped; the helper leaves when idle.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CLI_FRONT, cliHelpersUnder, startCluster, testCliEnv, testPki, waitFor, type Cluster } from '@mo/testkit';
import { execa } from 'execa';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

let cluster: Cluster;
const roots: string[] = [];

/** A fresh private runtime directory (XDG_RUNTIME_DIR) and the helper socket's directory in it. */
function runtimeDir(mode = 0o700): { xdg: string; dir: string } {
  const xdg = mkdtempSync(join(tmpdir(), 'mo-front-'));
  roots.push(xdg);
  const dir = join(xdg, 'mo');
  mkdirSync(dir, { mode });
  chmodSync(dir, mode);
  return { xdg, dir };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `mo ARGS` through the front, with only these variables (and the cluster's credentials). */
async function front(args: string[], env: Record<string, string>, cwd?: string): Promise<Run> {
  const r = await execa(CLI_FRONT, args, {
    env: { PATH: process.env.PATH!, MO_SCHEDULER_ADDR: cluster.scheduler.grpcAddress, ...testCliEnv(), ...env },
    extendEnv: false,
    reject: false,
    timeout: 30_000,
    stripFinalNewline: false,
    ...(cwd ? { cwd } : {}),
  });
  if (r.exitCode === undefined) throw r;
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

/** Not a directory with node in it: the Node CLI cannot start, so a success came from the helper. */
const NO_NODE = { PATH: '/nonexistent' };

function socketIn(dir: string): string | undefined {
  const s = readdirSync(dir).find((f) => f.endsWith('.sock'));
  return s && join(dir, s);
}

/** A helper answering in `dir`: what the first call there started. */
async function helperUp(dir: string): Promise<string> {
  let path: string | undefined;
  await waitFor('a CLI helper listening', async () => {
    path = socketIn(dir);
    return !!path && (await answers(path));
  });
  return path!;
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => resolve(true));
    s.once('error', () => resolve(false));
    s.once('connect', () => s.destroy());
  });
}

beforeAll(async () => {
  cluster = await startCluster({ agents: 1 });
}, 60_000);

afterAll(async () => {
  for (const root of roots) {
    for (const pid of cliHelpersUnder(root)) process.kill(pid, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
  await cluster?.stop();
});

describe('the mo front and its CLI helper', () => {
  it('serves a script after its first call, with the Node CLI output and exit codes', async () => {
    const { xdg, dir } = runtimeDir();
    const env = { XDG_RUNTIME_DIR: xdg, MO_CLI_HELPER_IDLE_MS: '60000' };
    // No helper yet: the Node CLI runs it (and starts one).
    expect(socketIn(dir)).toBeUndefined();
    const first = await front(['start', '--json', '--', '/bin/true'], env);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    const socket = await helperUp(dir);
    expect(statSync(socket).mode & 0o077).toBe(0); // its own user's only

    const viaHelper = await front(['start', '--json', '--wait=exit', '--', 'sh', '-c', 'exit 3'], {
      ...env,
      ...NO_NODE,
    });
    expect(viaHelper.code).toBe(4);
    const id = (JSON.parse(viaHelper.stdout) as { workload: { id: string } }).workload.id;
    // The same question both ways: the same answer.
    const off = await front(['ps', '--all', '--json'], { ...env, MO_CLI_HELPER: 'off' });
    const on = await front(['ps', '--all', '--json'], { ...env, ...NO_NODE });
    expect(on).toMatchObject({ code: 0, stderr: '' });
    expect(on.stdout).toBe(off.stdout);
    expect(JSON.parse(on.stdout).workloads.map((w: { id: string }) => w.id)).toContain(id);
    const status = await front(['status', id.slice(0, 10)], { ...env, ...NO_NODE });
    expect(status).toMatchObject({ code: 0, stdout: expect.stringMatching(/exit 3/) });
    // Failures: the same code and message as the Node CLI's.
    for (const args of [
      ['status', 'no-such-name'],
      ['start', '--cpu', 'lots', '--', 'true'],
      ['--timeout', '5', 'ps'],
    ]) {
      const a = await front(args, { ...env, ...NO_NODE });
      const b = await front(args, { ...env, MO_CLI_HELPER: 'off' });
      expect({ args, code: a.code, stderr: a.stderr }).toEqual({ args, code: b.code, stderr: b.stderr });
      expect(a.code).not.toBe(0);
    }
    // A scheduler that is not there: exit 3 naming it, from the helper too.
    const down = await front(['ps'], { ...env, ...NO_NODE, MO_SCHEDULER_ADDR: '127.0.0.1:1' });
    expect(down).toMatchObject({ code: 3, stderr: expect.stringMatching(/cannot reach scheduler/) });
  }, 60_000);

  it("runs each call with the caller's directory and environment", async () => {
    const { xdg, dir } = runtimeDir();
    const env = { XDG_RUNTIME_DIR: xdg };
    await front(['ps'], { ...env, MO_TOKEN: 'mo_first_caller' });
    await helperUp(dir);
    // The helper keeps nothing of the call that started it: its own environment is Node's needs.
    const [pid] = cliHelpersUnder(xdg);
    const own = readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((e) => e.split('=')[0]);
    expect(own.sort()).toEqual(['MO_CLI_HELPER_SERVE', 'PATH']); // (and HOME, when the caller has one)
    // Credentials named relative to the caller's directory, none in the environment.
    const pki = testPki();
    const rel = await front(
      [
        'ps',
        '--ca-cert',
        basename(pki.ca),
        '--client-cert',
        basename(pki.client.cert),
        '--client-key',
        basename(pki.client.key),
      ],
      { ...env, ...NO_NODE, MO_CA_CERT: '', MO_CLIENT_CERT: '', MO_CLIENT_KEY: '' },
      dirname(pki.ca),
    );
    expect(rel).toMatchObject({ code: 0, stderr: '' });
    // The next call without them has none: nothing of the last call's stays in the helper.
    const none = await front(['ps'], { ...env, ...NO_NODE, MO_CA_CERT: '', MO_CLIENT_CERT: '', MO_CLIENT_KEY: '' });
    expect(none).toMatchObject({ code: 2, stderr: expect.stringMatching(/no credentials/) });
    // Several at once.
    const many = await Promise.all(
      Array.from({ length: 12 }, () => front(['start', '--', '/bin/true'], { ...env, ...NO_NODE })),
    );
    expect(many.map((r) => r.code)).toEqual(Array(12).fill(0));
    expect(new Set(many.map((r) => r.stdout.split(' ')[0])).size).toBe(12);
  }, 60_000);

  it('keeps one connection for the calls made the same way, a new one for another way', async () => {
    const { xdg, dir } = runtimeDir();
    const env = { XDG_RUNTIME_DIR: xdg, ...NO_NODE };
    await front(['ps'], { XDG_RUNTIME_DIR: xdg });
    await helperUp(dir);
    const [pid] = cliHelpersUnder(xdg);
    const port = cluster.scheduler.grpcAddress.split(':').pop();
    const connections = async () => {
      const r = await execa('ss', ['-Htnp', 'state', 'established', `( dport = :${port} )`]);
      return r.stdout.split('\n').filter((l) => l.includes(`pid=${pid},`)).length;
    };
    for (let i = 0; i < 5; i++) expect(await front(['ps'], env)).toMatchObject({ code: 0 });
    expect(await front(['start', '--', '/bin/true'], env)).toMatchObject({ code: 0 });
    expect(await connections()).toBe(1);
    // Another deadline is another connection (so is another certificate, token or proxy).
    expect(await front(['--timeout', '7s', 'ps'], env)).toMatchObject({ code: 0 });
    expect(await connections()).toBe(2);
  }, 60_000);

  it('keeps the Node CLI for other commands, MO_CLI_HELPER=off and a directory others can enter', async () => {
    const { xdg, dir } = runtimeDir();
    const env = { XDG_RUNTIME_DIR: xdg };
    await front(['ps'], env);
    await helperUp(dir);
    // Not a fast-path command: declined, and run by the Node CLI.
    const version = await front(['--version'], env);
    expect(version).toMatchObject({ code: 0, stdout: expect.stringMatching(/\d+\.\d+\.\d+/) });
    expect(await front(['--version'], { ...env, ...NO_NODE })).toMatchObject({ code: 1 });
    expect(await front(['ps'], { ...env, ...NO_NODE, MO_CLI_HELPER: 'off' })).toMatchObject({ code: 1 });
    // A directory others can enter is never used (no socket made there, nothing served).
    const shared = runtimeDir(0o755);
    expect(await front(['ps'], { XDG_RUNTIME_DIR: shared.xdg })).toMatchObject({ code: 0 });
    expect(await front(['ps'], { XDG_RUNTIME_DIR: shared.xdg, ...NO_NODE })).toMatchObject({ code: 1 });
    expect(readdirSync(shared.dir)).toEqual([]);
  }, 60_000);

  it('replaces a dead helper and drops a hostile caller', async () => {
    const { xdg, dir } = runtimeDir();
    const env = { XDG_RUNTIME_DIR: xdg };
    await front(['ps'], env);
    const socket = await helperUp(dir);
    // Garbage, then a length over the bound: each connection is closed, the helper goes on.
    for (const bytes of [Buffer.from('GET / HTTP/1.1\r\n\r\n'), Buffer.from([0xff, 0xff, 0xff, 0xff])]) {
      await new Promise<void>((resolve) => {
        const s = connect(socket, () => s.write(bytes));
        s.on('data', () => undefined);
        s.once('close', () => resolve());
        s.once('error', () => undefined);
      });
    }
    expect(await front(['ps'], { ...env, ...NO_NODE })).toMatchObject({ code: 0 });
    // Killed: its socket stays behind. The next call runs the Node CLI and starts a new helper.
    const [pid] = cliHelpersUnder(xdg);
    process.kill(pid!, 'SIGKILL');
    // Gone once its socket refuses: /proc shows no environment a little before its files close.
    await waitFor('the helper gone', async () => cliHelpersUnder(xdg).length === 0 && !(await answers(socket)));
    expect(existsSync(socket)).toBe(true);
    unlinkSync(`${socket}.spawn`); // started at most every 10 s: not wait for that here
    expect(await front(['ps'], env)).toMatchObject({ code: 0 });
    await waitFor('a new helper', () => cliHelpersUnder(xdg).length === 1);
    await helperUp(dir);
    expect(await front(['ps'], { ...env, ...NO_NODE })).toMatchObject({ code: 0 });
  }, 60_000);

  it('leaves when idle, removing its socket', async () => {
    const { xdg, dir } = runtimeDir();
    await front(['ps'], { XDG_RUNTIME_DIR: xdg, MO_CLI_HELPER_IDLE_MS: '1500' });
    // Its socket may be gone before this looks, on a slow machine: the process is the evidence.
    await waitFor('a helper', () => cliHelpersUnder(xdg).length === 1);
    await waitFor('the idle helper gone', () => cliHelpersUnder(xdg).length === 0, { timeoutMs: 20_000 });
    expect(socketIn(dir)).toBeUndefined();
  }, 40_000);

  it('keeps the Node CLI on a terminal (colour and prompts are per terminal)', async () => {
    const { xdg, dir } = runtimeDir();
    await front(['ps'], { XDG_RUNTIME_DIR: xdg });
    await helperUp(dir);
    // `script` gives the call a pseudo-terminal; without node on PATH only the helper could answer.
    const cmd = `XDG_RUNTIME_DIR=${xdg} PATH=/nonexistent ${CLI_FRONT} ps; echo "exit=$?"`;
    const r = await execa('script', ['-qec', cmd, '/dev/null'], {
      env: { PATH: process.env.PATH!, MO_SCHEDULER_ADDR: cluster.scheduler.grpcAddress, ...testCliEnv() },
      extendEnv: false,
      reject: false,
    });
    expect(r.stdout).toMatch(/exit=1/);
  }, 30_000);
});
