// Country normalisation: every form a lead's country field arrives in maps to one ISO 3166-1 alpha-2 bucket.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { countries, countryCode, countryName, normaliseCountry } from './countries.js'

const test = suite('countries')

test('table :: every country once, alpha-2 and alpha-3 well formed and unique', () => {
  assert.is(countries.length, 249)
  assert.is(new Set(countries.map((c) => c.alpha2)).size, 249)
  assert.is(new Set(countries.map((c) => c.alpha3)).size, 249)
  assert.ok(countries.every((c) => /^[A-Z]{2}$/.test(c.alpha2) && /^[A-Z]{3}$/.test(c.alpha3) && c.name.length > 1))
})

test('normalise :: codes, names and common forms, any case and punctuation', () => {
  for (const s of ['US', 'us', 'USA', 'U.S.A.', 'United States', 'united states of america', ' United  States ', 'America']) assert.is(countryCode(s), 'US', s)
  for (const s of ['GB', 'GBR', 'UK', 'United Kingdom', 'Great Britain', 'England']) assert.is(countryCode(s), 'GB', s)
  assert.is(countryCode('Deutschland'), 'DE')
  assert.is(countryCode('DEU'), 'DE')
  assert.is(countryCode("Cote d'Ivoire"), 'CI')
  assert.is(countryCode('Côte d’Ivoire'), 'CI')
  assert.is(countryCode('Turkey'), 'TR')
  assert.is(countryCode('St. Kitts & Nevis'), 'KN')
  assert.is(countryCode('Korea, Republic of'), 'KR')
  assert.is(countryCode('Czech Republic'), 'CZ')
})

test('normalise :: empty or unrecognised forms go to unknown, never dropped', () => {
  assert.is(normaliseCountry(''), 'unknown')
  assert.is(normaliseCountry('Narnia'), 'unknown')
  assert.is(normaliseCountry('  '), 'unknown')
  assert.is(countryCode('Narnia'), null)
})

test('name :: English name of a code; the unknown bucket names itself', () => {
  assert.is(countryName('IN'), 'India')
  assert.is(countryName('unknown'), 'unknown')
})

test.run()
