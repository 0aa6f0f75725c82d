// Retention: erase the personal data of the subjects none of whose leads has had an event for N days. Keys are
// per subject (a person), not per lead, so retention works per subject: a person with one idle lead and one
// active lead keeps both until the active one goes quiet too. Runs on an interval; `sweep` takes the time it is
// told, so tests drive it with a clock instead of waiting.
//
// Which time counts: the time leadstream recorded the lead's last event (the store's recordedAt), not the time
// the event says it occurred upstream. Imported history with old dates is kept N days from its import, like any
// lead. The decision reads the lead's stream in the event store (the truth), never only the views: the views may
// not have applied a lead captured a moment ago, and an erasure based on them could take a person still active.
// The views only list the candidates (leads whose last event occurred before the cutoff: an event is never
// recorded before it occurred, so every lead idle by recorded time is among them).
import * as E from 'fp-ts/lib/Either.js'
import { fold, streamOfLead, type LeadEvent } from '@leadstream/domain'
import type { KeyStore, RetentionRun, SubjectId } from '@leadstream/privacy'
import type { ViewReader } from '@leadstream/view-store'
import { eraseSubject, type ErasurePorts } from './erasure.js'

export interface RetentionPorts extends ErasurePorts {
  readonly keys: Pick<KeyStore, 'leadsOf' | 'shred' | 'subjectsOfLeads'>
  readonly views: Pick<ViewReader, 'idleLeads'>
  /**
   * Waits (bounded) until the views reflect the log up to `position`; answers whether they do. A sweep waits for
   * the store's head first so its candidate list is complete.
   */
  readonly viewsAt: (position: number) => Promise<boolean>
}

export interface RetentionOptions {
  readonly days: number
  /** Leads read per page of candidates. */
  readonly pageSize?: number
}

/** Who the audit and the events name as the eraser. */
export const RETENTION_ACTOR = 'leadstream retention'

const DAY_MS = 24 * 3600 * 1000

/**
 * True when the lead's stream has no event recorded since the cutoff, or holds nothing to erase (never captured,
 * or erased already). Read from the event store, so a lead the views have not applied yet counts as it is.
 */
const idle = async (ports: RetentionPorts, leadId: string, cutoff: string): Promise<boolean> => {
  const read = await ports.store.readStream(streamOfLead(leadId))()
  if (E.isLeft(read)) throw new Error(`reading the stream of lead ${leadId}: ${read.left._tag}`)
  const events = read.right.events
  const last = events[events.length - 1]
  if (last === undefined || last.recordedAt < cutoff) return true
  const state = fold(events.map((r) => r.event as LeadEvent))
  return state.status === 'unknown' || state.erased
}

/**
 * One pass at `now`: finds the due subjects, erases each (reason `retention`), scrubs once at the end (at the
 * highest position the pass wrote), records the run.
 */
export const sweep = async (ports: RetentionPorts, options: RetentionOptions, now: Date): Promise<RetentionRun> => {
  const cutoff = new Date(now.getTime() - options.days * DAY_MS).toISOString()
  const pageSize = options.pageSize ?? 1000
  const head = await ports.store.head()()
  if (E.isLeft(head)) throw new Error(`reading the event store's head: ${head.left._tag}`)
  // Safe either way (each decision reads the store), but views far behind would miss candidates until next time.
  if (!(await ports.viewsAt(head.right)))
    ports.logger.warn({ head: head.right }, 'retention: the views are behind the event store; leads they have not applied wait for the next sweep')
  const seen = new Set<SubjectId>()
  let subjects = 0
  let leads = 0
  let position = 0
  for (let after = ''; ; ) {
    const page = await ports.views.idleLeads(cutoff, after, pageSize)
    if (page.length === 0) break
    after = page[page.length - 1] ?? after
    const owners = await ports.keys.subjectsOfLeads(page)
    for (const subject of new Set(owners.values())) {
      if (seen.has(subject)) continue
      seen.add(subject)
      const all = await ports.keys.leadsOf(subject)
      let due = true
      for (const id of all) if (due && !(await idle(ports, id, cutoff))) due = false
      if (!due) continue
      const r = await eraseSubject(
        ports,
        { subject, emailDigest: '' },
        { by: RETENTION_ACTOR, note: `no event for ${options.days} days (before ${cutoff})`, reason: 'retention' },
        { scrub: false },
      )
      position = Math.max(position, r.position)
      if (r.outcome === 'erased') {
        subjects++
        leads += r.counts.events
      }
    }
    if (page.length < pageSize) break
  }
  // Once per pass: one wait for the views, one checkpoint of every file, one cut of the inbound topic. A crash
  // before it leaves the old bytes to the next erasure's scrub (or SQLite's own checkpoint).
  if (position > 0) await ports.scrub(position)
  const run: RetentionRun = { ranAt: now.toISOString(), cutoff, subjects, leads }
  await ports.audit.recordRetentionRun(run)
  ports.logger.info({ cutoff, subjects, leads }, 'retention sweep done')
  return run
}

/** Runs `sweep` every `everyMs` (the first one after `everyMs`); a pass never overlaps the previous one. */
export const retentionLoop = (ports: RetentionPorts, options: RetentionOptions & { readonly everyMs: number }): { stop(): Promise<void> } => {
  let running: Promise<unknown> = Promise.resolve()
  const timer = setInterval(() => {
    running = running.then(() =>
      sweep(ports, options, ports.now()).catch((e: unknown) =>
        ports.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'retention sweep failed; it runs again at the next interval'),
      ),
    )
  }, options.everyMs)
  timer.unref()
  return {
    stop: async () => {
      clearInterval(timer)
      await running
    },
  }
}
