// JSON Schema for codecs io-ts cannot describe by structure (custom `t.Type`s that parse strings, brands with a
// pattern). The OpenAPI generator asks here first, then walks the codec's `_tag` structure.
import type * as t from 'io-ts'
import { textSchemaOf } from '@leadstream/domain'

export type JsonSchema = Readonly<Record<string, unknown>>

const schemas = new WeakMap<t.Any, JsonSchema>()

/** Attaches the JSON Schema a codec's encoded side satisfies; returns the codec for chaining. */
export const withSchema = <C extends t.Any>(codec: C, schema: JsonSchema): C => {
  schemas.set(codec, schema)
  return codec
}

/** Bounded text (packages/domain/src/text.ts) carries its own schema, the one the schemas/ files state. */
export const annotatedSchema = (codec: t.Any): JsonSchema | undefined => schemas.get(codec) ?? textSchemaOf(codec)
