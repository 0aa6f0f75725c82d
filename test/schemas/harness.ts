// Loads every JSON Schema under schemas/ into one ajv, and compares its verdicts with a codec's, fixture by fixture.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import { decodeMarketplaceLead, defaultSources, fromValidation, problemsOf, type LeadError, type MarketplaceShape, keyedHash } from '@leadstream/domain'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import type { Test } from 'uvu'
import * as assert from 'uvu/assert'

// ---------------------------------------------------------------------------------------------------------
// the schemas
// ---------------------------------------------------------------------------------------------------------

export const schemasDir = join(resolve(import.meta.dirname, '../..'), 'schemas')

/** Every schema's $id is this base plus its path under schemas/, so relative $refs resolve like file paths. */
export const idBase = 'https://leadstream.example/schemas/'

export interface SchemaFile {
  /** Path under schemas/, with forward slashes: `events/LeadCaptured.v1.schema.json`. */
  readonly path: string
  readonly json: Readonly<Record<string, unknown>>
}

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const full = join(dir, name)
    return statSync(full).isDirectory() ? walk(full) : [full]
  })

export const schemaFiles: ReadonlyArray<SchemaFile> = walk(schemasDir)
  .filter((f) => f.endsWith('.schema.json'))
  .sort()
  .map((f) => ({
    path: relative(schemasDir, f).split(sep).join('/'),
    json: JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>,
  }))

export const hasSchema = (path: string): boolean => schemaFiles.some((f) => f.path === path)

// Strict mode stays on (unknown keywords and formats are errors, types must fit their keywords), with two
// idioms the schemas use allowed: ["string", "null"] for nullable, and `anyOf: [{required: [a]}, {required:
// [b]}]` for "a or b", whose branches name properties defined beside the anyOf rather than in each branch.
export const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, strictRequired: false, allErrors: true })
addFormats(ajv)
for (const f of schemaFiles) ajv.addSchema(f.json as object)

export const validatorOf = (path: string): ValidateFunction => {
  const v = ajv.getSchema(idBase + path)
  if (v === undefined) throw new Error(`no schema ${path} under ${schemasDir}`)
  return v
}

// ---------------------------------------------------------------------------------------------------------
// verdicts
// ---------------------------------------------------------------------------------------------------------

export interface Verdict {
  readonly ok: boolean
  /** Why it was refused (for the failure message). */
  readonly why: string
}
export type Check = (value: unknown) => Verdict

export const accepted: Verdict = { ok: true, why: '' }
export const refused = (why: string): Verdict => ({ ok: false, why })

export const bySchema =
  (path: string): Check =>
  (value) => {
    const validate = validatorOf(path)
    return validate(value) ? accepted : refused(ajv.errorsText(validate.errors))
  }

type IoTsErrors = Parameters<typeof fromValidation>[0]

/** The verdict of an io-ts `decode`. */
export const ofValidation = (r: { readonly _tag: 'Left'; readonly left: IoTsErrors } | { readonly _tag: 'Right' }): Verdict =>
  r._tag === 'Right' ? accepted : refused(JSON.stringify(fromValidation(r.left)))

/** The verdict of a domain decoder that returns `Either<LeadError, A>`. */
export const ofDecoder = (r: { readonly _tag: 'Left'; readonly left: LeadError } | { readonly _tag: 'Right' }): Verdict =>
  r._tag === 'Right' ? accepted : refused(`${r.left._tag} ${JSON.stringify(problemsOf(r.left))}`)

// ---------------------------------------------------------------------------------------------------------
// agreement
// ---------------------------------------------------------------------------------------------------------

export interface Fixture {
  readonly name: string
  readonly value: unknown
}
export interface Fixtures {
  readonly valid: ReadonlyArray<Fixture>
  readonly invalid: ReadonlyArray<Fixture>
}

export const fixture = (name: string, value: unknown): Fixture => ({ name, value })

/**
 * One case per fixture: the schema and the codec both accept a valid one and both refuse an invalid one.
 * Asserting the expected verdict of each side (not only that they agree) keeps the fixtures honest too.
 */
export const agree = (test: Test, label: string, schema: Check, codec: Check, fixtures: Fixtures): void => {
  for (const f of fixtures.valid)
    test(`${label} :: accepts ${f.name}`, () => {
      const s = schema(f.value)
      const c = codec(f.value)
      assert.ok(s.ok, `the schema refuses it: ${s.why}`)
      assert.ok(c.ok, `the codec refuses it: ${c.why}`)
    })
  for (const f of fixtures.invalid)
    test(`${label} :: rejects ${f.name}`, () => {
      assert.not.ok(schema(f.value).ok, 'the schema accepts it')
      assert.not.ok(codec(f.value).ok, 'the codec accepts it')
    })
}

// ---------------------------------------------------------------------------------------------------------
// the marketplace's shapes
// ---------------------------------------------------------------------------------------------------------

const receipt = { receivedAt: '2026-11-25T12:00:00.000Z', identity: keyedHash(Buffer.from('test identity secret')) }

/**
 * The codec's verdict on one marketplace shape. decodeMarketplaceLead also refuses a lead whose lead source
 * the configured source map does not place on a storefront: a domain rule (the lead is dead-lettered and
 * replayed once a mapping exists), not a shape rule. So every fixture compared here uses a source the
 * default map knows (AzureMarketplace, AzurePortal, SPZA, AppSource), and a Right counts as accepted only
 * when the codec read the value as this shape (it tells the shapes apart by their keys). Unmapped sources
 * have their own case below. A missing or blank source is a shape error, since no mapping can place it.
 */
export const asShape =
  (shape: MarketplaceShape): Check =>
  (value) => {
    const r = decodeMarketplaceLead(defaultSources, receipt, value)
    if (r._tag === 'Left') return ofDecoder(r)
    return r.right.command.format === shape ? accepted : refused(`read as ${r.right.command.format}`)
  }

/**
 * Draft 2020-12 makes contentMediaType and contentSchema annotations, so ajv does not parse the CustomerInfo
 * string. A consumer that honours them does what this does (leadstream does too): a non-blank string must be
 * JSON that fits the content schema.
 */
export const tableSchema: Check = (value) => {
  const outer = bySchema('inbound/azure-table.v1.schema.json')(value)
  if (!outer.ok) return outer
  const info = (value as Record<string, unknown>)['CustomerInfo']
  if (typeof info !== 'string' || info.trim() === '') return accepted
  let parsed: unknown
  try {
    parsed = JSON.parse(info)
  } catch {
    return refused('CustomerInfo is not JSON')
  }
  const content = ajv.getSchema(`${idBase}inbound/azure-table.v1.schema.json#/$defs/CustomerInfoJson`)
  if (content === undefined) return refused('no CustomerInfoJson in the azure-table schema')
  return content(parsed) ? accepted : refused(`CustomerInfo: ${ajv.errorsText(content.errors)}`)
}
