// Helpers for testing systemd unit files in deploy/systemd: parse directives, and run a real
// `systemd-analyze verify` on a unit inside a scratch root.
//
// `verify` insists that every Exec*= binary exists, and /usr/bin/mo-* (the mo package's) are not installed on a
// build machine. Instead of editing the unit, it is verified inside a scratch root (`--root=`,
// systemd >= 250): the unit copied unchanged to <root>/etc/systemd/system/, an executable
// placeholder at each Exec*= path, and a copy of the host's own unit directory so that targets
// such as network-online.target and multi-user.target resolve as on a real host. (A symlink to the
// host's unit directory does not work: under --root, systemd resolves absolute symlinks inside the
// root.) `verify` works without systemd running as PID 1, as in containers. Any output at all is a
// finding: verify exits 0 on most mistakes and only prints them.
import { execaSync } from 'execa';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const HOST_UNIT_DIRS = ['/usr/lib/systemd/system', '/lib/systemd/system'];

export const isDirective = (line: string): boolean => /^[A-Za-z][A-Za-z0-9]*=/.test(line);

/** `KEY=value` pairs of one section of a unit, in order. */
export function unitDirectives(text: string, section: string): [string, string][] {
  const out: [string, string][] = [];
  let current = '';
  for (const line of text.split('\n')) {
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
export function unitExecPaths(text: string): string[] {
  return [...text.matchAll(/^Exec[A-Za-z]*=[@\-:+!|]*(\/\S+)/gm)].map((m) => m[1]!);
}

/** Directives and section headers with no comment line directly above them ("N: line"). */
export function uncommentedUnitLines(text: string): string[] {
  const lines = text.split('\n');
  return lines
    .map((line, i) => ({ line, n: i + 1, previous: lines[i - 1] ?? '' }))
    .filter(({ line }) => isDirective(line) || line.startsWith('['))
    .filter(({ previous }) => !previous.startsWith('#'))
    .map(({ n, line }) => `${n}: ${line}`);
}

/** True when `systemd-analyze` can be run here. */
export function systemdAnalyzeFound(): boolean {
  // Found if it ran at all, whatever its exit code.
  return execaSync('systemd-analyze', ['--version'], { stdio: 'ignore', reject: false }).exitCode !== undefined;
}

export interface UnitVerifier {
  /** Output lines (scratch root shown as <root>) and exit status of `verify` for `text` as `unitName`. */
  verify(text: string, unitName: string): { status: number | null; lines: string[] };
  close(): void;
}

export interface UnitVerifierOptions {
  /** An installed file tree (e.g. an unpacked .deb) copied into the root first: its Exec*= programs
   * are then the real ones, and only programs it lacks (/bin/kill) get placeholders. */
  tree?: string;
}

/** A scratch root with a copy of the host's unit directory, for `systemd-analyze --root=… verify`. */
export function createUnitVerifier(options: UnitVerifierOptions = {}): UnitVerifier {
  const root = mkdtempSync(join(tmpdir(), 'mo-systemd-root-'));
  if (options.tree !== undefined) cpSync(options.tree, root, { recursive: true, verbatimSymlinks: true });
  const copied = new Set<string>();
  for (const dir of HOST_UNIT_DIRS) {
    if (!existsSync(dir)) continue;
    const real = realpathSync(dir); // on merged-/usr hosts /lib/systemd/system is /usr/lib/...
    if (copied.has(real)) continue;
    copied.add(real);
    cpSync(dir, join(root, dir), { recursive: true, verbatimSymlinks: true });
  }
  return {
    verify(text, unitName) {
      const unitDir = join(root, 'etc/systemd/system');
      mkdirSync(unitDir, { recursive: true });
      writeFileSync(join(unitDir, unitName), text);
      for (const path of unitExecPaths(text)) {
        if (options.tree !== undefined && existsSync(join(root, path))) continue;
        mkdirSync(join(root, dirname(path)), { recursive: true });
        writeFileSync(join(root, path), '#!/bin/sh\nexit 0\n');
        chmodSync(join(root, path), 0o755);
      }
      const r = execaSync('systemd-analyze', [`--root=${root}`, 'verify', unitName], {
        env: { SYSTEMD_LOG_COLOR: '0', SYSTEMD_PAGER: 'cat' },
        reject: false,
      });
      if (r.exitCode === undefined) throw r; // could not be run
      const lines = `${r.stdout}\n${r.stderr}`
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => l.replaceAll(root, '<root>'));
      return { status: r.exitCode, lines };
    },
    close() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
