import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DaemonProcess, describeExit } from './daemon-process.js';

// A stand-in daemon (a real process): JSON lines on both streams, a ready line, and on SIGTERM
// either an exit or, with IGNORE_TERM, nothing.
const dir = mkdtempSync(join(tmpdir(), 'mo-daemon-process-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bin = join(dir, 'fake-daemon.js');
writeFileSync(
  bin,
  `#!/usr/bin/env node
const line = (msg, extra) => JSON.stringify({ ts: '2026-01-01T12:00:01.123Z', level: 'info', msg, ...extra });
process.on('SIGTERM', () => { if (process.argv[2] !== 'IGNORE_TERM') process.exit(0); });
process.stdout.write('plain text on stdout\\n');
process.stderr.write(line('fake ready', { grpc: '127.0.0.1:1' }) + '\\n');
setInterval(() => {}, 1000);
`,
);

function start(args: string[], stopTimeoutMs = 5_000): { proc: DaemonProcess; lines: string[] } {
  const lines: string[] = [];
  const proc = new DaemonProcess({
    bin,
    args,
    prefix: 'fake | ',
    readyMsg: 'fake ready',
    log: (l) => lines.push(l),
    stopTimeoutMs,
  });
  return { proc, lines };
}

describe('DaemonProcess', () => {
  it('prefixes the lines of both streams, resolves ready with its fields, and stops on SIGTERM', async () => {
    const { proc, lines } = start([]);
    expect(proc.pid).toBeGreaterThan(0);
    expect(proc.startTime).toBeGreaterThan(0);
    await expect(proc.ready).resolves.toMatchObject({ msg: 'fake ready', grpc: '127.0.0.1:1' });
    expect(proc.isReady).toBe(true);
    expect(lines).toContain('fake | 12:00:01.123 info  fake ready grpc=127.0.0.1:1');
    await expect(proc.terminate()).resolves.toBe(false);
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    expect(proc.alive).toBe(false);
    // Both streams, each line whole (stdout's may be read after the exit: wait for it, bounded).
    for (let i = 0; i < 100 && !lines.includes('fake | plain text on stdout'); i++) await sleep(50);
    expect(lines).toContain('fake | plain text on stdout');
  });

  it('SIGKILLs one that ignores SIGTERM after the stop timeout, and says so', async () => {
    const { proc } = start(['IGNORE_TERM'], 300);
    await proc.ready;
    await expect(proc.terminate()).resolves.toBe(true);
    const exit = await proc.exited;
    expect(describeExit(exit)).toBe('killed by SIGKILL');
  });

  it('does not count our own SIGKILL (a second Ctrl-C) as a stop timeout', async () => {
    const { proc } = start(['IGNORE_TERM'], 60_000);
    await proc.ready;
    const stopping = proc.terminate();
    proc.signal('SIGKILL');
    await expect(stopping).resolves.toBe(false);
  });
});
