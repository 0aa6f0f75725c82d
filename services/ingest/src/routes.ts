// Ingest's HTTP routes: leads (native and marketplace), qualification commands, the offer catalogue.
import * as E from 'fp-ts/lib/Either.js'
import type { NextFunction, Request, Response, Router } from 'express'
import type * as t from 'io-ts'
import {
  decodeCatalogueEntry,
  decodeMarketplaceLead,
  decodeNativeLead,
  decodeQualificationCommand,
  invalid,
  LeadId,
  problem,
  problemsOf,
  type FieldProblem,
  type InboundLead,
  type LeadError,
} from '@leadstream/domain'
import {
  BatchAnswer,
  CommandAnswer,
  DeadLetterView,
  inboundRoutes,
  LeadAccepted,
  LeadDuplicate,
  LeadParked,
  operatorRoutes,
  ParkedPage,
  Rejected,
  ReplayAnswer,
  Written,
} from '@leadstream/api'
import {
  errorBody,
  eventIdOfKey,
  idempotent,
  idParam,
  intQuery,
  isBodyError,
  mount,
  mountGuarded,
  parseBody,
  rawBody,
  readLeadsBody,
  reply,
  replyInSlices,
  requireRoleOrCode,
  sendLeadError,
  sendProblem,
  statusOfTag,
  type IdempotencyKeys,
  type Tokens,
} from '@leadstream/http-edge'
import { mapInSlices } from '@leadstream/runtime'
import { classifyOffer, runCommand } from './commands.js'
import { discardDeadLetter, replayDeadLetter, type ReplayError } from './replay.js'
import { ingestLeads, type IngestSummary, type InboundItem } from './leads.js'
import type { IngestPorts } from './ports.js'

export interface IngestHttpOptions {
  readonly tokens: Tokens
  readonly idempotencyKeys: IdempotencyKeys
  readonly bodyLimitBytes: number
  readonly maxBatch: number
  /** Webhook secrets accepted as `?code=` on POST /v1/marketplace/leads, beside the ingest tokens. */
  readonly marketplaceSecrets: ReadonlyArray<string>
}

const prefixed = (index: number, problems: ReadonlyArray<FieldProblem>): ReadonlyArray<FieldProblem> =>
  problems.map((p) => ({ ...p, path: p.path === '(body)' ? `[${index}]` : `[${index}].${p.path}` }))

/** A dead letter's source: the route's pattern, never the URL (it may carry a secret or an id). */
const sourceOf = (req: Request): string => `http:${(req.route as { path?: string } | undefined)?.path ?? 'unmatched'}`

export const ingestRoutes =
  (ports: IngestPorts, options: IngestHttpOptions) =>
  (router: Router): void => {
    const ingest = ingestLeads(ports)
    // The role check comes first (mount), then the body is read, then a repeated Idempotency-Key is answered.
    const write = [rawBody(options.bodyLimitBytes), idempotent(options.idempotencyKeys, ports.now)]

    /** Keeps a payload that could not be read at all, and answers 400 naming why. */
    const rejectWhole = async (req: Request, res: Response, format: string, problems: ReadonlyArray<FieldProblem>, payload: string, status = 400) => {
      const [id] = await ports.deadLetters.record([{ source: sourceOf(req), format, problems, payload, receivedAt: ports.now().toISOString() }])
      ports.metrics.deadLetters.inc({ source: sourceOf(req) })
      reply(res, Rejected, { ...errorBody(status === 413 ? 'PayloadTooLarge' : 'Invalid', problems), deadLetterId: id! }, status)
    }

    const leadsRoute =
      (format: string, decode: (value: unknown, receivedAt: string) => E.Either<LeadError, InboundLead>) => async (req: Request, res: Response) => {
        const { raw, read } = await readLeadsBody(req)
        if (read._tag === 'Unreadable') return rejectWhole(req, res, format, [problem('(body)', read.reason)], raw)
        const single = read._tag === 'One'
        // Each item keeps its own text: a rejected one is kept as the sender wrote it.
        const values = read._tag === 'One' ? [{ text: raw, value: E.right<string, unknown>(read.value) }] : read.items
        if (values.length === 0) return rejectWhole(req, res, format, [problem('(body)', 'expected at least one lead')], raw)
        if (values.length > options.maxBatch)
          return rejectWhole(req, res, format, [problem('(body)', `at most ${options.maxBatch} leads per request, got ${values.length}`)], raw)
        const receivedAt = ports.now().toISOString()
        const items: InboundItem[] = await mapInSlices(values, (v, index) => ({
          index,
          payload: v.text,
          decoded: E.isLeft(v.value) ? E.left(invalid([problem('(body)', v.value.left)])) : decode(v.value.right, receivedAt),
        }))
        const summary: IngestSummary = await ingest(items, sourceOf(req), format)
        res.setHeader('X-Log-Position', String(summary.position))
        if (single) {
          const r = summary.results[0]!
          // An impossible transition is a 409 like a command's (an unknown lead's event is parked, 202, not refused);
          // every other refusal of an item stays the 400 Invalid it always was.
          const refusal = r.status === 'rejected' && r.code === 'TransitionNotAllowed' ? r.code : 'Invalid'
          if (r.status === 'rejected') return reply(res, Rejected, { ...errorBody(refusal, r.problems), deadLetterId: r.deadLetterId }, statusOfTag(refusal))
          if (r.status === 'accepted') return reply(res, LeadAccepted, { ...r, position: summary.position }, 201)
          if (r.status === 'parked') return reply(res, LeadParked, { ...r, position: summary.position }, 202)
          return reply(res, LeadDuplicate, { ...r, position: summary.position })
        }
        // In a batch, each problem's path starts with the item's index, so the sender knows which lead to fix.
        const results = summary.results.map((r) => (r.status === 'rejected' ? { ...r, problems: prefixed(r.index, r.problems) } : r))
        const status = summary.rejected === 0 ? 200 : summary.rejected === values.length ? 400 : 207
        await replyInSlices(res, BatchAnswer, { ...summary, results }, 'results', status)
      }

    mount(
      router,
      options.tokens,
      inboundRoutes.submitLeads,
      ...write,
      leadsRoute('native', (v) => decodeNativeLead(v)),
    )
    // Partner Center cannot send a token: a webhook secret in `?code=` stands in for it on this route only.
    mountGuarded(
      router,
      [requireRoleOrCode(options.tokens, 'ingest', options.marketplaceSecrets)],
      inboundRoutes.submitMarketplaceLeads,
      ...write,
      leadsRoute('marketplace', (v, receivedAt) => decodeMarketplaceLead(ports.sources, { receivedAt, identity: ports.identity }, v)),
    )

    mount(router, options.tokens, inboundRoutes.runLeadCommand, ...write, async (req: Request, res: Response) => {
      const body = parseBody(req)
      if (!body.ok) return rejectWhole(req, res, 'command', [problem('(body)', body.reason)], body.raw)
      const leadId = String(req.params['id'])
      if (!LeadId.is(leadId)) return rejectWhole(req, res, 'command', [problem('leadId', 'not a lead id')], body.raw)
      const at = ports.now().toISOString()
      const decoded = decodeQualificationCommand(leadId, at, body.value)
      // With an Idempotency-Key and no commandId, the key names the command: a retry after a lost answer replays.
      const key = req.get('idempotency-key')
      const command =
        E.isRight(decoded) && decoded.right.commandId === undefined && key !== undefined ? { ...decoded.right, commandId: eventIdOfKey(key) } : null
      const result = E.isLeft(decoded) ? decoded : await runCommand(ports)(command ?? decoded.right, ports.newId())
      if (E.isLeft(result)) {
        const [id] = await ports.deadLetters.record([
          { source: sourceOf(req), format: 'command', problems: problemsOf(result.left), payload: body.raw, receivedAt: at },
        ])
        return sendLeadError(res, result.left, { deadLetterId: id })
      }
      res.setHeader('X-Log-Position', String(result.right.position))
      const w = result.right
      reply(res, CommandAnswer, { status: w.duplicate ? 'duplicate' : 'accepted', leadId, ...w }, w.duplicate || w.replayed === true ? 200 : 201)
    })

    mount(router, options.tokens, inboundRoutes.classifyOffer, ...write, async (req: Request, res: Response) => {
      const body = parseBody(req)
      if (!body.ok) return rejectWhole(req, res, 'catalogue', [problem('(body)', body.reason)], body.raw)
      const at = ports.now().toISOString()
      const decoded = decodeCatalogueEntry(at, body.value)
      const key = req.get('idempotency-key')
      const result = E.isLeft(decoded) ? decoded : await classifyOffer(ports)(decoded.right, key === undefined ? ports.newId() : eventIdOfKey(key))
      if (E.isLeft(result)) {
        const [id] = await ports.deadLetters.record([
          { source: sourceOf(req), format: 'catalogue', problems: problemsOf(result.left), payload: body.raw, receivedAt: at },
        ])
        return sendLeadError(res, result.left, { deadLetterId: id })
      }
      res.setHeader('X-Log-Position', String(result.right.position))
      reply(res, Written, { status: result.right.duplicate ? 'duplicate' : 'accepted', ...result.right }, result.right.duplicate ? 200 : 201)
    })

    const replayStatus = (e: ReplayError): number => (e._tag === 'NotFound' ? 404 : e._tag === 'NotOpen' ? 409 : 422)
    const replayProblems = (e: ReplayError): ReadonlyArray<FieldProblem> =>
      e._tag === 'StillRejected'
        ? e.problems
        : e._tag === 'NotFound'
          ? [problem('id', `no dead letter ${e.id}`)]
          : e._tag === 'NotOpen'
            ? [problem('id', `dead letter ${e.id} is ${e.status}, not open`)]
            : e.format === 'event'
              ? [
                  problem(
                    'format',
                    'a parked event is applied again by the fixed projection: deploy the fix and rebuild the projection (the rebuild reads every event)',
                  ),
                ]
              : [problem('format', `a ${e.format} dead letter cannot be replayed; send the request again`)]
    const adminAction =
      <C extends t.Mixed>(answer: C, act: (id: number) => Promise<E.Either<ReplayError, t.OutputOf<C>>>) =>
      async (req: Request, res: Response) => {
        const id = idParam('id', req.params['id'])
        if (E.isLeft(id)) return void res.status(400).json(errorBody('Invalid', [id.left]))
        const r = await act(id.right)
        if (E.isLeft(r)) return void res.status(replayStatus(r.left)).json(errorBody(r.left._tag, replayProblems(r.left)))
        reply(res, answer, r.right)
      }
    mount(router, options.tokens, operatorRoutes.listParked, async (req, res) => {
      const after = intQuery(req.query, 'after', 0, 999_999_999_999_999, 0)
      const limit = intQuery(req.query, 'limit', 1, 1000, 100)
      if (E.isLeft(after) || E.isLeft(limit))
        return sendProblem(
          res,
          400,
          'Invalid',
          [after, limit].flatMap((p) => (E.isLeft(p) ? [p.left] : [])),
        )
      const [items, parked] = await Promise.all([ports.parked.list({ after: after.right, limit: limit.right }), ports.parked.count()])
      const last = items[items.length - 1]
      reply(res, ParkedPage, {
        items: items.map(({ payload: _payload, format: _format, claimedUntil: _claimedUntil, ...view }) => view),
        next: items.length === limit.right && last !== undefined ? String(last.id) : null,
        parked,
      })
    })
    mount(router, options.tokens, operatorRoutes.replayDeadLetter, adminAction(ReplayAnswer, replayDeadLetter(ports)))
    mount(router, options.tokens, operatorRoutes.discardDeadLetter, adminAction(DeadLetterView, discardDeadLetter(ports)))

    // Body errors raised before a route runs (too large, unreadable encoding): answered as JSON and kept as dead letters.
    router.use(async (err: unknown, req: Request, res: Response, next: NextFunction) => {
      if (!isBodyError(err)) return next(err)
      const kept = err.payload ?? `(body not kept: ${err.reason})`
      const [id] = await ports.deadLetters.record([
        { source: sourceOf(req), format: 'unknown', problems: [problem(err.path, err.reason)], payload: kept, receivedAt: ports.now().toISOString() },
      ])
      ports.metrics.deadLetters.inc({ source: sourceOf(req) })
      const code = err.status === 413 ? 'PayloadTooLarge' : err.status === 415 ? 'UnsupportedMediaType' : 'Invalid'
      reply(res, Rejected, { ...errorBody(code, [problem(err.path, err.reason)]), deadLetterId: id! }, err.status)
    })
  }
