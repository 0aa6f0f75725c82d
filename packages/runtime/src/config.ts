// The one config loader: environment variables decoded with io-ts; every bad or missing setting is named.
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { fromValidation } from '@leadstream/domain'

// ---------------------------------------------------------------------------------------------------------
// codecs for settings (all read from strings)
// ---------------------------------------------------------------------------------------------------------

export const IntFromEnv = (name: string, min: number, max: number) =>
  new t.Type<number, string, unknown>(
    name,
    (u): u is number => typeof u === 'number',
    (u, c) => {
      const n = typeof u === 'string' && /^\d+$/.test(u.trim()) ? Number(u) : NaN
      return Number.isInteger(n) && n >= min && n <= max ? t.success(n) : t.failure(u, c, `expected an integer from ${min} to ${max}, got ${JSON.stringify(u)}`)
    },
    String,
  )

/** A comma-separated list of non-empty strings (an empty setting is an empty list). */
export const ListFromEnv = new t.Type<ReadonlyArray<string>, string, unknown>(
  'list',
  (u): u is ReadonlyArray<string> => Array.isArray(u),
  (u, c) =>
    typeof u === 'string'
      ? t.success(
          u
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== ''),
        )
      : t.failure(u, c, 'expected a comma-separated list'),
  (a) => a.join(','),
)

export const StringFromEnv = t.string

/** A setting: its variable, its codec and its default (applied before decoding, so defaults are checked too). */
export interface Setting<A> {
  readonly env: string
  readonly codec: t.Decoder<unknown, A>
  readonly default?: string
  readonly doc: string
}

export const setting = <A>(env: string, codec: t.Decoder<unknown, A>, doc: string, def?: string): Setting<A> => ({
  env,
  codec,
  doc,
  ...(def === undefined ? {} : { default: def }),
})

export type ConfigOf<S extends Record<string, Setting<unknown>>> = { readonly [K in keyof S]: S[K] extends Setting<infer A> ? A : never }

/** Decodes every setting; the Left lists each bad or missing variable with the reason. */
export const loadConfig = <S extends Record<string, Setting<unknown>>>(settings: S, env: NodeJS.ProcessEnv): E.Either<ReadonlyArray<string>, ConfigOf<S>> => {
  const errors: string[] = []
  const out: Record<string, unknown> = {}
  for (const [key, s] of Object.entries(settings)) {
    const raw = env[s.env] ?? s.default
    if (raw === undefined) {
      errors.push(`${s.env}: missing (${s.doc})`)
      continue
    }
    const decoded = s.codec.decode(raw)
    if (E.isLeft(decoded)) errors.push(...fromValidation(decoded.left).map((p) => `${s.env}: ${p.reason}`))
    else out[key] = decoded.right
  }
  // The loop filled every key of S or recorded an error for it.
  return errors.length > 0 ? E.left(errors) : E.right(out as ConfigOf<S>)
}

/** The documentation table of a settings record (README and `--help`). */
export const describeSettings = (settings: Record<string, Setting<unknown>>): string =>
  Object.values(settings)
    .map((s) => `  ${s.env.padEnd(32)} ${s.doc}${s.default === undefined ? ' (required)' : s.default === '' ? '' : ` (default: ${s.default})`}`)
    .join('\n')
