// The config loader names every bad or missing setting; defaults are decoded like any value.
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { IntFromEnv, ListFromEnv, loadConfig, setting, StringFromEnv } from './config.js'

const settings = {
  port: setting('T_PORT', IntFromEnv('port', 0, 65535), 'port', '8080'),
  name: setting('T_NAME', StringFromEnv, 'a required name'),
  tokens: setting('T_TOKENS', ListFromEnv, 'tokens', ''),
  list: setting('T_LIST', ListFromEnv, 'a second list', 'x'),
}

const test = suite('loadConfig')

test('defaults :: applied and decoded', () => {
  const c = loadConfig(settings, { T_NAME: 'x' })
  assert.equal(c, E.right({ port: 8080, name: 'x', tokens: [], list: ['x'] }))
})

test('values :: lists are parsed', () => {
  const c = loadConfig(settings, { T_NAME: 'x', T_TOKENS: ' a, b ,,c', T_LIST: '' })
  assert.ok(E.isRight(c))
  if (E.isRight(c)) {
    assert.equal(c.right.tokens, ['a', 'b', 'c'])
    assert.equal(c.right.list, [])
  }
})

test('errors :: every bad or missing variable is named with its reason', () => {
  const c = loadConfig(settings, { T_PORT: '99999', T_TOKENS: '' })
  assert.ok(E.isLeft(c))
  if (E.isLeft(c)) {
    assert.is(c.left.length, 2)
    assert.ok(c.left.some((l) => l.startsWith('T_PORT: expected an integer from 0 to 65535')))
    assert.ok(c.left.some((l) => l.startsWith('T_NAME: missing')))
  }
})

test.run()
