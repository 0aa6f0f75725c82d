// Retention: erase the personal data of the subjects none of whose leads has had an event for N days. Keys are
// per subject (a person), not per lead, so retention works per subject: a person with one idle lead and one
// active lead keeps both until the active one goes quiet too. Runs on an interval; `sweep` takes the time it is
// told, so tests drive it with a clock instead of waiting.
import type { KeyStore, RetentionRun, SubjectId } from '@leadstream/privacy'
import type { ViewReader } from '@leadstream/view-store'
import { eraseSubject, type ErasurePorts } from './erasure.js'

export interface RetentionPorts extends ErasurePorts {
  readonly keys: Pick<KeyStore, 'leadsOf' | 'shred' | 'subjectsOfLeads'>
  readonly views: Pick<ViewReader, 'lead' | 'idleLeads'>
}

export interface RetentionOptions {
  readonly days: number
  /** Leads read per page of candidates. */
  readonly pageSize?: number
}

/** Who the audit and the events name as the eraser. */
export const RETENTION_ACTOR = 'leadstream retention'

const DAY_MS = 24 * 3600 * 1000

/** True when the lead had no event since the cutoff, or its data is erased already, or it was never captured. */
const idle = async (ports: RetentionPorts, leadId: string, cutoff: string): Promise<boolean> => {
  const s = await ports.views.lead(leadId)
  return s === null || s.erasedAt !== null || s.updatedAt < cutoff
}

/** One pass at `now`: finds the due subjects, erases each (reason `retention`), records the run. */
export const sweep = async (ports: RetentionPorts, options: RetentionOptions, now: Date): Promise<RetentionRun> => {
  const cutoff = new Date(now.getTime() - options.days * DAY_MS).toISOString()
  const pageSize = options.pageSize ?? 1000
  const seen = new Set<SubjectId>()
  let subjects = 0
  let leads = 0
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
      for (const id of all) if (!(await idle(ports, id, cutoff))) due = false
      if (!due) continue
      const r = await eraseSubject(ports, { subject, emailDigest: '' }, { by: RETENTION_ACTOR, note: `no event for ${options.days} days (before ${cutoff})`, reason: 'retention' })
      if (r.outcome === 'erased') {
        subjects++
        leads += r.counts.events
      }
    }
    if (page.length < pageSize) break
  }
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
      sweep(ports, options, ports.now()).catch((e: unknown) => ports.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'retention sweep failed; it runs again at the next interval')),
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
