// LEADSTREAM_LEAD_SOURCES: extra lead-source mappings, decoded by the one config loader; a bad pair is named.
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { loadConfig } from '@leadstream/runtime'
import { ingestSettings } from './settings.js'

const test = suite('ingestSettings')

test('leadSources :: empty by default; source=Storefront pairs are parsed', () => {
  const none = loadConfig(ingestSettings, {})
  assert.equal(E.isRight(none) && none.right.leadSources, {})
  const some = loadConfig(ingestSettings, { LEADSTREAM_LEAD_SOURCES: ' TestDrive=AzureMarketplace, Trial = AppSource ' })
  assert.equal(E.isRight(some) && some.right.leadSources, { TestDrive: 'AzureMarketplace', Trial: 'AppSource' })
})

test('leadSources :: an unknown storefront is refused, naming the variable and the pair', () => {
  const bad = loadConfig(ingestSettings, { LEADSTREAM_LEAD_SOURCES: 'TestDrive=AzureMarketplace,Foo=Moon' })
  assert.ok(E.isLeft(bad))
  if (E.isLeft(bad)) {
    assert.is(bad.left.length, 1)
    assert.match(bad.left[0] ?? '', /^LEADSTREAM_LEAD_SOURCES: .*"Foo=Moon"/)
  }
})

test.run()
