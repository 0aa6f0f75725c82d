// Limits on inbound text: every field has a maximum length, and no control character or broken Unicode gets in.
import * as t from 'io-ts'

/**
 * Maxima in characters (Unicode code points, as JSON Schema's `maxLength` counts them). Generous against
 * what CRMs store (Salesforce Web-to-Lead: names 40/80, company 255, title 128) so that no real lead is
 * refused, tight enough that a 1 MB "email" is. The JSON Schemas in `schemas/` state the same numbers.
 */
export const textLimits = {
  email: 254, // RFC 5321's path limit less the angle brackets
  firstName: 128,
  lastName: 128,
  company: 256,
  title: 128,
  phone: 64,
  country: 64,
  offerId: 200,
  offerTitle: 200,
  leadSource: 300,
  action: 64,
  description: 4000,
  by: 200,
  note: 2000,
  campaign: 200,
  tableKey: 1024, // Azure Table's own limit on PartitionKey and RowKey (1 KiB)
  timestamp: 64,
  customerInfo: 8192,
} as const

/**
 * Single-line text refuses every C0 and C1 control character and DEL; free text (descriptions, notes)
 * allows tab, line feed and carriage return, because people write paragraphs there. Both refuse lone
 * surrogates: UTF-16 halves that encode no character and that no other system can store.
 */
export const singleLinePattern = '^[^\\u0000-\\u001F\\u007F-\\u009F\\uD800-\\uDFFF]*$'
export const freeTextPattern = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\uD800-\\uDFFF]*$'

const singleLine = new RegExp(singleLinePattern, 'u')
const freeText = new RegExp(freeTextPattern, 'u')

/** Characters as JSON Schema counts them: code points, so an emoji is one. */
export const charCount = (s: string): number => {
  let n = 0
  for (const _ of s) n++
  return n
}

const hex = (c: number): string => `U+${c.toString(16).toUpperCase().padStart(4, '0')}`

/** Why `s` breaks the rules of a text field, or null when it does not. */
export const textProblem = (s: string, max: number, multiline: boolean): string | null => {
  if (s.length > max && charCount(s) > max) return `at most ${max} characters`
  if ((multiline ? freeText : singleLine).test(s)) return null
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0
    if (c >= 0xd800 && c <= 0xdfff) return 'contains a lone surrogate (not valid Unicode)'
    if (!(multiline ? freeText : singleLine).test(ch)) return `contains the control character ${hex(c)}`
  }
  return null
}

export interface TextOptions {
  /** Free text: tab, line feed and carriage return allowed. */
  readonly multiline?: boolean
  /** Refuse a value that is empty once trimmed. */
  readonly nonBlank?: boolean
}

/** The JSON Schema of each bounded text codec, for the OpenAPI document (io-ts cannot describe a custom type). */
const schemas = new WeakMap<t.Any, Readonly<Record<string, unknown>>>()
export const textSchemaOf = (codec: t.Any): Readonly<Record<string, unknown>> | undefined => schemas.get(codec)
/** Gives another string codec of the domain its JSON Schema the same way. */
export const describedAs = <C extends t.Any>(codec: C, schema: Readonly<Record<string, unknown>>): C => {
  schemas.set(codec, schema)
  return codec
}

/** A string within `max` characters, without control characters (see above) or lone surrogates. */
export const boundedText = (max: number, options: TextOptions = {}): t.Type<string, string, unknown> => {
  const codec = new t.Type<string, string, unknown>(
    `string (≤ ${max} characters)`,
    (u): u is string => typeof u === 'string' && textProblem(u, max, options.multiline === true) === null,
    (u, c) => {
      if (typeof u !== 'string') return t.failure(u, c, `expected a string (at most ${max} characters)`)
      if (options.nonBlank === true && u.trim() === '') return t.failure(u, c, 'must not be blank')
      const why = textProblem(u, max, options.multiline === true)
      return why === null ? t.success(u) : t.failure(u, c, why)
    },
    t.identity,
  )
  const pattern = options.multiline === true ? freeTextPattern : singleLinePattern
  schemas.set(codec, {
    type: 'string',
    maxLength: max,
    pattern: options.nonBlank === true ? `^(?=[\\s\\S]*\\S)${pattern.slice(1)}` : pattern,
    description: `at most ${max} characters${options.nonBlank === true ? ', not blank' : ''}; no control characters${options.multiline === true ? ' but tab and line breaks' : ''}, no lone surrogates`,
  })
  return codec
}

/** An optional text field of an inbound shape: missing, null, or a bounded string. */
export const optionalText = (max: number, options: TextOptions = {}) =>
  t.union([boundedText(max, options), t.null, t.undefined], `string (≤ ${max} characters)`)
