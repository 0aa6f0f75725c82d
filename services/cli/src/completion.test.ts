// Shell completion: the script `leadstream completion bash` prints, sourced into a real bash and asked what
// completes a partly typed line, as bash asks it on TAB.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { run } from './cli.js'
import type { Io } from './render.js'

const capture = () => {
  const seen = { out: '', err: '' }
  const io: Io = {
    out: (s) => void (seen.out += s),
    err: (s) => void (seen.err += s),
    errIsTty: false,
    columns: 100,
    signal: new AbortController().signal,
    drained: async () => undefined,
  }
  return { io, seen }
}

const script = async (shell: string): Promise<{ code: number; out: string; err: string }> => {
  const { io, seen } = capture()
  const code = await run(['completion', shell], {}, io)
  return { code, ...seen }
}

/** What bash offers for `line` (the cursor at its end; a trailing space starts a new word). */
const complete = (file: string, line: string): ReadonlyArray<string> => {
  const words = line.split(' ')
  const quoted = words.map((w) => `'${w}'`).join(' ')
  const r = spawnSync(
    'bash',
    ['-c', `source '${file}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _leadstream; printf '%s\\n' "\${COMPREPLY[@]}"`],
    { encoding: 'utf8' },
  )
  assert.is(r.status, 0, r.stderr)
  return r.stdout.split('\n').filter((l) => l !== '')
}

const test = suite('completion')

test('bash :: groups, commands and each command’s flags complete; a flag’s value is left alone', async () => {
  const { code, out } = await script('bash')
  assert.is(code, 0)
  const file = join(mkdtempSync(join(tmpdir(), 'leadstream-completion-')), 'leadstream.bash')
  writeFileSync(file, out)
  assert.equal(complete(file, 'leadstream '), [
    'projections',
    'dead-letters',
    'parked',
    'events',
    'import',
    'relay',
    'privacy',
    'webhooks',
    'completion',
    '--url',
    '--ingest-url',
    '--projector-url',
    '--relay-url',
    '--webhooks-url',
    '--token',
    '--json',
    '-h',
    '--help',
  ])
  assert.equal(complete(file, 'leadstream proj'), ['projections'])
  assert.equal(complete(file, 'leadstream projections re'), ['rebuild', 'resume'])
  assert.equal(complete(file, 'leadstream dead-letters list --st'), ['--status'])
  assert.equal(complete(file, 'leadstream --url http://x:1 events tail -'), [
    '--from',
    '-f',
    '--follow',
    '--url',
    '--ingest-url',
    '--projector-url',
    '--relay-url',
    '--webhooks-url',
    '--token',
    '--json',
    '-h',
    '--help',
  ])
  assert.equal(complete(file, 'leadstream events tail --from '), [], 'a position is not guessed')
  assert.equal(complete(file, 'leadstream projections rebuild leads --no'), ['--no-wait'])
})

test('zsh :: the same function through bashcompinit; an unknown shell is a usage error', async () => {
  const zsh = await script('zsh')
  assert.is(zsh.code, 0)
  assert.match(zsh.out, /^#compdef leadstream\n/)
  assert.match(zsh.out, /bashcompinit/)
  assert.match(zsh.out, /complete -F _leadstream leadstream/)
  const fish = await script('fish')
  assert.is(fish.code, 2)
  assert.match(fish.err, /<shell>: expected bash or zsh, got "fish"/)
  assert.is(fish.out, '')
})

test.run()
