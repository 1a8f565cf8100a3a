// `mo completion bash|zsh` as a user loads it: the built `mo` prints the script, the shells parse
// it (`bash -n`, `zsh -n`), and bash, given the words typed so far (COMP_WORDS), proposes what mo
// has. zsh is checked for syntax and that it registers `_mo` for `mo` (driving zsh's completion
// widgets needs a terminal: zpty, which this test does without).
import { beforeAll, describe, expect, it } from '@jest/globals';
import { requireTool, runMo } from '@mo/testkit';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const hasZsh = requireTool(spawnSync('zsh', ['-fc', 'true']).status === 0, 'zsh (Debian package zsh)');
const withZsh = hasZsh ? it : it.skip;

let dir: string;
const scripts: Record<'bash' | 'zsh', string> = { bash: '', zsh: '' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mo-completion-'));
  for (const shell of ['bash', 'zsh'] as const) {
    const r = await runMo(['completion', shell]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    scripts[shell] = join(dir, `mo.${shell}`);
    writeFileSync(scripts[shell], r.stdout);
  }
  return () => rmSync(dir, { recursive: true, force: true });
});

/** What the bash completion proposes after `words` (the last one is being completed). */
function complete(...words: string[]): string[] {
  const script =
    `source ${JSON.stringify(scripts.bash)}; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _mo; ` +
    'printf "%s\\n" "${COMPREPLY[@]}"';
  const r = spawnSync('bash', ['-c', script, 'bash', ...words], { encoding: 'utf8', cwd: dir });
  expect(r.stderr).toBe('');
  return [...new Set(r.stdout.split('\n').filter(Boolean))].sort();
}

describe('mo completion', () => {
  it('prints a bash script that bash -n accepts', () => {
    expect(spawnSync('bash', ['-n', scripts.bash]).status).toBe(0);
  });

  withZsh('prints a zsh script that zsh -n accepts and that registers _mo for mo', () => {
    expect(spawnSync('zsh', ['-n', scripts.zsh]).status).toBe(0);
    const r = spawnSync(
      'zsh',
      ['-fc', `autoload -U compinit; compinit -u -d ${dir}/zcompdump; source ${scripts.zsh}; print -r -- $_comps[mo]`],
      { encoding: 'utf8' },
    );
    expect(r.stdout).toBe('_mo\n');
  });

  it.each([
    [
      ['mo', 'st'],
      ['start', 'status', 'stop'],
    ],
    [['mo', 'pipeline', 'r'], ['run']],
    [['mo', 'logs', '--pr'], ['--previous']],
    [['mo', '--json', 'comp'], ['completion']],
    [['mo', 'start', '--name', 'st'], []], // a flag's value: nothing to propose
    [['mo', 'tls', 'ca', 'c'], ['create']],
  ])('after %j proposes %j', (words, expected) => {
    expect(complete(...words)).toEqual(expected);
  });

  it('proposes the flags of the command typed, the global ones included', () => {
    const flags = complete('mo', 'logs', '--');
    expect(flags).toEqual(
      expect.arrayContaining(['--follow', '--previous', '--alloc', '--tail', '--scheduler', '--json']),
    );
    expect(complete('mo', 'dev', '--')).not.toContain('--scheduler');
  });

  it("proposes commands after --, where the words are the workload's", () => {
    expect(complete('mo', 'start', '--wait', '--', 'ech')).toContain('echo');
  });

  it('proposes files for flags and arguments that are files', () => {
    writeFileSync(join(dir, 'pipe.yaml'), 'x');
    expect(complete('mo', 'pipeline', 'run', 'pip')).toEqual(['pipe.yaml']);
    expect(complete('mo', '--ca-cert', 'pip')).toEqual(['pipe.yaml']);
  });

  it('refuses another shell, naming the argument', async () => {
    const r = await runMo(['completion', 'fish']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('mo: <shell>: expected bash, zsh; got "fish"');
  });
});
