// `leadstream privacy erase|export|status`: erase a person's personal data, export everything held about a person
// (subject access), and the retention and erasure status. All are ingest's routes (operator role). The email is
// sent to the server only: it is never printed back, and `erase` prints the pseudonymous subject id.
import { ErasureAnswer, PrivacyStatus, privacyRoutes, RetentionRunView, SubjectExport } from '@leadstream/api'
import { exitCode, jsonOut, type Command, type Context } from './command.js'
import { table } from './render.js'

const looksLikeEmail = (s: string): boolean => /^[^@\s]+@[^@\s]+$/.test(s.trim()) && s.length <= 254

const badEmail = (ctx: Context): number => ctx.usage('<email>: expected an email address')

const erase: Command = {
  name: 'erase',
  args: ['<email>'],
  summary: 'erase a person’s personal data: shred their keys, redact their leads, purge their dead letters',
  details:
    'Counts, states and analytics stay; the leads’ contact fields read as erased from then on. Erasing again, or an ' +
    'email nothing is held about, is not an error: it says alreadyErased or unknownSubject. An audit entry records ' +
    'who, when, why and how much, with a keyed digest of the email, never the email.',
  options: [
    ['--by <who>', 'who erases (recorded in the audit and the events); required'],
    ['--reason <text>', 'why, in your words (keep personal data out of it); required'],
  ],
  json: 'the erasure: {erasureId, outcome, subject, counts, position, message}',
  run: async (ctx, [email = ''], values) => {
    if (!looksLikeEmail(email)) return badEmail(ctx)
    const by = values['by']
    const reason = values['reason']
    if (typeof by !== 'string' || by.trim() === '') return ctx.usage('--by: say who erases (a name or an id)')
    if (typeof reason !== 'string' || reason.trim() === '') return ctx.usage('--reason: say why (the request, a ticket number)')
    const r = await ctx.api.send('ingest', privacyRoutes.erase.path, JSON.stringify({ email, by, reason }), ErasureAnswer)
    if (!r.ok) return ctx.fail(r.failure)
    if (ctx.json) return jsonOut(ctx, r.value)
    const a = r.value
    ctx.io.out(`${a.message}\n`)
    ctx.io.err(`erasure ${a.erasureId}, subject ${a.subject}${a.position > 0 ? `; the views are redacted from position ${a.position}` : ''}\n`)
    return exitCode.ok
  },
}

const exportSubject: Command = {
  name: 'export',
  args: ['<email>'],
  summary: 'everything held about a person as one JSON document (subject access): leads, contact data, history, dead letters, erasures',
  details: 'The document holds the person’s personal data: write it to a file you hand to them, not to a shared log.',
  json: 'the document (it is always JSON)',
  run: async (ctx, [email = '']) => {
    if (!looksLikeEmail(email)) return badEmail(ctx)
    // In the body, never in the URL: a URL is what proxies log and what a failure message prints.
    const r = await ctx.api.send('ingest', privacyRoutes.exportSubject.path, JSON.stringify({ email }), SubjectExport)
    if (!r.ok) return ctx.fail(r.failure)
    jsonOut(ctx, r.value)
    if (!ctx.json) ctx.io.err(`${r.value.leads.length} lead(s), ${r.value.deadLetters.length} dead letter(s), ${r.value.erasures.length} erasure(s)\n`)
    return exitCode.ok
  },
}

const status: Command = {
  name: 'status',
  args: [],
  summary: 'retention (setting, last run, what it erased), pending erasures and the latest audit entries',
  options: [['--run-retention', 'run the retention sweep now, then show the status']],
  json: 'the status: {retentionDays, lastRetentionRun, pending, recent}',
  run: async (ctx, _args, values) => {
    if (values['runRetention'] === true) {
      const run = await ctx.api.call('ingest', 'POST', privacyRoutes.runRetention.path, RetentionRunView)
      if (!run.ok) return ctx.fail(run.failure)
    }
    const r = await ctx.api.call('ingest', 'GET', privacyRoutes.privacyStatus.path, PrivacyStatus)
    if (!r.ok) return ctx.fail(r.failure)
    if (ctx.json) return jsonOut(ctx, r.value)
    const s = r.value
    const last = s.lastRetentionRun
    ctx.io.out(
      `retention: ${s.retentionDays === null ? 'off (LEADSTREAM_RETENTION_DAYS=0)' : `${s.retentionDays} days`}\n` +
        `last run:  ${last === null ? 'never' : `${last.ranAt}: ${last.subjects} subject(s), ${last.leads} lead(s) erased (cutoff ${last.cutoff})`}\n` +
        `pending erasures: ${s.pending}\n`,
    )
    if (s.recent.length > 0)
      ctx.io.out(
        table(
          ['REQUESTED', 'REASON', 'BY', 'OUTCOME', 'LEADS', 'KEYS', 'DEAD LETTERS', 'ERASURE'],
          s.recent.map((e) => [
            e.requestedAt,
            e.reason,
            e.by,
            e.outcome ?? e.status,
            String(e.counts?.leads ?? e.leadIds.length),
            String(e.counts?.keys ?? ''),
            String(e.counts?.deadLetters ?? ''),
            e.erasureId,
          ]),
        ),
      )
    return exitCode.ok
  },
}

export const commands: ReadonlyArray<Command> = [erase, exportSubject, status]
