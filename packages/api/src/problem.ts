// The one error body every route answers a 4xx/5xx with: a code, a message, and the field paths at fault.
import * as t from 'io-ts'

export const FieldProblem = t.type({ path: t.string, reason: t.string }, 'FieldProblem')

export const Problem = t.type(
  { error: t.type({ code: t.string, message: t.string, problems: t.readonlyArray(FieldProblem) }) },
  'Problem',
)
export type Problem = t.TypeOf<typeof Problem>
