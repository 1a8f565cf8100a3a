// Checks deploy/systemd/mo-agent.service: the directives the agent's invariants depend on, a comment
// above every directive, and a clean `systemd-analyze verify` of the committed file, byte for byte.
//
// `verify` insists that every Exec*= binary exists, and /usr/local/bin/mo-agent is not installed on a
// build machine. Instead of editing the unit, we verify it inside a scratch root (`--root=`, systemd
// >= 250): the unit copied unchanged to <root>/etc/systemd/system/, an executable placeholder at each
// Exec*= path, and a copy of the host's own unit directory so that sysinit.target, basic.target,
// network-online.target and multi-user.target resolve as on a real host. (A symlink to the host's
// unit directory does not work: under --root, systemd resolves absolute symlinks inside the root.)
// `verify` works without systemd running as PID 1, as in containers.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
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

const UNIT_NAME = 'mo-agent.service';
const UNIT_PATH = fileURLToPath(new URL(`../../../deploy/systemd/${UNIT_NAME}`, import.meta.url));
const AGENT_BINARY = '/usr/local/bin/mo-agent';
const HOST_UNIT_DIRS = ['/usr/lib/systemd/system', '/lib/systemd/system'];

const unitText = readFileSync(UNIT_PATH, 'utf8');
const lines = unitText.split('\n');

const analyzeFound = spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).error === undefined;
if (!analyzeFound && process.env.CI !== 'true') {
  console.warn(
    `skipping \`systemd-analyze verify\` of ${UNIT_NAME}: systemd-analyze is not installed (Debian: systemd)`,
  );
}
const itWithAnalyze = analyzeFound || process.env.CI === 'true' ? it : it.skip;
function requireAnalyze(): void {
  if (!analyzeFound) throw new Error('systemd-analyze is missing: CI must install it (Debian package `systemd`)');
}

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
  it('signals only the agent process, so restarting the agent does not kill its workloads', () => {
    expect(directives('Service')).toContainEqual(['KillMode', 'process']);
  });

  it.each([
    ['Unit', 'Wants', 'network-online.target'],
    ['Unit', 'After', 'network-online.target docker.service'],
    ['Service', 'ExecStart', `${AGENT_BINARY} --data-dir /var/lib/mo/agent`],
    ['Service', 'ExecReload', '/bin/kill -HUP $MAINPID'],
    ['Service', 'StateDirectory', 'mo/agent'],
    ['Service', 'Restart', 'on-failure'],
    ['Service', 'RestartSec', '2'],
    ['Service', 'Environment', 'MO_LOG_LEVEL=info'],
    ['Service', 'LimitNOFILE', '65536'],
    ['Service', 'LimitNPROC', 'infinity'],
    ['Service', 'TasksMax', 'infinity'],
    ['Install', 'WantedBy', 'multi-user.target'],
  ])('sets [%s] %s=%s', (section, key, value) => {
    expect(directives(section)).toContainEqual([key, value]);
  });

  it('has a comment line directly above every directive and section header', () => {
    const bare = lines
      .map((line, i) => ({ line, n: i + 1, previous: lines[i - 1] ?? '' }))
      .filter(({ line }) => isDirective(line) || line.startsWith('['))
      .filter(({ previous }) => !previous.startsWith('#'))
      .map(({ n, line }) => `${n}: ${line}`);
    expect(bare).toEqual([]);
  });

  it('names programs that exist on a real host, apart from the agent itself', () => {
    const others = execPaths(unitText).filter((p) => p !== AGENT_BINARY);
    expect(others).toContain('/bin/kill');
    for (const path of others) expect(() => accessSync(path, constants.X_OK)).not.toThrow();
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

    /** Output lines of `systemd-analyze --root=<root> verify` for `text` installed as mo-agent.service. */
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
      requireAnalyze();
      expect(readFileSync(UNIT_PATH, 'utf8')).toBe(unitText);
      const result = verify(unitText);
      expect(result.lines).toEqual([]);
      expect(result.status).toBe(0);
    });

    // Guards the check above against passing vacuously: systemd-analyze exits 0 on many unit
    // mistakes (unknown keys, bad values) and only prints them, which is why any output fails.
    itWithAnalyze.each([
      ['a misspelt value', (t: string) => t.replace('KillMode=process', 'KillMode=procss'), /kill mode/i],
      ['an unknown key', (t: string) => t.replace('RestartSec=2', 'RestartSec=2\nRestartSecs=2'), /RestartSecs/],
      ['a missing program', (t: string) => `${t}\n[Service]\nExecStartPre=nope-not-a-path\n`, /nope-not-a-path/],
    ])('reports %s in an altered copy', (_, alter, expected) => {
      requireAnalyze();
      const result = verify(alter(unitText));
      expect(result.lines.join('\n')).toMatch(expected);
    });
  });
});
