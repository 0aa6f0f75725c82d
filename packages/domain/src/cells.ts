// The count views' counter cells: which cells a lead falls in, and the deltas that move a lead between them.
import { actionBucket } from './model.js'
import type { CountDelta, LeadSummary } from './projection.js'

export type Cell = Omit<CountDelta, 'delta'>
const cellKey = (c: Cell): string => `${c.dimension}\u0001${c.key}\u0001${c.metric}\u0001${c.bucket}\u0001${c.test ? 1 : 0}`

/** What the count views know of a lead (a stored summary, or the analytics facts of one). */
export type Counted = Pick<LeadSummary, 'storefront' | 'campaign' | 'isTest' | 'state' | 'offerKind' | 'actions'>

/** The counter cells one lead contributes to: every view row it falls in, once per bucket. */
export const cellsOf = (s: Counted): ReadonlyArray<Cell> => {
  const cells: Cell[] = []
  const rows = [
    ['storefront', s.storefront],
    ['campaign', s.campaign],
    ['all', 'all'],
  ] as const
  const actionBuckets = new Set(s.actions.map(actionBucket))
  const others = new Set(s.actions.filter((a) => actionBucket(a) === 'other'))
  for (const [dimension, key] of rows) {
    const cell = (metric: Cell['metric'], bucket: string) => cells.push({ dimension, key, metric, bucket, test: s.isTest })
    cell('leads', 'total')
    cell('state', s.state)
    cell('offerKind', s.offerKind)
    for (const b of actionBuckets) cell('action', b)
    for (const a of others) cell('otherAction', a === '' ? '(none)' : a)
  }
  return cells
}

export type Deltas = Map<string, { cell: Cell; delta: number }>

const addCell = (acc: Deltas, cell: Cell, delta: number): void => {
  const k = cellKey(cell)
  const found = acc.get(k)
  if (found === undefined) acc.set(k, { cell, delta })
  else found.delta += delta
}

const addCells = (acc: Deltas, cells: ReadonlyArray<Cell>, delta: number): void => {
  for (const c of cells) addCell(acc, c, delta)
}

const bucketsOf = (s: Counted) => ({
  actions: new Set(s.actions.map(actionBucket)),
  others: new Set(s.actions.filter((a) => actionBucket(a) === 'other').map((a) => (a === '' ? '(none)' : a))),
})

/**
 * Moves a lead's contribution from `prev` to `next`. Equal to subtracting cellsOf(prev) and adding
 * cellsOf(next), but when the lead stays in the same view rows (storefront, campaign, test flag: the usual
 * case) only the metrics whose bucket changed are touched: the projection's hot path.
 */
export const moveCells = (acc: Deltas, prev: Counted | undefined, next: Counted): void => {
  if (prev === undefined || prev.storefront !== next.storefront || prev.campaign !== next.campaign || prev.isTest !== next.isTest) {
    if (prev !== undefined) addCells(acc, cellsOf(prev), -1)
    addCells(acc, cellsOf(next), +1)
    return
  }
  const rows = [
    ['storefront', next.storefront],
    ['campaign', next.campaign],
    ['all', 'all'],
  ] as const
  const bump = (metric: Cell['metric'], bucket: string, delta: number) => {
    for (const [dimension, key] of rows) addCell(acc, { dimension, key, metric, bucket, test: next.isTest }, delta)
  }
  if (prev.state !== next.state) {
    bump('state', prev.state, -1)
    bump('state', next.state, +1)
  }
  if (prev.offerKind !== next.offerKind) {
    bump('offerKind', prev.offerKind, -1)
    bump('offerKind', next.offerKind, +1)
  }
  if (prev.actions !== next.actions) {
    const [before, after] = [bucketsOf(prev), bucketsOf(next)]
    for (const b of before.actions) if (!after.actions.has(b)) bump('action', b, -1)
    for (const b of after.actions) if (!before.actions.has(b)) bump('action', b, +1)
    for (const a of before.others) if (!after.others.has(a)) bump('otherAction', a, -1)
    for (const a of after.others) if (!before.others.has(a)) bump('otherAction', a, +1)
  }
}
