// Selected leads counted per distinct combination of some of their dimensions: the cells of the filtered count
// views, from the in-memory fact columns (fastAnalytics.test.ts checks them against counting leads one by one).
import { actionTokens } from '@leadstream/view-store'
import type { CodedDimension, FactColumns } from './factsColumns.js'

// ---------------------------------------------------------------------------------------------------------
// grouped counts
// ---------------------------------------------------------------------------------------------------------

/** What a lead can be counted by: its dimensions, its test flag, its actions (as `actionTokens`). */
export type GroupKey = CodedDimension | 'isTest' | 'actions'

export interface GroupCount {
  /** One value per key, in the order asked (isTest a boolean, the others strings). */
  readonly values: ReadonlyArray<string | boolean>
  readonly n: number
}

/** What the filtered count views count by, in the order of each lead's `cell` code (factsColumns.ts). */
export const countViewKeys: ReadonlyArray<GroupKey> = ['storefront', 'campaign', 'state', 'offerKind', 'isTest', 'actions']

/** Selected leads counted per distinct combination of `keys` (the filtered count views' cells). */
export const groupCountsOfColumns = (c: FactColumns, sel: Int32Array, keys: ReadonlyArray<GroupKey>): ReadonlyArray<GroupCount> => {
  const radix = keys.map((k) => (k === 'isTest' ? 2 : k === 'actions' ? c.actionSets.length : c.dicts[k].values.length))
  const counts = new Map<number | string, number>()
  const cells = radix.reduce((a, r) => a * Math.max(1, r), 1)
  // A table indexed by the combination while it is small (the count views' is), a map of numbers, or of strings.
  const table = cells <= 1 << 20 ? new Float64Array(cells) : null
  const exact = cells < Number.MAX_SAFE_INTEGER
  // The combination's number is the sum of each code times the product of the radixes after it. The test flag is
  // a byte column, added apart so the loop over the other columns sees one element type (and nothing is copied).
  const weights = radix.map((_, k) => radix.slice(k + 1).reduce((a, r) => a * r, 1))
  const coded = keys.flatMap((k, x) => (k === 'isTest' ? [] : [[k === 'actions' ? c.actionSet : c.codes[k], weights[x]!] as const]))
  const cols = coded.map(([col]) => col)
  const colWeights = coded.map(([, w]) => w)
  const testAt = keys.indexOf('isTest')
  const testWeight = testAt < 0 ? 0 : weights[testAt]!
  const isTest = c.isTest
  if (table !== null && keys.length === countViewKeys.length && keys.every((k, x) => k === countViewKeys[x])) {
    // The count views' combination is each lead's `cell`: one read per lead, then each cell's codes are read back.
    const per = new Int32Array(c.cells.values.length)
    const cell = c.cell
    for (let j = 0; j < sel.length; j++) per[cell[sel[j]!]!]!++
    per.forEach((n, code) => {
      if (n > 0) table[c.cells.values[code]!.split(',').reduce((key, v, x) => key + Number(v) * weights[x]!, 0)]! += n
    })
  } else if (table !== null) {
    // The table's index fits 32 bits: integer arithmetic over typed arrays only (with the general loop below the
    // filtered count view took 6.1 ms of CPU at 300k leads, with this one 2.6).
    const w = Int32Array.from(colWeights)
    const nc = cols.length
    for (let j = 0; j < sel.length; j++) {
      const i = sel[j]!
      let key = isTest[i]! * testWeight
      for (let k = 0; k < nc; k++) key = (key + cols[k]![i]! * w[k]!) | 0
      table[key]!++
    }
  }
  for (let j = 0; j < (table === null ? sel.length : 0); j++) {
    const i = sel[j]!
    if (exact) {
      let key = isTest[i]! * testWeight
      for (let k = 0; k < cols.length; k++) key += cols[k]![i]! * colWeights[k]!
      if (table !== null) table[key]!++
      else counts.set(key, (counts.get(key) ?? 0) + 1)
    } else {
      const key = keys.map((k) => (k === 'isTest' ? isTest[i]! : k === 'actions' ? c.actionSet[i]! : c.codes[k][i]!)).join(',')
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
  }
  if (table !== null) table.forEach((n, key) => n > 0 && counts.set(key, n))
  return [...counts].map(([key, n]) => {
    let rest = typeof key === 'number' ? key : 0
    const parts = typeof key === 'string' ? key.split(',').map(Number) : []
    const codes = typeof key === 'number' ? radix.map(() => 0) : parts
    if (typeof key === 'number')
      for (let k = radix.length - 1; k >= 0; k--) {
        codes[k] = rest % radix[k]!
        rest = Math.floor(rest / radix[k]!)
      }
    const values = keys.map((k, x) => {
      const code = codes[x]!
      return k === 'isTest' ? code === 1 : k === 'actions' ? actionTokens(c.actionSets[code]!.actions) : c.dicts[k].values[code]!
    })
    return { values, n }
  })
}
