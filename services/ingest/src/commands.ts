// Qualification commands and catalogue entries: decide on the current stream, append with expected revision.
import { createHash } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import {
  canonicalJson,
  commandIdReused,
  conflict,
  decide,
  deterministicEventId,
  fold,
  streamOfLead,
  streamOfOffer,
  type LeadError,
  type LeadEvent,
  type OfferClassified,
  type QualificationCommand,
} from '@leadstream/domain'
import type { IngestPorts } from './ports.js'

export interface Written {
  readonly eventIds: ReadonlyArray<string>
  readonly position: number
  /** True when nothing new was written (a re-delivery, or the catalogue already said so). */
  readonly duplicate: boolean
  /** True when this is a retry of a command (same commandId) that was already recorded: the original result. */
  readonly replayed?: boolean
}

const MAX_ATTEMPTS = 3

/** What makes two commands the same command: all but the time they arrived. */
const digestOf = (command: QualificationCommand): string => {
  const { at: _at, ...rest } = command
  return createHash('sha256').update(canonicalJson(rest)).digest('hex').slice(0, 32)
}

/**
 * Runs one qualification command. A concurrent change to the lead is retried on the fresh state. With a
 * commandId the events' ids derive from it (and the lead), so a retry whose answer was lost finds them in
 * the stream and gets the original result back (`replayed`), not a fresh decision; the same commandId with a
 * different command is refused. Without one, `eventId` is used (a fresh id per request).
 */
export const runCommand =
  (ports: IngestPorts) =>
  async (command: QualificationCommand, eventId: string): Promise<E.Either<LeadError, Written>> => {
    const streamId = streamOfLead(command.leadId)
    const commandId = command.commandId
    const firstId = commandId === undefined ? eventId : deterministicEventId(`command|${command.leadId}|${commandId}`)
    const digest = commandId === undefined ? undefined : digestOf(command)
    for (let attempt = 1; ; attempt++) {
      const read = await ports.store.readStream(streamId)()
      if (E.isLeft(read)) throw new Error(`reading ${streamId}: ${read.left._tag}`)
      const earlier = commandId === undefined ? [] : read.right.events.filter((e) => e.eventId === firstId || e.eventId.startsWith(`${firstId}:`))
      if (commandId !== undefined && earlier.length > 0)
        return earlier[0]?.metadata.command === digest
          ? E.right({ eventIds: earlier.map((e) => e.eventId), position: Math.max(...earlier.map((e) => e.position)), duplicate: false, replayed: true })
          : E.left(commandIdReused(command.leadId, commandId))
      const decided = decide(command, fold(read.right.events.map((r) => r.event as LeadEvent)))
      if (E.isLeft(decided)) return decided
      const metadata = { by: command.by, ...(commandId === undefined || digest === undefined ? {} : { commandId, command: digest }) }
      const events = decided.right.map((event, i) => ({ eventId: i === 0 ? firstId : `${firstId}:${i}`, event, metadata }))
      const appended = await ports.store.append({ streamId, expectedRevision: read.right.revision, events })()
      // A concurrent retry of the same command got there first: the next read finds its events.
      if (E.isRight(appended) && appended.right._tag === 'Duplicate' && commandId !== undefined && attempt < MAX_ATTEMPTS) continue
      if (E.isRight(appended)) {
        if (appended.right._tag === 'Appended') ports.metrics.eventsAppended.inc(events.length)
        return E.right({ eventIds: events.map((e) => e.eventId), position: appended.right.lastPosition, duplicate: appended.right._tag === 'Duplicate' })
      }
      const err = appended.left
      if (err._tag !== 'WrongExpectedRevision') throw new Error(`appending to ${streamId}: ${err._tag}`)
      if (attempt >= MAX_ATTEMPTS) return E.left(conflict(streamId, read.right.revision, err.actual))
    }
  }

/** Records catalogue entries; an entry that names the kind the catalogue already holds writes nothing. */
export const classifyOffer =
  (ports: IngestPorts) =>
  async (entries: ReadonlyArray<OfferClassified>, eventId: string): Promise<E.Either<LeadError, Written>> => {
    const ids: string[] = []
    let position = 0
    let wrote = false
    for (const [i, entry] of entries.entries()) {
      const streamId = streamOfOffer(entry.data.offerKey)
      const read = await ports.store.readStream(streamId)()
      if (E.isLeft(read)) throw new Error(`reading ${streamId}: ${read.left._tag}`)
      const last = read.right.events[read.right.events.length - 1]
      if (last !== undefined && last.event.type === 'OfferClassified' && last.event.data.kind === entry.data.kind) {
        position = Math.max(position, last.position)
        continue
      }
      const id = `${eventId}:${i}`
      const appended = await ports.store.append({
        streamId,
        expectedRevision: read.right.revision,
        events: [{ eventId: id, event: entry, metadata: { by: entry.data.by } }],
      })()
      if (E.isLeft(appended)) {
        if (appended.left._tag === 'WrongExpectedRevision') return E.left(conflict(streamId, read.right.revision, appended.left.actual))
        throw new Error(`appending to ${streamId}: ${appended.left._tag}`)
      }
      ids.push(id)
      wrote = wrote || appended.right._tag === 'Appended'
      position = Math.max(position, appended.right.lastPosition)
    }
    return E.right({ eventIds: ids, position, duplicate: !wrote })
  }
