// Turns io-ts validation errors into field-path problems that callers can read and fix.
import type * as t from 'io-ts'

/** One thing wrong with an input: where (a JSON path such as `items[2].UserDetails.Email`) and why. */
export interface FieldProblem {
  readonly path: string
  readonly reason: string
}

// ---------------------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------------------

export const problem = (path: string, reason: string): FieldProblem => ({ path, reason })

const describe = (value: unknown): string => {
  if (value === undefined) return 'missing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return value.length > 40 ? 'a string' : `"${value}"`
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`
}

const joinPath = (prefix: string, key: string): string => {
  if (key === '') return prefix
  if (/^\d+$/.test(key)) return `${prefix}[${key}]`
  return prefix === '' ? key : `${prefix}.${key}`
}

/**
 * Flattens io-ts errors to one problem per field. io-ts reports a union failure once per member; the
 * deepest path is the useful one, so problems whose path is a prefix of another are dropped.
 */
export const fromValidation = (errors: t.Errors, prefix = ''): ReadonlyArray<FieldProblem> => {
  const seen = new Map<string, FieldProblem>()
  for (const e of errors) {
    let path = prefix
    // context[0] is the root codec; skip union/intersection members (their keys are numeric indices of
    // the member, not of the data) by following only keys whose parent is an object/array in the data.
    for (const entry of e.context.slice(1)) {
      const parent = e.context[e.context.indexOf(entry) - 1]
      const parentTag = (parent?.type as { _tag?: string } | undefined)?._tag
      if (parentTag === 'UnionType' || parentTag === 'IntersectionType') continue
      path = joinPath(path, entry.key)
    }
    const last = e.context[e.context.length - 1]
    const reason = e.message ?? `expected ${last?.type.name ?? 'a valid value'}, got ${describe(e.value)}`
    if (!seen.has(path)) seen.set(path, problem(path === '' ? '(body)' : path, reason))
  }
  const all = [...seen.values()]
  return all.filter((p) => !all.some((q) => q !== p && q.path.startsWith(`${p.path}.`) && p.path !== '(body)'))
}
