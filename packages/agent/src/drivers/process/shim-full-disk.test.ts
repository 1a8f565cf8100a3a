// mo-shim on a full disk (a small tmpfs filled to the last byte): its records are written over
// space held ahead (the spare dirs' sized temp files, or exit.tmp the shim reserves itself right
// after the handshake), so the exit status is never lost.
import { afterAll, describe, expect, it } from '@jest/globals';
import { canMountTmpfs, mountTmpfs, requireTool, waitFor, type Tmpfs } from '@mo/testkit';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SHIM = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'dist', 'bin', 'mo-shim');
const disks: Tmpfs[] = [];
const groups: number[] = [];

afterAll(async () => {
  for (const g of groups) {
    try {
      process.kill(-g, 'SIGKILL');
    } catch {
      // gone
    }
  }
  for (const d of disks) await d.unmount();
});

/** Runs the standalone shim on dir; resolves with the handshake line. */
function startShim(dir: string, argv: string[]): Promise<string> {
  const proc = spawn(SHIM, [dir, '65536', '--', ...argv], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    proc.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) resolve(buf.trim());
    });
    proc.once('error', reject);
  });
}

function fullDisk(): Tmpfs | undefined {
  if (!requireTool(canMountTmpfs(), 'root (to mount a tmpfs)')) return undefined;
  const disk = mountTmpfs('mo-shim-full', 1024 * 1024);
  disks.push(disk);
  return disk;
}

const record = (dir: string, name: string) =>
  JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, unknown>;

describe('mo-shim on a full disk', () => {
  it('records the exit status into the exit.tmp it reserved after the handshake', async () => {
    const disk = fullDisk();
    if (!disk) return;
    const dir = join(disk.dir, 'w1');
    mkdirSync(dir);
    const gate = join(dirname(disk.dir), 'gate'); // outside the tmpfs: made once it is full
    const handshake = await startShim(dir, [
      'sh',
      '-c',
      `while [ ! -e ${gate} ]; do sleep 0.02; done; echo lost; exit 42`,
    ]);
    groups.push(Number(/^S (\d+)/.exec(handshake)![1]));
    await waitFor(
      'the reserved exit record',
      () => existsSync(join(dir, 'exit.tmp')) && statSync(join(dir, 'exit.tmp')).size === 2048,
    );
    disk.fill();
    expect(disk.freeBytes()).toBe(0);
    writeFileSync(gate, '');
    const exit = await waitFor('the exit record', () => existsSync(join(dir, 'exit')) && record(dir, 'exit'));
    expect(exit).toMatchObject({ exitCode: 42 });
    expect(existsSync(join(dir, 'exit.tmp'))).toBe(false);
    expect(readFileSync(join(dir, 'exit'), 'utf8')).toMatch(/^\{"exitCode":42,.*\}\n$/); // cut to length
  });

  it('writes its start and an exec failure over the sized temp files of a spare dir', async () => {
    const disk = fullDisk();
    if (!disk) return;
    const spare = (name: string) => {
      const dir = join(disk.dir, name);
      mkdirSync(dir);
      for (const f of ['started.tmp', 'exit.tmp']) writeFileSync(join(dir, f), Buffer.alloc(2048));
      return dir;
    };
    const running = spare('running');
    const failing = spare('failing');
    disk.fill();
    expect(disk.freeBytes()).toBe(0);

    const handshake = await startShim(running, ['sleep', '30']);
    const pid = Number(/^S (\d+)/.exec(handshake)![1]);
    groups.push(pid);
    const started = await waitFor(
      'the started record',
      () => existsSync(join(running, 'started')) && record(running, 'started'),
    );
    expect(started).toMatchObject({ pid });

    expect(await startShim(failing, ['/nonexistent/program'])).toMatch(/^E 2 /);
    const exit = await waitFor('the exec failure', () => existsSync(join(failing, 'exit')) && record(failing, 'exit'));
    expect(exit).toMatchObject({ errno: 2, execError: 'No such file or directory' });
  });
});
