// The one error body every route answers a 4xx/5xx with: a code, a message, and the field paths at fault.
import * as t from 'io-ts'

export const FieldProblem = t.type({ path: t.string, reason: t.string }, 'FieldProblem')

export const Problem = t.type({ error: t.type({ code: t.string, message: t.string, problems: t.readonlyArray(FieldProblem) }) }, 'Problem')
export type Problem = t.TypeOf<typeof Problem>

/** The header every analyst read answers with. */
export const freshHeaders = { 'X-View-Position': 'the log position the answer reflects' }

/** The errors every analyst read can answer (route entries spread it into their responses). */
export const readErrors = {
  400: { description: 'a parameter is invalid (each named with the reason)', json: Problem },
  401: { description: 'no or unknown bearer token', json: Problem },
  403: { description: 'the token lacks the analyst role', json: Problem },
  503: { description: 'the views have not reached minPosition within waitMs', json: Problem },
}
