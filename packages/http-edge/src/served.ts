// The routes an express app really serves, read from its router stack: the conformance test compares them
// with the route table, so a handler registered without an entry (or an entry without a handler) is caught.
import type { Express } from 'express'

export interface Served {
  readonly method: string
  /** Express syntax: `/v1/leads/:id`. */
  readonly path: string
}

/** The parts of express's router layers this reads (express keeps them as public, untyped fields). */
interface Layer {
  readonly route?: { readonly path: unknown; readonly methods: Readonly<Record<string, boolean>> }
  readonly handle?: { readonly stack?: ReadonlyArray<Layer> }
}

const walk = (stack: ReadonlyArray<Layer>): ReadonlyArray<Served> =>
  stack.flatMap((layer) =>
    layer.route !== undefined
      ? Object.keys(layer.route.methods).map((m) => ({ method: m.toUpperCase(), path: String(layer.route?.path) }))
      : layer.handle?.stack !== undefined
        ? walk(layer.handle.stack)
        : [],
  )

export const servedRoutes = (app: Express): ReadonlyArray<Served> => walk((app as unknown as { router: { stack: ReadonlyArray<Layer> } }).router.stack)
