// What the CLI reads from the admin routes: small decoders that check the fields it uses and name the first
// one that is off, so a server of another version fails with a path, not with `undefined` in a table.
// The shapes mirror services/projector (status), dead-letters (port), ingest (events, replay) and relay.

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

export type Decoded<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly path: string; readonly expected: string }
export type Decoder<A> = (u: unknown, path?: string) => Decoded<A>
export type TypeOf<D> = D extends Decoder<infer A> ? A : never

// ---------------------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------------------

const ok = <A>(value: A): Decoded<A> => ({ ok: true, value })
const off = (path: string, expected: string): Decoded<never> => ({ ok: false, path: path === '' ? '(body)' : path, expected })
const primitive =
  <A>(expected: string, is: (u: unknown) => boolean): Decoder<A> =>
  (u, path = '') =>
    is(u) ? ok(u as A) : off(path, expected)

export const number = primitive<number>('a number', (u) => typeof u === 'number' && Number.isFinite(u))
export const string = primitive<string>('a string', (u) => typeof u === 'string')
export const boolean = primitive<boolean>('a boolean', (u) => typeof u === 'boolean')
export const unknown: Decoder<unknown> = (u) => ok(u)
export const literal = <L extends string>(...values: ReadonlyArray<L>): Decoder<L> =>
  primitive<L>(`one of ${values.join(', ')}`, (u) => typeof u === 'string' && (values as ReadonlyArray<string>).includes(u))

// ---------------------------------------------------------------------------------------------------------
// combinators
// ---------------------------------------------------------------------------------------------------------

export const nullable =
  <A>(d: Decoder<A>): Decoder<A | null> =>
  (u, path = '') =>
    u === null ? ok(null) : d(u, path)

export const optional =
  <A>(d: Decoder<A>): Decoder<A | undefined> =>
  (u, path = '') =>
    u === undefined ? ok(undefined) : d(u, path)

export const array =
  <A>(d: Decoder<A>): Decoder<ReadonlyArray<A>> =>
  (u, path = '') => {
    if (!Array.isArray(u)) return off(path, 'an array')
    for (const [i, item] of u.entries()) {
      const r = d(item, `${path}[${i}]`)
      if (!r.ok) return r
    }
    return ok(u as ReadonlyArray<A>)
  }

/** Checks the named fields; the object itself is kept whole, so `--json` prints what the server sent. */
export const object =
  <A extends Record<string, unknown>>(fields: { readonly [K in keyof A]: Decoder<A[K]> }): Decoder<A> =>
  (u, path = '') => {
    if (typeof u !== 'object' || u === null || Array.isArray(u)) return off(path, 'an object')
    for (const [key, d] of Object.entries(fields) as Array<[string, Decoder<unknown>]>) {
      const r = d((u as Record<string, unknown>)[key], path === '' ? key : `${path}.${key}`)
      if (!r.ok) return r
    }
    return ok(u as A)
  }

// ---------------------------------------------------------------------------------------------------------
// the admin routes' answers
// ---------------------------------------------------------------------------------------------------------

export const FieldProblem = object({ path: string, reason: string })
export type FieldProblem = TypeOf<typeof FieldProblem>

export const ErrorBody = object({ error: object({ code: string, message: string, problems: array(FieldProblem) }) })

const Registry = object({ live: number, building: nullable(number), paused: boolean })

export const Generation = object({
  generation: number,
  role: literal('live', 'rebuilding'),
  state: string,
  position: number,
  head: number,
  lag: number,
  eventsPerSecond: number,
  etaSeconds: nullable(number),
  lastError: nullable(object({ message: string })),
})
export type Generation = TypeOf<typeof Generation>

export const Projection = object({ projection: string, registry: nullable(Registry), paused: boolean, generations: array(Generation) })
export type Projection = TypeOf<typeof Projection>

export const Projections = object({ projections: array(Projection) })
export const RebuildStarted = object({ projection: string, building: number, status: Projection })
export const PauseChanged = object({ projection: string, registry: Registry })

export const DeadLetter = object({
  id: number,
  status: literal('open', 'replayed', 'discarded'),
  source: string,
  format: string,
  problems: array(FieldProblem),
  payload: string,
  receivedAt: string,
})
export type DeadLetter = TypeOf<typeof DeadLetter>

export const DeadLetterPage = object({ items: array(DeadLetter), next: nullable(string), open: number })

export const Replayed = object({ status: literal('accepted', 'duplicate'), leadId: string, position: optional(number) })
export type Replayed = TypeOf<typeof Replayed>

export const RecordedEvent = object({ position: number, streamId: string, revision: number, type: string, version: number, recordedAt: string, data: unknown })
export type RecordedEvent = TypeOf<typeof RecordedEvent>

export const EventPage = object({ head: number, events: array(RecordedEvent) })
export const Stream = object({ streamId: string, revision: number, events: array(RecordedEvent) })

export const RelayStatus = object({ state: string, position: number, head: number, lastError: nullable(string) })
export const ReseedRequested = object({ reseed: string, status: RelayStatus })
