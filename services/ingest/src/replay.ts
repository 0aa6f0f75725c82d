// Operators' replay of a dead letter: the stored payload goes through the same decoding and decisions as
// when it arrived (with today's settings, e.g. a lead-source mapping added since); once it is accepted (or
// found to be a duplicate) the dead letter is marked replayed. Discard marks it discarded; nothing is deleted.
import * as E from 'fp-ts/lib/Either.js'
import { decodeMarketplaceLead, decodeNativeLead, readJson, type FieldProblem } from '@leadstream/domain'
import type { DeadLetter } from '@leadstream/dead-letters'
import { ingestLeads, type ItemResult } from './leads.js'
import type { IngestPorts } from './ports.js'

export type ReplayError =
  | { readonly _tag: 'NotFound'; readonly id: number }
  | { readonly _tag: 'NotOpen'; readonly id: number; readonly status: DeadLetter['status'] }
  | { readonly _tag: 'NotReplayable'; readonly id: number; readonly format: string }
  | { readonly _tag: 'StillRejected'; readonly id: number; readonly problems: ReadonlyArray<FieldProblem> }

export const replayDeadLetter =
  (ports: IngestPorts) =>
  async (id: number): Promise<E.Either<ReplayError, Exclude<ItemResult, { readonly status: 'rejected' }>>> => {
    const d = await ports.deadLetters.get(id)
    if (d === null) return E.left({ _tag: 'NotFound', id })
    if (d.status !== 'open') return E.left({ _tag: 'NotOpen', id, status: d.status })
    if (d.format !== 'marketplace' && d.format !== 'native') return E.left({ _tag: 'NotReplayable', id, format: d.format })
    const read = readJson(d.payload)
    if (read._tag !== 'One')
      return E.left({
        _tag: 'StillRejected',
        id,
        problems: [
          {
            path: '(body)',
            reason: `the stored payload is not one JSON value (${read._tag === 'Unreadable' ? read.reason : 'an array'}); it cannot be replayed`,
          },
        ],
      })
    const raw = read.value
    const receivedAt = ports.now().toISOString()
    const decoded = d.format === 'native' ? decodeNativeLead(raw) : decodeMarketplaceLead(ports.sources, { receivedAt, identity: ports.identity }, raw)
    const summary = await ingestLeads(ports)([{ index: 0, payload: d.payload, decoded }], `replay:${d.source}`, d.format, { keepRejected: false })
    const result = summary.results[0]!
    if (result.status === 'rejected') return E.left({ _tag: 'StillRejected', id, problems: result.problems })
    await ports.deadLetters.setStatus(id, 'replayed')
    ports.logger.info({ deadLetter: id, outcome: result.status }, 'dead letter replayed')
    return E.right(result)
  }

export const discardDeadLetter =
  (ports: IngestPorts) =>
  async (id: number): Promise<E.Either<ReplayError, DeadLetter>> => {
    const d = await ports.deadLetters.get(id)
    if (d === null) return E.left({ _tag: 'NotFound', id })
    if (d.status !== 'open') return E.left({ _tag: 'NotOpen', id, status: d.status })
    await ports.deadLetters.setStatus(id, 'discarded')
    ports.logger.info({ deadLetter: id }, 'dead letter discarded')
    return E.right({ ...d, status: 'discarded' })
  }
