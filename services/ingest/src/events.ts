// Operators' read access to the event store itself: one lead's stream, or the global log from a position
// (operator role: events carry contact data, opened with the key store: a capture's contact fields, an action's
// description, a transition's note; a shredded key shows as `{"erased": true}`).
import * as E from 'fp-ts/lib/Either.js'
import type { Router } from 'express'
import { LeadId, streamOfLead, type RecordedEvent } from '@leadstream/domain'
import type { EventStore } from '@leadstream/event-store'
import { EventPage, operatorRoutes, StreamAnswer, type RecordedEventView } from '@leadstream/api'
import { intQuery, mount, reply, sendProblem, type Tokens } from '@leadstream/http-edge'

/** An event as operators read it (the API's RecordedEvent). */
export const presentEvent = (r: RecordedEvent): RecordedEventView => ({
  position: r.position,
  streamId: r.streamId,
  revision: r.revision,
  eventId: r.eventId,
  type: r.event.type,
  version: r.event.version,
  data: r.event.data,
  metadata: r.metadata,
  recordedAt: r.recordedAt,
})

export interface EventRoutesOptions {
  readonly tokens: Tokens
  /** Opens the events' sealed personal data (privacy's openEvents over the key store). */
  readonly unseal: (events: ReadonlyArray<RecordedEvent>) => Promise<ReadonlyArray<RecordedEvent>>
}

export const eventRoutes =
  (store: EventStore, options: EventRoutesOptions) =>
  (router: Router): void => {
    mount(router, options.tokens, operatorRoutes.listEvents, async (req, res) => {
      const after = intQuery(req.query, 'after', 0, Number.MAX_SAFE_INTEGER, 0)
      const limit = intQuery(req.query, 'limit', 1, 10000, 100)
      const problems = [after, limit].flatMap((p) => (E.isLeft(p) ? [p.left] : []))
      if (E.isLeft(after) || E.isLeft(limit)) return sendProblem(res, 400, 'Invalid', problems)
      const [read, head] = await Promise.all([store.readAll(after.right, limit.right)(), store.head()()])
      if (E.isLeft(read) || E.isLeft(head)) throw new Error('the event store is unavailable')
      reply(res, EventPage, { head: head.right, events: (await options.unseal(read.right)).map(presentEvent) })
    })
    mount(router, options.tokens, operatorRoutes.getStream, async (req, res) => {
      const id = String(req.params['leadId'])
      if (!LeadId.is(id)) return sendProblem(res, 400, 'Invalid', [{ path: 'leadId', reason: 'not a lead id' }])
      const read = await store.readStream(streamOfLead(id))()
      if (E.isLeft(read)) throw new Error('the event store is unavailable')
      if (read.right.revision < 0) return sendProblem(res, 404, 'LeadNotFound', [{ path: 'leadId', reason: `no stream for lead ${id}` }])
      reply(res, StreamAnswer, {
        streamId: streamOfLead(id),
        revision: read.right.revision,
        events: (await options.unseal(read.right.events)).map(presentEvent),
      })
    })
  }
