// `mo completion bash|zsh`: a completion script generated from the commander tree, so it cannot
// drift from the commands and flags mo has. The tree becomes shell `case` tables (the same text for
// bash and zsh) and a small driver per shell walks the words typed so far: subcommands descend, a
// flag that takes a value skips its value, and after `--` the words are the workload's command.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { parseChoice } from '../flags.js';
import { write } from '../io.js';

/** One command of the tree, as completion needs it. */
export interface CompletionNode {
  /** Space-separated path from the root ('' for `mo`, 'pipeline run'). */
  readonly path: string;
  readonly subcommands: readonly string[];
  readonly flags: readonly string[];
  /** Flags that take a value, and what kind of value ('file', 'dir' or 'other'). */
  readonly valued: ReadonlyMap<string, 'file' | 'dir' | 'other'>;
  /** Its positional argument is a file (`mo pipeline run <file>`). */
  readonly fileArgument: boolean;
}

export const SHELLS = ['bash', 'zsh'] as const;
export type Shell = (typeof SHELLS)[number];

/** Every visible command of `program`, depth first. */
export function completionTree(program: Command): CompletionNode[] {
  const out: CompletionNode[] = [];
  const visit = (cmd: Command, path: string) => {
    const subs = cmd.commands.filter((c) => !(c as { _hidden?: boolean })._hidden);
    const flags: string[] = [];
    const valued = new Map<string, 'file' | 'dir' | 'other'>();
    for (const o of cmd.options.filter((o) => !o.hidden)) {
      const names = [o.short, o.long].filter((n): n is string => n !== undefined);
      flags.push(...names);
      // Only a required value takes the next word whatever it is (`--wait` may stand alone).
      if (o.required) {
        const kind = /<(file|dir)>/.exec(o.flags)?.[1] as 'file' | 'dir' | undefined;
        for (const n of names) valued.set(n, kind ?? 'other');
      }
    }
    flags.push('-h', '--help');
    const fileArgument = cmd.registeredArguments.some((a) => /file/.test(a.name()));
    out.push({ path, subcommands: subs.map((c) => c.name()), flags, valued, fileArgument });
    for (const c of subs) visit(c, path ? `${path} ${c.name()}` : c.name());
  };
  visit(program, '');
  return out;
}

/** The `case` tables both shells read: subcommands, flags and valued flags per command path. */
function tables(tree: readonly CompletionNode[]): string {
  const table = (fn: string, pick: (n: CompletionNode) => readonly string[]) =>
    [
      `${fn}() {`,
      '  case "$1" in',
      ...tree.filter((n) => pick(n).length > 0).map((n) => `    '${n.path}') echo '${pick(n).join(' ')}' ;;`),
      '  esac',
      '}',
    ].join('\n');
  const kinds = (kind: string) => (n: CompletionNode) => [...n.valued].filter(([, k]) => k === kind).map(([f]) => f);
  return [
    table('__mo_subcommands', (n) => n.subcommands),
    table('__mo_flags', (n) => n.flags),
    table('__mo_valued', (n) => [...n.valued.keys()]),
    table('__mo_file_flags', kinds('file')),
    table('__mo_dir_flags', kinds('dir')),
    `__mo_file_argument() {\n  __mo_in "$1" '${tree
      .filter((n) => n.fileArgument)
      .map((n) => n.path.replace(/ /g, '_'))
      .join(' ')}'\n}`,
    // A word is in a list: both shells have [[ ]] and glob matching.
    '__mo_in() { [[ " $2 " == *" $1 "* ]]; }',
  ].join('\n\n');
}

/**
 * The walk both drivers share, written once in the subset of syntax bash and zsh agree on:
 * sets `__mo_path` (the command the words name), `__mo_prev_valued` (the previous word is a flag
 * waiting for its value) and `__mo_after_dashdash`. Takes the words before the current one.
 */
const WALK = `__mo_walk() {
  __mo_path='' __mo_prev_valued='' __mo_after_dashdash=''
  local w
  for w in "$@"; do
    if [[ -n $__mo_prev_valued ]]; then __mo_prev_valued=''; continue; fi
    if [[ $w == -- ]]; then __mo_after_dashdash=1; return; fi
    if [[ $w == -* ]]; then
      if [[ $w != *=* ]] && __mo_in "$w" "$(__mo_valued "$__mo_path")"; then __mo_prev_valued=$w; fi
      continue
    fi
    if __mo_in "$w" "$(__mo_subcommands "$__mo_path")"; then __mo_path="\${__mo_path:+$__mo_path }$w"; fi
  done
}`;

const BASH_DRIVER = `_mo() {
  local cur=\${COMP_WORDS[COMP_CWORD]}
  __mo_walk "\${COMP_WORDS[@]:1:COMP_CWORD-1}"
  if [[ -n $__mo_after_dashdash ]]; then
    COMPREPLY=($(compgen -c -- "$cur"))
  elif [[ -n $__mo_prev_valued ]]; then
    if __mo_in "$__mo_prev_valued" "$(__mo_file_flags "$__mo_path")"; then COMPREPLY=($(compgen -f -- "$cur"))
    elif __mo_in "$__mo_prev_valued" "$(__mo_dir_flags "$__mo_path")"; then COMPREPLY=($(compgen -d -- "$cur"))
    else COMPREPLY=()
    fi
  elif [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(__mo_flags "$__mo_path")" -- "$cur"))
  elif __mo_file_argument "\${__mo_path// /_}"; then
    COMPREPLY=($(compgen -f -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(__mo_subcommands "$__mo_path")" -- "$cur"))
  fi
}
complete -F _mo mo`;

const ZSH_DRIVER = `_mo() {
  local cur=\${words[CURRENT]}
  __mo_walk "\${(@)words[2,CURRENT-1]}"
  if [[ -n $__mo_after_dashdash ]]; then
    _command_names -e
  elif [[ -n $__mo_prev_valued ]]; then
    if __mo_in "$__mo_prev_valued" "$(__mo_file_flags "$__mo_path")"; then _files
    elif __mo_in "$__mo_prev_valued" "$(__mo_dir_flags "$__mo_path")"; then _files -/
    fi
  elif [[ $cur == -* ]]; then
    compadd -- \${=$(__mo_flags "$__mo_path")}
  elif __mo_file_argument "\${__mo_path// /_}"; then
    _files
  else
    compadd -- \${=$(__mo_subcommands "$__mo_path")}
  fi
}
compdef _mo mo`;

/** The completion script for `shell`. */
export function completionScript(shell: Shell, tree: readonly CompletionNode[]): string {
  const how =
    shell === 'bash'
      ? '# bash completion for mo. Load it with: source <(mo completion bash)\n' +
        '# or install it: mo completion bash > /etc/bash_completion.d/mo'
      : '#compdef mo\n# zsh completion for mo. Load it (after compinit) with: source <(mo completion zsh)';
  return `${how}\n\n${tables(tree)}\n\n${WALK}\n\n${shell === 'bash' ? BASH_DRIVER : ZSH_DRIVER}\n`;
}

export function registerCompletion(program: Command, ctx: CliContext): void {
  program
    .command('completion')
    .summary('print a shell completion script (bash, zsh)')
    .description(
      'Print a completion script for bash or zsh: commands, subcommands and flags, and file names for ' +
        'flags that take a file. Load it in the current shell with `source <(mo completion bash)` (zsh: ' +
        'after compinit), or save it where your shell loads completions from.',
    )
    .argument('<shell>', SHELLS.join(' or '))
    .action(async (shell: string) => {
      const which = parseChoice(shell, '<shell>', SHELLS);
      await write(ctx.io.stdout, completionScript(which, completionTree(program)));
    });
}
