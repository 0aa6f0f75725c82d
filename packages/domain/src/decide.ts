// The lead's commands and its decider: pure functions from (command, state) to events or a LeadError.
import * as E from 'fp-ts/lib/Either.js'
import { actionTextOf, event, noteTextOf, personalOf, type ErasureReason, type LeadCaptured, type LeadEvent } from './events.js'
import type { LeadState } from './lead.js'
import { problem } from './decodeError.js'
import { invalid, leadNotFound, transitionNotAllowed, type LeadError } from './errors.js'
import type { CampaignType, ContactChannel, Customer, DisqualificationReason, Offer, QualificationState, Storefront } from './model.js'

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

/** Everything a capture needs, already normalised by an inbound format (native, marketplace, table, form). */
export interface CaptureLead {
  readonly type: 'CaptureLead'
  readonly leadId: string
  readonly storefront: Storefront
  readonly campaign: CampaignType
  readonly leadSource: string
  readonly action: string
  readonly offer: Offer
  readonly customer: Customer
  readonly description: string | null
  readonly campaigns: ReadonlyArray<string>
  readonly isTest: boolean
  readonly format: LeadCaptured['data']['format']
  readonly occurredAt: string
}

interface Transition {
  readonly leadId: string
  readonly by: string
  readonly at: string
  readonly note: string | null
  /** Chosen by the caller so a retry after a lost answer is recognised as the same command (a replay). */
  readonly commandId?: string
  /**
   * Set when `at` came from the caller (a command's or an upstream event's `occurredAt`), naming that field:
   * such a time may not come before the lead's capture. A time read from the server's clock is not checked.
   */
  readonly atField?: string
}
/** `channel`: how the lead was contacted, null when the caller did not say. */
export type ContactLead = Transition & { readonly type: 'ContactLead'; readonly channel: ContactChannel | null }
export type StartNurturing = Transition & { readonly type: 'StartNurturing' }
export type QualifyLead = Transition & { readonly type: 'QualifyLead' }
export type ConvertLead = Transition & { readonly type: 'ConvertLead' }
export type DisqualifyLead = Transition & { readonly type: 'DisqualifyLead'; readonly reason: DisqualificationReason }
export type ReopenLead = Transition & { readonly type: 'ReopenLead' }

export type QualificationCommand = ContactLead | StartNurturing | QualifyLead | ConvertLead | DisqualifyLead | ReopenLead

/** Records that the lead's personal data was erased (its subject's keys are already shredded, or about to be). */
export interface ErasePersonalData {
  readonly type: 'ErasePersonalData'
  readonly leadId: string
  /** The pseudonymous subject id (keyed HMAC of the email), never the email. */
  readonly subject: string
  readonly reason: ErasureReason
  readonly by: string
  readonly at: string
  readonly note: string | null
}

/** An upstream system's record of another action by the customer on a lead it already knows (native LeadActionRecorded). */
export interface RecordAction {
  readonly type: 'RecordAction'
  readonly leadId: string
  readonly leadSource: string | null
  readonly action: string
  readonly description: string | null
  readonly campaigns: ReadonlyArray<string>
  readonly occurredAt: string
}

export type LeadCommand = CaptureLead | QualificationCommand | RecordAction | ErasePersonalData

/** Commands that need the lead to exist already: from upstream, they may arrive before its capture (parked). */
export type FollowUpCommand = QualificationCommand | RecordAction

// ---------------------------------------------------------------------------------------------------------
// the lifecycle (DOMAIN.md):
//   captured ─> contacted ─> qualified ─> converted
//       │           └─> nurturing ─> qualified | disqualified
//       └─ any open state ─> disqualified;  converted | disqualified ─(reopen)─> the state before
// ---------------------------------------------------------------------------------------------------------

const allowedFrom: Record<Exclude<QualificationCommand['type'], 'ReopenLead'>, ReadonlyArray<QualificationState>> = {
  ContactLead: ['captured'],
  StartNurturing: ['contacted'],
  QualifyLead: ['contacted', 'nurturing'],
  ConvertLead: ['qualified'],
  DisqualifyLead: ['captured', 'contacted', 'nurturing', 'qualified'],
}

const capture = (c: CaptureLead, state: LeadState): ReadonlyArray<LeadEvent> => {
  const doNotContact = c.action === 'DNC'
  if (state.status === 'unknown') {
    return [
      event('LeadCaptured', {
        leadId: c.leadId,
        storefront: c.storefront,
        campaign: c.campaign,
        leadSource: c.leadSource,
        action: c.action,
        offer: c.offer,
        country: c.customer.country,
        campaigns: [...c.campaigns],
        isTest: c.isTest,
        doNotContact,
        format: c.format,
        occurredAt: c.occurredAt,
        personal: personalOf(c.customer, c.description),
      }),
    ]
  }
  // A re-delivery of an action already recorded for the lead is a duplicate: no event.
  if (state.actions.includes(c.action)) return []
  return [
    event('LeadActionRecorded', {
      leadId: c.leadId,
      leadSource: c.leadSource,
      action: c.action,
      campaigns: [...c.campaigns],
      doNotContact,
      occurredAt: c.occurredAt,
      personal: actionTextOf(c.description),
    }),
  ]
}

const recordAction = (c: RecordAction, state: LeadState): E.Either<LeadError, ReadonlyArray<LeadEvent>> => {
  if (state.status === 'unknown') return E.left(leadNotFound(c.leadId))
  if (Date.parse(c.occurredAt) < Date.parse(state.capturedAt)) return E.left(beforeCapture('occurredAt', state.capturedAt))
  if (state.actions.includes(c.action)) return E.right([])
  return E.right([
    event('LeadActionRecorded', {
      leadId: c.leadId,
      leadSource: c.leadSource ?? state.storefront,
      action: c.action,
      campaigns: [...c.campaigns],
      doNotContact: c.action === 'DNC',
      occurredAt: c.occurredAt,
      personal: actionTextOf(c.description),
    }),
  ])
}

const beforeCapture = (field: string, capturedAt: string): LeadError =>
  invalid([problem(field, `is before the lead's capture (${capturedAt}): a lead cannot change before it exists`)])

const transition = (c: QualificationCommand, state: LeadState): E.Either<LeadError, ReadonlyArray<LeadEvent>> => {
  if (state.status === 'unknown') return E.left(leadNotFound(c.leadId))
  if (c.atField !== undefined && Date.parse(c.at) < Date.parse(state.capturedAt)) return E.left(beforeCapture(c.atField, state.capturedAt))
  const from = state.qualification
  const base = { leadId: c.leadId, by: c.by, at: c.at, personal: noteTextOf(c.note) }
  if (c.type === 'ReopenLead') {
    if (from !== 'converted' && from !== 'disqualified')
      return E.left(transitionNotAllowed(c.leadId, from, c.type, 'only a converted or disqualified lead can be reopened'))
    return E.right([event('LeadReopened', { ...base, to: state.beforeFinal ?? 'captured' })])
  }
  if (!allowedFrom[c.type].includes(from)) {
    const why =
      from === 'converted' || from === 'disqualified'
        ? `the lead is ${from}, which is final until an operator reopens it`
        : `allowed only from ${allowedFrom[c.type].join(', ')}`
    return E.left(transitionNotAllowed(c.leadId, from, c.type, why))
  }
  if (state.doNotContact && (c.type === 'ContactLead' || c.type === 'StartNurturing'))
    return E.left(transitionNotAllowed(c.leadId, from, c.type, 'the customer asked not to be contacted (DNC)'))
  switch (c.type) {
    case 'ContactLead':
      return E.right([event('LeadContacted', { ...base, channel: c.channel })])
    case 'StartNurturing':
      return E.right([event('LeadNurturingStarted', base)])
    case 'QualifyLead':
      return E.right([event('LeadQualified', base)])
    case 'ConvertLead':
      return E.right([event('LeadConverted', base)])
    case 'DisqualifyLead':
      return E.right([event('LeadDisqualified', { ...base, reason: c.reason })])
    default: {
      const never: never = c
      return never
    }
  }
}

/**
 * An erasure is allowed in any qualification state. A lead already erased, or one that was never captured (its
 * capture failed after the key store linked it), gets no event: there is nothing of it left to redact.
 */
const erase = (c: ErasePersonalData, state: LeadState): ReadonlyArray<LeadEvent> =>
  state.status === 'unknown' || state.erased
    ? []
    : [event('PersonalDataErased', { leadId: c.leadId, subject: c.subject, reason: c.reason, by: c.by, at: c.at, note: c.note })]

/** Decides what a command means for a lead. `Right([])` means the command changes nothing (a duplicate). */
export const decide = (command: LeadCommand, state: LeadState): E.Either<LeadError, ReadonlyArray<LeadEvent>> =>
  command.type === 'CaptureLead'
    ? E.right(capture(command, state))
    : command.type === 'ErasePersonalData'
      ? E.right(erase(command, state))
      : command.type === 'RecordAction'
        ? recordAction(command, state)
        : transition(command, state)
