// `leadstream completion bash|zsh`: a completion script generated from the commander tree itself, so a new
// group or flag completes without touching this file. zsh runs the bash function through bashcompinit.
import type { Command as Program, Option } from 'commander'

export const shells = ['bash', 'zsh'] as const
export type Shell = (typeof shells)[number]

const flagsOf = (options: ReadonlyArray<Option>): ReadonlyArray<string> => options.flatMap((o) => [o.short, o.long].filter((f): f is string => f !== undefined))

const takesValue = (o: Option): boolean => o.required || o.optional

/** `"path") words="…" ;;` for every group and command: what may follow the words typed so far. */
const cases = (program: Program): ReadonlyArray<readonly [path: string, words: ReadonlyArray<string>]> => {
  const globals = [...flagsOf(program.options), '-h', '--help']
  const rows: Array<readonly [string, ReadonlyArray<string>]> = [['', [...program.commands.map((c) => c.name()), ...globals]]]
  for (const group of program.commands) {
    rows.push([group.name(), [...group.commands.map((c) => c.name()), ...globals]])
    for (const c of group.commands) rows.push([`${group.name()} ${c.name()}`, [...flagsOf(c.options), ...globals]])
  }
  return rows
}

const bash = (program: Program): string => {
  const all = [program, ...program.commands, ...program.commands.flatMap((g) => g.commands)]
  const valued = [...new Set(all.flatMap((c) => c.options.filter(takesValue).flatMap((o) => flagsOf([o]))))]
  const shellWord = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`
  const arms = cases(program)
    .map(([path, words]) =>
      path === ''
        ? `    '') words=${shellWord(words.join(' '))} ;;`
        : `    ${shellWord(path)} | ${shellWord(path)}' '*) words=${shellWord(words.join(' '))} ;;`,
    )
    .reverse() // the longest paths first
    .join('\n')
  return `# leadstream completion for bash: eval "$(leadstream completion bash)" (e.g. in ~/.bashrc)
_leadstream() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" path="" words="" skip=0 i w
  ((COMP_CWORD > 0)) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  # The group and command typed so far, without flags and their values.
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$w" in
      ${valued.join('|')}) skip=1 ;;
      -*) ;;
      *) path="\${path:+$path }$w" ;;
    esac
  done
  case "$prev" in
    --data-dir) COMPREPLY=($(compgen -d -- "$cur")); return 0 ;;
    ${valued.join('|')}) COMPREPLY=(); return 0 ;;
  esac
  case "$path" in
${arms}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _leadstream leadstream
`
}

export const completionScript = (program: Program, shell: Shell): string =>
  shell === 'bash'
    ? bash(program)
    : `#compdef leadstream\n# leadstream completion for zsh: eval "$(leadstream completion zsh)" (e.g. in ~/.zshrc)\nautoload -U +X bashcompinit && bashcompinit\n${bash(program)}`
