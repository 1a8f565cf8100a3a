// Checks deploy/systemd/mo-scheduler.service: the directives the scheduler depends on, a comment
// above every directive, and a clean `systemd-analyze verify` of the committed file, byte for byte.
//
// Same approach as the agent's unit test (packages/agent/test/systemd-unit.test.ts): `verify`
// insists that every Exec*= binary exists, and /usr/local/bin/mo-scheduler is not installed on a
// build machine, so we verify inside a scratch root (`--root=`, systemd >= 250): the unit copied
// unchanged to <root>/etc/systemd/system/, an executable placeholder at each Exec*= path, and a copy
// of the host's unit directory so that network.target and multi-user.target resolve as on a real
// host. Any output at all fails the test: verify exits 0 on most mistakes and only prints them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { requireTool } from '@mo/testkit';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const UNIT_NAME = 'mo-scheduler.service';
const UNIT_PATH = fileURLToPath(new URL(`../../../deploy/systemd/${UNIT_NAME}`, import.meta.url));
const SCHEDULER_BINARY = '/usr/local/bin/mo-scheduler';
const HOST_UNIT_DIRS = ['/usr/lib/systemd/system', '/lib/systemd/system'];
const TOOL = 'systemd-analyze (Debian package systemd)';

const unitText = readFileSync(UNIT_PATH, 'utf8');
const lines = unitText.split('\n');

const analyzeFound = spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).error === undefined;
// Outside CI a missing tool skips the verify tests (requireTool prints why); in CI they run and fail.
const itWithAnalyze = analyzeFound || process.env.CI === 'true' ? it : it.skip;
if (!analyzeFound && process.env.CI !== 'true') requireTool(false, TOOL);

const isDirective = (line: string) => /^[A-Za-z][A-Za-z0-9]*=/.test(line);

/** `KEY=value` pairs of one section, in order. */
function directives(section: string): [string, string][] {
  const out: [string, string][] = [];
  let current = '';
  for (const line of lines) {
    const header = /^\[(.+)\]$/.exec(line);
    if (header) current = header[1]!;
    else if (current === section && isDirective(line)) {
      const eq = line.indexOf('=');
      out.push([line.slice(0, eq), line.slice(eq + 1)]);
    }
  }
  return out;
}

/** Absolute paths of the programs named by Exec*= lines (after the @-:+! prefixes). */
function execPaths(text: string): string[] {
  return [...text.matchAll(/^Exec[A-Za-z]*=[@\-:+!|]*(\/\S+)/gm)].map((m) => m[1]!);
}

describe(`deploy/systemd/${UNIT_NAME}`, () => {
  it.each([
    ['Unit', 'After', 'network.target'],
    [
      'Service',
      'ExecStart',
      `${SCHEDULER_BINARY} --grpc-listen 0.0.0.0:7600 --http-listen 0.0.0.0:7601 --data-dir /var/lib/mo/scheduler`,
    ],
    ['Service', 'StateDirectory', 'mo/scheduler'],
    ['Service', 'KillMode', 'control-group'],
    ['Service', 'Restart', 'on-failure'],
    ['Service', 'RestartSec', '2'],
    ['Service', 'DynamicUser', 'yes'],
    ['Service', 'ProtectSystem', 'strict'],
    ['Service', 'NoNewPrivileges', 'yes'],
    ['Service', 'Environment', 'MO_LOG_LEVEL=info'],
    ['Service', 'LimitNOFILE', '65536'],
    ['Install', 'WantedBy', 'multi-user.target'],
  ])('sets [%s] %s=%s', (section, key, value) => {
    expect(directives(section)).toContainEqual([key, value]);
  });

  it('keeps the data dir writable: no ReadOnlyPaths/InaccessiblePaths/TemporaryFileSystem over /var/lib', () => {
    const masking = directives('Service').filter(
      ([key, value]) => /^(ReadOnlyPaths|InaccessiblePaths|TemporaryFileSystem)$/.test(key) && /\/var\/lib/.test(value),
    );
    expect(masking).toEqual([]);
  });

  it('leaves out MemoryDenyWriteExecute, which breaks the V8 JIT', () => {
    expect(directives('Service').map(([key]) => key)).not.toContain('MemoryDenyWriteExecute');
  });

  it('has a comment line directly above every directive and section header', () => {
    const bare = lines
      .map((line, i) => ({ line, n: i + 1, previous: lines[i - 1] ?? '' }))
      .filter(({ line }) => isDirective(line) || line.startsWith('['))
      .filter(({ previous }) => !previous.startsWith('#'))
      .map(({ n, line }) => `${n}: ${line}`);
    expect(bare).toEqual([]);
  });

  describe('systemd-analyze verify', () => {
    let root: string;
    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), 'mo-systemd-root-'));
      const copied = new Set<string>();
      for (const dir of HOST_UNIT_DIRS) {
        if (!existsSync(dir)) continue;
        const real = realpathSync(dir); // on merged-/usr hosts /lib/systemd/system is /usr/lib/...
        if (copied.has(real)) continue;
        copied.add(real);
        cpSync(dir, join(root, dir), { recursive: true, verbatimSymlinks: true });
      }
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    /** Output lines of `systemd-analyze --root=<root> verify` for `text` installed as the unit. */
    function verify(text: string): { status: number | null; lines: string[] } {
      const unitDir = join(root, 'etc/systemd/system');
      mkdirSync(unitDir, { recursive: true });
      writeFileSync(join(unitDir, UNIT_NAME), text);
      for (const path of execPaths(text)) {
        mkdirSync(join(root, dirname(path)), { recursive: true });
        writeFileSync(join(root, path), '#!/bin/sh\nexit 0\n');
        chmodSync(join(root, path), 0o755);
      }
      const r = spawnSync('systemd-analyze', [`--root=${root}`, 'verify', UNIT_NAME], {
        encoding: 'utf8',
        env: { ...process.env, SYSTEMD_LOG_COLOR: '0', SYSTEMD_PAGER: 'cat' },
      });
      if (r.error) throw r.error;
      const output = `${r.stdout}${r.stderr}`
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => l.replaceAll(root, '<root>'));
      return { status: r.status, lines: output };
    }

    itWithAnalyze('accepts the committed unit without a single warning', () => {
      requireTool(analyzeFound, TOOL);
      expect(readFileSync(UNIT_PATH, 'utf8')).toBe(unitText);
      const result = verify(unitText);
      expect(result.lines).toEqual([]);
      expect(result.status).toBe(0);
    });

    // Guards the check above against passing vacuously, on the kind of line this unit adds.
    itWithAnalyze.each([
      [
        'a misspelt sandboxing value',
        (t: string) => t.replace('ProtectProc=invisible', 'ProtectProc=invisble'),
        /invisble/,
      ],
      ['an unknown key', (t: string) => t.replace('RestartSec=2', 'RestartSec=2\nRestartSecs=2'), /RestartSecs/],
      [
        'an unknown system call group',
        (t: string) => t.replace('SystemCallFilter=@system-service', 'SystemCallFilter=@system-servce'),
        /system-servce/,
      ],
    ])('reports %s in an altered copy', (_, alter, expected) => {
      requireTool(analyzeFound, TOOL);
      const altered = alter(unitText);
      expect(altered).not.toBe(unitText);
      const result = verify(altered);
      expect(result.lines.join('\n')).toMatch(expected);
    });
  });
});
