// The one place HTTP statuses are chosen: domain errors → status + JSON body naming field paths.
import type { Response } from 'express'
import { problemsOf, type FieldProblem, type LeadError } from '@leadstream/domain'

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly problems: ReadonlyArray<FieldProblem> }
}

export const statusOf = (e: LeadError): number => statusOfTag(e._tag)

/** The same, from the error's tag alone (an ingest item's `code`). */
export const statusOfTag = (tag: LeadError['_tag']): number => {
  switch (tag) {
    case 'Invalid':
    case 'UnknownStorefront':
      return 400
    case 'LeadNotFound':
      return 404
    case 'TransitionNotAllowed':
    case 'Conflict':
    case 'CommandIdReused':
      return 409
    default: {
      const never: never = tag
      return never
    }
  }
}

export const errorBody = (code: string, problems: ReadonlyArray<FieldProblem>, message?: string): ErrorBody => ({
  error: { code, message: message ?? problems.map((p) => `${p.path}: ${p.reason}`).join('; '), problems },
})

export const sendLeadError = (res: Response, e: LeadError, extra: Record<string, unknown> = {}): void => {
  res.status(statusOf(e)).json({ ...errorBody(e._tag, problemsOf(e)), ...extra })
}

export const sendProblem = (res: Response, status: number, code: string, problems: ReadonlyArray<FieldProblem>, message?: string): void => {
  res.status(status).json(errorBody(code, problems, message))
}
