// The lead's known failures, as a tagged union: returned as values, mapped to HTTP statuses only at the edge.
import type { FieldProblem } from './decodeError.js'
import type { QualificationState } from './model.js'

export type LeadError =
  | { readonly _tag: 'Invalid'; readonly problems: ReadonlyArray<FieldProblem> }
  | { readonly _tag: 'LeadNotFound'; readonly leadId: string }
  | { readonly _tag: 'TransitionNotAllowed'; readonly leadId: string; readonly from: QualificationState; readonly command: string; readonly reason: string }
  | { readonly _tag: 'Conflict'; readonly streamId: string; readonly expected: number; readonly actual: number }
  | { readonly _tag: 'UnknownStorefront'; readonly leadSource: string | null }
  /** A commandId already used on this lead for a different command. */
  | { readonly _tag: 'CommandIdReused'; readonly leadId: string; readonly commandId: string }

// ---------------------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------------------

export const invalid = (problems: ReadonlyArray<FieldProblem>): LeadError => ({ _tag: 'Invalid', problems })
export const leadNotFound = (leadId: string): LeadError => ({ _tag: 'LeadNotFound', leadId })
export const transitionNotAllowed = (leadId: string, from: QualificationState, command: string, reason: string): LeadError => ({
  _tag: 'TransitionNotAllowed',
  leadId,
  from,
  command,
  reason,
})
export const conflict = (streamId: string, expected: number, actual: number): LeadError => ({ _tag: 'Conflict', streamId, expected, actual })
export const unknownStorefront = (leadSource: string | null): LeadError => ({ _tag: 'UnknownStorefront', leadSource })
export const commandIdReused = (leadId: string, commandId: string): LeadError => ({ _tag: 'CommandIdReused', leadId, commandId })

// ---------------------------------------------------------------------------------------------------------
// destructors
// ---------------------------------------------------------------------------------------------------------

export const matchLeadError =
  <R>(cases: { readonly [K in LeadError['_tag']]: (e: Extract<LeadError, { _tag: K }>) => R }) =>
  (e: LeadError): R =>
    // Each case receives the variant its key names; TypeScript cannot relate the key to the variant here.
    (cases[e._tag] as (e: LeadError) => R)(e)

/** The problems a caller must fix, as field-path problems (for response bodies and dead letters). */
export const problemsOf = matchLeadError<ReadonlyArray<FieldProblem>>({
  Invalid: (e) => e.problems,
  LeadNotFound: (e) => [{ path: 'leadId', reason: `no lead ${e.leadId}` }],
  TransitionNotAllowed: (e) => [{ path: 'type', reason: `${e.command} is not allowed from ${e.from}: ${e.reason}` }],
  Conflict: (e) => [{ path: 'leadId', reason: `the lead changed concurrently (expected revision ${e.expected}, found ${e.actual}); retry` }],
  CommandIdReused: (e) => [{ path: 'commandId', reason: `commandId "${e.commandId}" was already used on lead ${e.leadId} for a different command` }],
  UnknownStorefront: (e) => [
    {
      path: 'LeadSource',
      reason:
        e.leadSource === null
          ? 'missing lead source: the storefront cannot be derived'
          : `unknown lead source "${e.leadSource}": the storefront cannot be derived`,
    },
  ],
})
