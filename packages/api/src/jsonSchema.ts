// io-ts codec → JSON Schema 2020-12 (the dialect of OpenAPI 3.1), by the codec's `_tag`. Named codecs become
// components referenced by `$ref`, so a shape used by ten routes is described once.
import type * as t from 'io-ts'
import { annotatedSchema, type JsonSchema } from './annotate.js'

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

/** The components being collected while walking: a name per codec, a schema per name. */
export interface Components {
  readonly schemas: Record<string, JsonSchema>
  readonly names: Map<t.Any, string>
}

export const components = (): Components => ({ schemas: {}, names: new Map() })

/** The structural parts of io-ts codecs the walk reads (io-ts keeps them as public fields). */
interface Walkable {
  readonly _tag?: string
  readonly name: string
  readonly props?: Readonly<Record<string, t.Any>>
  readonly types?: ReadonlyArray<t.Any>
  readonly type?: t.Any
  readonly keys?: Readonly<Record<string, unknown>>
  readonly value?: unknown
  readonly domain?: t.Any
  readonly codomain?: t.Any
}

// ---------------------------------------------------------------------------------------------------------
// destructors
// ---------------------------------------------------------------------------------------------------------

/** io-ts names unnamed codecs after their structure (`{ a: string }`); only names given on purpose are components. */
const componentName = (codec: t.Any): string | null => (/^[A-Z][A-Za-z0-9_.]*$/.test(codec.name) && !ioTsNames.has(codec.name) ? codec.name : null)
/** io-ts's own capitalised codecs are building blocks, not shapes of ours. */
const ioTsNames = new Set(['UnknownRecord', 'UnknownArray', 'Dictionary', 'Array', 'Int', 'Function'])

export const refTo = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` })

/** A named codec's schema goes into the components once; every use of it is a `$ref`. */
export const schemaOf = (codec: t.Any, into: Components): JsonSchema => {
  const name = componentName(codec)
  if (name === null) return structure(codec, into)
  const known = into.names.get(codec)
  if (known !== undefined) return refTo(known)
  let unique = name
  for (let n = 2; unique in into.schemas; n++) unique = `${name}${n}`
  into.names.set(codec, unique)
  into.schemas[unique] = {}
  into.schemas[unique] = hoistDefs(unique, structure(codec, into), into)
  return refTo(unique)
}

/**
 * A schema file's `$defs` become components of their own (`<Name>.<def>`): `#/$defs/…` inside a component would
 * point into the OpenAPI document's root, where there are none.
 */
const hoistDefs = (name: string, schema: JsonSchema, into: Components): JsonSchema => {
  const defs = schema['$defs'] as Record<string, JsonSchema> | undefined
  if (defs === undefined) return schema
  const rewrite = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(rewrite)
      : typeof v === 'object' && v !== null
        ? Object.fromEntries(
            Object.entries(v).map(([k, x]) => [
              k,
              k === '$ref' && typeof x === 'string' ? x.replace(/^#\/\$defs\//, `#/components/schemas/${name}.`) : rewrite(x),
            ]),
          )
        : v
  for (const [def, s] of Object.entries(defs)) into.schemas[`${name}.${def}`] = rewrite(s) as JsonSchema
  const { $defs: _defs, ...rest } = schema
  return rewrite(rest) as JsonSchema
}

const objectOf = (props: Readonly<Record<string, t.Any>>, required: boolean, into: Components): JsonSchema => ({
  type: 'object',
  properties: Object.fromEntries(Object.entries(props).map(([k, c]) => [k, schemaOf(c, into)])),
  ...(required && Object.keys(props).length > 0 ? { required: Object.keys(props) } : {}),
})

/** `allOf` of plain object schemas reads better merged into one object. */
const merge = (parts: ReadonlyArray<JsonSchema>): JsonSchema => {
  const plain = parts.every((p) => p['type'] === 'object' && Object.keys(p).every((k) => k === 'type' || k === 'properties' || k === 'required'))
  if (!plain) return { allOf: parts }
  const properties = Object.assign({}, ...parts.map((p) => p['properties'] ?? {})) as Record<string, unknown>
  const required = parts.flatMap((p) => (p['required'] as ReadonlyArray<string> | undefined) ?? [])
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) }
}

const structure = (codec: t.Any, into: Components): JsonSchema => {
  const annotated = annotatedSchema(codec)
  if (annotated !== undefined) return annotated
  const c = codec as unknown as Walkable
  switch (c._tag) {
    case 'InterfaceType':
      return objectOf(c.props ?? {}, true, into)
    case 'PartialType':
      return objectOf(c.props ?? {}, false, into)
    case 'ExactType':
    case 'StrictType':
    case 'ReadonlyType':
      return structure(c.type!, into)
    case 'IntersectionType':
      return merge((c.types ?? []).map((m) => schemaOf(m, into)))
    case 'UnionType':
      return { anyOf: (c.types ?? []).map((m) => schemaOf(m, into)) }
    case 'KeyofType':
      return { type: 'string', enum: Object.keys(c.keys ?? {}) }
    case 'LiteralType':
      return { const: c.value }
    case 'ArrayType':
    case 'ReadonlyArrayType':
      return { type: 'array', items: schemaOf(c.type!, into) }
    case 'DictionaryType':
      return { type: 'object', additionalProperties: schemaOf(c.codomain!, into) }
    case 'RefinementType':
      // The predicate is code: the schema says the base type, and the refinement's name says the rest.
      return { ...schemaOf(c.type!, into), description: codec.name }
    case 'NullType':
      return { type: 'null' }
    case 'StringType':
      return { type: 'string' }
    case 'NumberType':
      return { type: 'number' }
    case 'BooleanType':
      return { type: 'boolean' }
    case 'AnyDictionaryType':
      return { type: 'object' }
    case 'AnyArrayType':
      return { type: 'array' }
    case 'UnknownType':
    case 'AnyType':
      return {}
    default:
      throw new Error(`no JSON Schema for the codec ${codec.name}: give it one with withSchema (packages/api/src/annotate.ts)`)
  }
}

/** The members of a query or path codec (`type`, `partial`, `intersection` of them): name, codec, required. */
export const membersOf = (codec: t.Any): ReadonlyArray<{ readonly name: string; readonly codec: t.Any; readonly required: boolean }> => {
  const c = codec as unknown as Walkable
  switch (c._tag) {
    case 'InterfaceType':
    case 'PartialType':
      return Object.entries(c.props ?? {}).map(([name, p]) => ({ name, codec: p, required: c._tag === 'InterfaceType' }))
    case 'IntersectionType':
      return (c.types ?? []).flatMap(membersOf)
    case 'ExactType':
    case 'StrictType':
      return membersOf(c.type!)
    default:
      throw new Error(`parameters must be a type, partial or intersection of them; got ${codec.name}`)
  }
}
