// The lead's state and evolve: what the decider needs to know, folded from the lead's own events.
import type { LeadEvent } from './events.js'
import type { QualificationState, Storefront } from './model.js'

export type LeadState =
  | { readonly status: 'unknown' }
  | {
      readonly status: 'known'
      readonly leadId: string
      readonly storefront: Storefront
      /** When the lead was captured (its LeadCaptured's occurredAt): no later transition may claim an earlier time. */
      readonly capturedAt: string
      readonly qualification: QualificationState
      /** Where a reopened lead returns to: the state it was in before it became final. */
      readonly beforeFinal: QualificationState | null
      readonly doNotContact: boolean
      /** Every action code recorded for this lead, verbatim: a repeated one is a duplicate delivery. */
      readonly actions: ReadonlyArray<string>
      /** The lead's personal data was erased (PersonalDataErased): erasing it again writes nothing. */
      readonly erased: boolean
      /** Revision of the last event folded in (0-based); -1 before any. */
      readonly revision: number
    }

export const initialState: LeadState = { status: 'unknown' }

const moveTo = (s: Extract<LeadState, { status: 'known' }>, to: QualificationState): LeadState => ({
  ...s,
  qualification: to,
  beforeFinal: to === 'converted' || to === 'disqualified' ? s.qualification : s.beforeFinal,
})

export const evolve = (state: LeadState, event: LeadEvent): LeadState => {
  if (event.type === 'LeadCaptured') {
    return {
      status: 'known',
      leadId: event.data.leadId,
      storefront: event.data.storefront,
      capturedAt: event.data.occurredAt,
      qualification: 'captured',
      beforeFinal: null,
      doNotContact: event.data.doNotContact,
      actions: [event.data.action],
      erased: false,
      revision: state.status === 'known' ? state.revision + 1 : 0,
    }
  }
  // Events other than a capture cannot come first in a stream the decider wrote; skip them if they do.
  if (state.status === 'unknown') return state
  const s = { ...state, revision: state.revision + 1 }
  switch (event.type) {
    case 'LeadActionRecorded':
      return {
        ...s,
        actions: s.actions.includes(event.data.action) ? s.actions : [...s.actions, event.data.action],
        doNotContact: s.doNotContact || event.data.doNotContact,
      }
    case 'LeadContacted':
      return moveTo(s, 'contacted')
    case 'LeadNurturingStarted':
      return moveTo(s, 'nurturing')
    case 'LeadQualified':
      return moveTo(s, 'qualified')
    case 'LeadConverted':
      return moveTo(s, 'converted')
    case 'LeadDisqualified':
      return moveTo(s, 'disqualified')
    case 'LeadReopened':
      return { ...s, qualification: event.data.to, beforeFinal: null }
    case 'PersonalDataErased':
      return { ...s, erased: true }
    default: {
      const never: never = event
      return never
    }
  }
}

export const fold = (events: ReadonlyArray<LeadEvent>, from: LeadState = initialState): LeadState => events.reduce(evolve, from)
