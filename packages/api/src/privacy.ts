// The privacy routes: erase a person's data, export everything held about a person, and the retention status.
// All need the operator role. Bodies and answers carry the email only where the caller sent it; nothing here is
// ever logged or kept beside a dead letter.
import * as t from 'io-ts'
import { DeadLetterView, ParkedEventView, RecordedEventView } from './admin.js'
import { Problem } from './problem.js'
import { TextParam } from './params.js'
import { route, type ResponseSpec } from './route.js'
import { textProblem } from '@leadstream/domain'
import { withSchema } from './annotate.js'
import { LeadView } from './views.js'

// ---------------------------------------------------------------------------------------------------------
// bodies
// ---------------------------------------------------------------------------------------------------------

/** An email as a person gives it: 3 to 254 characters with an @ (normalised server-side: trimmed, lower-cased). */
// Control characters and lone surrogates are refused as in every other text field (an erasure of `a\u0000@b.co`
// was taken and audited for a subject no address can have); textProblem gives the same reason leads get.
export const EmailText = withSchema(
  new t.Type<string, string, unknown>(
    'email',
    (u): u is string => typeof u === 'string',
    (u, c) => {
      if (typeof u !== 'string' || u.trim().length < 3 || u.length > 254 || !/^[^@\s]+@[^@\s]+$/.test(u.trim()))
        return t.failure(u, c, 'expected an email address (at most 254 characters, one @)')
      const bad = textProblem(u, 254, false)
      return bad === null ? t.success(u) : t.failure(u, c, `expected an email address: ${bad}`)
    },
    t.identity,
  ),
  {
    type: 'string',
    minLength: 3,
    maxLength: 254,
    pattern: '^\\s*[^@\\s\\u0000-\\u001F\\u007F-\\u009F\\uD800-\\uDFFF]+@[^@\\s\\u0000-\\u001F\\u007F-\\u009F\\uD800-\\uDFFF]+\\s*$',
    description: 'an email address; trimmed and lower-cased before its keyed HMAC is taken',
  },
)

export const ErasureRequest = t.type(
  {
    /** The person's email: their data subject is its keyed HMAC. */
    email: EmailText,
    /** Who asks (an operator's name or id), recorded in the audit and the events. */
    by: TextParam(200),
    /** Why, in the operator's words (recorded as the events' note; keep personal data out of it). */
    reason: TextParam(2000),
  },
  'ErasureRequest',
)
export type ErasureRequest = t.TypeOf<typeof ErasureRequest>

export const ErasureOutcome = t.keyof({ erased: null, alreadyErased: null, unknownSubject: null }, 'ErasureOutcome')
export type ErasureOutcome = t.TypeOf<typeof ErasureOutcome>

/** `deadLetters` counts the inbound payloads deleted: the subject's dead letters and their leads' parked lifecycle events. */
export const ErasureCounts = t.type({ leads: t.number, events: t.number, keys: t.number, deadLetters: t.number, answers: t.number }, 'ErasureCounts')

export const ErasureAnswer = t.type(
  {
    erasureId: t.string,
    /** `erased`; `alreadyErased`: nothing was left to erase; `unknownSubject`: nothing is held about this email. */
    outcome: ErasureOutcome,
    /** The pseudonymous subject id (keyed HMAC of the email). */
    subject: t.string,
    counts: ErasureCounts,
    /** The log position of the last erasure event (0 when none was written): read views fresh to it. */
    position: t.number,
    /** One sentence saying what happened. */
    message: t.string,
  },
  'ErasureAnswer',
)
export type ErasureAnswer = t.TypeOf<typeof ErasureAnswer>

export const ErasureEntryView = t.type(
  {
    erasureId: t.string,
    subject: t.string,
    /** A keyed digest of the email: two erasures of one person share it; it reveals neither. */
    emailDigest: t.string,
    reason: t.keyof({ request: null, retention: null }),
    by: t.string,
    note: t.union([t.string, t.null]),
    requestedAt: t.string,
    status: t.keyof({ pending: null, done: null }),
    completedAt: t.union([t.string, t.null]),
    outcome: t.union([ErasureOutcome, t.null]),
    counts: t.union([ErasureCounts, t.null]),
    leadIds: t.readonlyArray(t.string),
  },
  'ErasureEntry',
)
export type ErasureEntryView = t.TypeOf<typeof ErasureEntryView>

/** One of the subject's leads: as the views show it (contact data decrypted) and its events as recorded. */
export const SubjectLead = t.type({ lead: t.union([LeadView, t.null]), events: t.readonlyArray(RecordedEventView) }, 'SubjectLead')

/** A lifecycle event parked for one of the subject's leads (not applied yet), with its payload as received. */
export const SubjectParkedEvent = t.intersection([ParkedEventView, t.type({ payload: t.string })], 'SubjectParkedEvent')

export const SubjectExport = t.type(
  {
    subject: t.string,
    exportedAt: t.string,
    leads: t.readonlyArray(SubjectLead),
    deadLetters: t.readonlyArray(DeadLetterView),
    /** Lifecycle events of their leads still parked: their notes are as the CRM sent them. */
    parked: t.readonlyArray(SubjectParkedEvent),
    erasures: t.readonlyArray(ErasureEntryView),
  },
  'SubjectExport',
)
export type SubjectExport = t.TypeOf<typeof SubjectExport>

/**
 * The body of a subject-access search: the email travels in the body, never in the URL (proxies and access logs
 * keep query strings). Exactly `email`; unknown fields are refused.
 */
export const SubjectSearch = t.exact(t.type({ email: EmailText }, 'SubjectSearch'))
export type SubjectSearch = t.TypeOf<typeof SubjectSearch>

export const RetentionRunView = t.type({ ranAt: t.string, cutoff: t.string, subjects: t.number, leads: t.number }, 'RetentionRun')

export const PrivacyStatus = t.type(
  {
    /** LEADSTREAM_RETENTION_DAYS, null when retention is off. */
    retentionDays: t.union([t.number, t.null]),
    lastRetentionRun: t.union([RetentionRunView, t.null]),
    /** Erasures begun and not finished (resumed at the next start). */
    pending: t.number,
    recent: t.readonlyArray(ErasureEntryView),
  },
  'PrivacyStatus',
)
export type PrivacyStatus = t.TypeOf<typeof PrivacyStatus>

// ---------------------------------------------------------------------------------------------------------
// routes
// ---------------------------------------------------------------------------------------------------------

const operator = { role: 'operator', tags: ['privacy'], services: ['ingest'] } as const
const denied: Readonly<Record<number, ResponseSpec>> = {
  401: { description: 'no or unknown bearer token', json: Problem },
  403: { description: 'the token lacks the operator role', json: Problem },
}

export const privacyRoutes = {
  erase: route({
    ...operator,
    id: 'erasePersonalData',
    method: 'POST',
    path: '/v1/privacy/erasures',
    summary: 'Erase a person’s personal data: shred their keys, redact their leads, purge their dead letters and stored answers',
    description:
      'Crypto-shredding: the data keys of the email’s subject are deleted, every lead of the subject gets a PersonalDataErased ' +
      'event (the views redact its contact fields; counts, states and analytics stay), the dead letters naming the email and the ' +
      'stored Idempotency-Key answers naming the leads are deleted, and an audit entry is kept (a keyed digest, never the email). ' +
      'Erasing again, or an email nothing is held about, answers 200 with `alreadyErased` or `unknownSubject`.',
    body: ErasureRequest,
    responses: {
      200: { description: 'what the erasure did', json: ErasureAnswer },
      400: { description: 'the body is not an erasure request (it is not kept as a dead letter)', json: Problem },
      ...denied,
    },
  }),
  exportSubject: route({
    ...operator,
    id: 'exportSubject',
    method: 'POST',
    path: '/v1/privacy/subjects/search',
    summary: 'Everything held about a person (subject access): leads with contact data and history, dead letters, erasures',
    description:
      'A POST with the email in the JSON body, so the email never appears in a URL (proxies and access logs keep query ' +
      'strings). Nothing is changed by it. The answer is not for shared caches (Cache-Control: no-store).',
    body: SubjectSearch,
    responses: {
      200: { description: 'one JSON document; empty lists when nothing is held', json: SubjectExport },
      400: { description: 'no email, not an email, or another field (it is not kept as a dead letter)', json: Problem },
      ...denied,
    },
  }),
  runRetention: route({
    ...operator,
    id: 'runRetention',
    method: 'POST',
    path: '/v1/admin/privacy/retention',
    summary: 'Run the retention sweep now (it also runs every LEADSTREAM_RETENTION_EVERY_MINUTES)',
    responses: {
      200: { description: 'the run: when, its cutoff, how many subjects and leads it erased', json: RetentionRunView },
      409: { description: 'retention is off (LEADSTREAM_RETENTION_DAYS is 0)', json: Problem },
      ...denied,
    },
  }),
  privacyStatus: route({
    ...operator,
    id: 'privacyStatus',
    method: 'GET',
    path: '/v1/admin/privacy',
    summary: 'Retention (setting, last run and what it erased), pending erasures and the latest audit entries',
    responses: { 200: { description: 'the status', json: PrivacyStatus }, ...denied },
  }),
} as const
