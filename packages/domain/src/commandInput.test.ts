// Qualification commands and catalogue entries as HTTP callers send them.
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { decodeCatalogueEntry, decodeQualificationCommand } from './commandInput.js'
import type { LeadError } from './errors.js'
import { contactChannels } from './model.js'

const at = '2026-11-25T12:00:00.000Z'

const paths = <A>(r: E.Either<LeadError, A>): ReadonlyArray<string> => {
  if (E.isRight(r)) throw new Error(`expected a failure, got ${JSON.stringify(r.right)}`)
  return r.left._tag === 'Invalid' ? r.left.problems.map((p) => p.path) : [`not Invalid: ${r.left._tag}`]
}

// -- decodeQualificationCommand ----------------------------------------------------------------------------

const command = suite('decodeQualificationCommand')

command('command :: a valid body becomes the command, with the lead id and time passed in', () => {
  assert.equal(
    decodeQualificationCommand('L1', at, { type: 'ContactLead', by: ' sam ', note: 'called' }),
    E.right({ type: 'ContactLead', leadId: 'L1', by: 'sam', at, note: 'called', channel: null }),
  )
  assert.equal(
    decodeQualificationCommand('L1', at, { type: 'ReopenLead', by: 'ops' }),
    E.right({ type: 'ReopenLead', leadId: 'L1', by: 'ops', at, note: null }),
  )
})

command("command :: occurredAt becomes the time, checked against the lead's capture by the decider; the future (past the skew) is refused", () => {
  assert.equal(
    decodeQualificationCommand('L1', at, { type: 'QualifyLead', by: 'sam', occurredAt: '2026-03-02T10:15:00+01:00' }),
    E.right({ type: 'QualifyLead', leadId: 'L1', by: 'sam', at: '2026-03-02T09:15:00.000Z', atField: 'occurredAt', note: null }),
  )
  assert.ok(E.isRight(decodeQualificationCommand('L1', at, { type: 'QualifyLead', by: 'sam', occurredAt: '2026-11-25T12:01:00Z' })), 'within 60 s ahead')
  assert.equal(paths(decodeQualificationCommand('L1', at, { type: 'QualifyLead', by: 'sam', occurredAt: '2026-11-25T12:01:01Z' })), ['occurredAt'])
  assert.equal(paths(decodeQualificationCommand('L1', at, { type: 'QualifyLead', by: 'sam', occurredAt: '2026-11-25 12:00' })), ['occurredAt'])
})

command('command :: an unknown or missing type is named at type', () => {
  for (const body of [{ type: 'ArchiveLead', by: 'sam' }, { type: 'contactlead', by: 'sam' }, { by: 'sam' }, { type: 3, by: 'sam' }, null, 'ContactLead', []])
    assert.equal(paths(decodeQualificationCommand('L1', at, body)), ['type'], JSON.stringify(body))
})

command('command :: a missing or blank by is named at by', () => {
  assert.equal(paths(decodeQualificationCommand('L1', at, { type: 'QualifyLead' })), ['by'])
  assert.equal(paths(decodeQualificationCommand('L1', at, { type: 'QualifyLead', by: '   ' })), ['by'])
  assert.equal(paths(decodeQualificationCommand('L1', at, { type: 'QualifyLead', by: 'x'.repeat(201) })), ['by'])
})

command('command :: DisqualifyLead needs a known reason', () => {
  assert.equal(paths(decodeQualificationCommand('L1', at, { type: 'DisqualifyLead', by: 'sam' })), ['reason'])
  assert.equal(paths(decodeQualificationCommand('L1', at, { type: 'DisqualifyLead', by: 'sam', reason: 'bored' })), ['reason'])
  assert.equal(
    decodeQualificationCommand('L1', at, { type: 'DisqualifyLead', by: 'sam', reason: 'cannot-contact' }),
    E.right({ type: 'DisqualifyLead', leadId: 'L1', by: 'sam', at, note: null, reason: 'cannot-contact' }),
  )
})

command('command :: a reason on another command is not carried into it', () => {
  const r = decodeQualificationCommand('L1', at, { type: 'ContactLead', by: 'sam', reason: 'lost' })
  assert.ok(E.isRight(r) && !('reason' in r.right))
})

command('command :: ContactLead carries how the lead was contacted, null when not said', () => {
  for (const channel of contactChannels)
    assert.equal(
      decodeQualificationCommand('L1', at, { type: 'ContactLead', by: 'sam', channel }),
      E.right({ type: 'ContactLead', leadId: 'L1', by: 'sam', at, note: null, channel }),
      channel,
    )
  for (const body of [
    { type: 'ContactLead', by: 'sam' },
    { type: 'ContactLead', by: 'sam', channel: null },
  ])
    assert.equal(
      decodeQualificationCommand('L1', at, body),
      E.right({ type: 'ContactLead', leadId: 'L1', by: 'sam', at, note: null, channel: null }),
      JSON.stringify(body),
    )
})

command('command :: an unknown channel is named at channel, on any command', () => {
  for (const channel of ['fax', 'Phone', '', 3, ['email']])
    assert.equal(paths(decodeQualificationCommand('L1', at, { type: 'ContactLead', by: 'sam', channel })), ['channel'], JSON.stringify(channel))
  assert.equal(paths(decodeQualificationCommand('L1', at, { type: 'QualifyLead', by: 'sam', channel: 'fax' })), ['channel'])
})

command('command :: a channel on another command is not carried into it', () => {
  const r = decodeQualificationCommand('L1', at, { type: 'QualifyLead', by: 'sam', channel: 'phone' })
  assert.ok(E.isRight(r) && !('channel' in r.right))
})

command('command :: a note of the wrong type is named at note', () => {
  assert.equal(paths(decodeQualificationCommand('L1', at, { type: 'ContactLead', by: 'sam', note: 5 })), ['note'])
})

command.run()

// -- decodeCatalogueEntry ----------------------------------------------------------------------------------

const catalogue = suite('decodeCatalogueEntry')

catalogue('catalogue :: an entry naming neither offerId nor offerTitle is Invalid', () => {
  assert.equal(paths(decodeCatalogueEntry(at, { kind: 'saas', by: 'pat' })), ['offerId'])
  assert.equal(paths(decodeCatalogueEntry(at, { kind: 'saas', by: 'pat', offerId: ' ', offerTitle: '' })), ['offerId', 'offerTitle'])
})

catalogue('catalogue :: an entry naming both gives one event per key, id: and title:', () => {
  const r = decodeCatalogueEntry(at, { kind: 'virtual-machine', by: ' pat ', offerId: ' Checkpoint.Check-Point-R77 ', offerTitle: 'Check Point  R77' })
  const data = { offerId: 'Checkpoint.Check-Point-R77', offerTitle: 'Check Point  R77', kind: 'virtual-machine', by: 'pat', at }
  assert.equal(
    r,
    E.right([
      { type: 'OfferClassified', version: 1, data: { offerKey: 'id:checkpoint.check-point-r77', ...data } },
      { type: 'OfferClassified', version: 1, data: { offerKey: 'title:check point r77', ...data } },
    ]),
  )
})

catalogue('catalogue :: an entry naming one gives one event with the other null', () => {
  const r = decodeCatalogueEntry(at, { kind: 'saas', by: 'pat', offerTitle: 'Contoso CRM' })
  assert.ok(E.isRight(r))
  if (E.isRight(r)) {
    assert.equal(
      r.right.map((e) => e.data.offerKey),
      ['title:contoso crm'],
    )
    assert.is(r.right[0]?.data.offerId, null)
  }
})

catalogue('catalogue :: an unknown kind or missing by names the field', () => {
  assert.equal(paths(decodeCatalogueEntry(at, { kind: 'spaceship', by: 'pat', offerId: 'x.y' })), ['kind'])
  assert.equal(paths(decodeCatalogueEntry(at, { kind: 'saas', offerId: 'x.y' })), ['by'])
})

catalogue.run()
