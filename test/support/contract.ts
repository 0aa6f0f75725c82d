// Checks answers against the OpenAPI document with ajv's JSON Schema 2020-12 build (OpenAPI 3.1's dialect):
// each schema is reached by its JSON pointer in the document, so `$ref`s resolve as any reader would resolve them.
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import type { OpenApi, RouteSpec } from '@leadstream/api'

const DOC = 'https://leadstream.example/openapi.json'

const pointer = (...parts: ReadonlyArray<string>): string => parts.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')

export interface Contract {
  /** The JSON body's validator for this status, or null when the status has no JSON body. */
  response(spec: RouteSpec, status: number): ValidateFunction | null
  request(spec: RouteSpec): ValidateFunction | null
  /** Compiles the schema at a pointer (throws on an invalid schema). */
  compile(pointerInDoc: string): ValidateFunction
  errors(v: ValidateFunction): string
}

export const contract = (doc: OpenApi, options: { readonly strict: boolean } = { strict: false }): Contract => {
  // strictRequired is off: the inbound schemas say "not this format" as `not: { required: [...] }`, a sound idiom.
  const ajv = new Ajv2020({ strict: options.strict, strictRequired: false, allErrors: true })
  addFormats.default(ajv)
  // The document's own keywords are not JSON Schema: declared so strict mode checks only the schemas.
  ajv.addVocabulary(['openapi', 'info', 'tags', 'paths', 'webhooks', 'components'])
  ajv.addSchema({ $id: DOC, ...doc })
  const compiled = new Map<string, ValidateFunction>()
  const compile = (at: string): ValidateFunction => {
    const known = compiled.get(at)
    if (known !== undefined) return known
    const v = ajv.compile({ $ref: `${DOC}#${at}` })
    compiled.set(at, v)
    return v
  }
  const paths = doc['paths'] as Record<string, Record<string, Record<string, unknown>>>
  const op = (spec: RouteSpec) => paths[spec.path]?.[spec.method.toLowerCase()]
  return {
    compile,
    response: (spec, status) => {
      const responses = op(spec)?.['responses'] as Record<string, { content?: Record<string, unknown> }> | undefined
      return responses?.[String(status)]?.content?.['application/json'] === undefined
        ? null
        : compile(pointer('paths', spec.path, spec.method.toLowerCase(), 'responses', String(status), 'content', 'application/json', 'schema'))
    },
    request: (spec) =>
      op(spec)?.['requestBody'] === undefined
        ? null
        : compile(pointer('paths', spec.path, spec.method.toLowerCase(), 'requestBody', 'content', 'application/json', 'schema')),
    errors: (v) => ajv.errorsText(v.errors, { separator: '; ' }),
  }
}

export { pointer }
