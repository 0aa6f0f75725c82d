// The chaos test's figures, printed after every run (and quoted in the README): kills, acknowledged leads,
// lost and double-counted ones, recovery times.
import type { Verdict } from './check.js'
import type { Fleet, Kind } from './fleet.js'
import type { Ledger } from './ledger.js'
import type { Recovery } from './recovery.js'

const secs = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`)

export interface Timings {
  readonly started: number
  readonly chaosStart: number
  readonly chaosEnd: number
  readonly lastKill: number
  readonly recoveredAt: number
}

export const figures = (seed: number, fleet: Fleet, ledger: Ledger, recovery: Recovery, v: Verdict, t: Timings): string => {
  const pairs = ledger.all()
  const s = ledger.stats
  const by = fleet.killsBy()
  const down = fleet.downtimeBy()
  const r = recovery.summary()
  const back = (k: Kind) => `${k} ${secs(down[k].median)} / ${secs(down[k].max)}`
  const caughtUp = (k: Kind, what: string) =>
    `${k} ${secs(r[k].median)} / ${secs(r[k].max)} (${what}${r[k].unrecovered > 0 ? `; ${r[k].unrecovered} overtaken by a later kill` : ''})`
  return [
    `chaos: seed ${seed}: ${fleet.kills.length} kills in ${secs(t.chaosEnd - t.chaosStart)} (ingest ${by.ingest}, relay ${by.relay}, projectors ${by.projector}; ${by.starting} while still starting); ${fleet.failures.length} failed starts or crashes`,
    `  acknowledged: ${pairs.filter((p) => p.ackedBy.has('http')).length} lead actions over HTTP (${s.requests} requests, ${s.unanswered} unanswered, ${s.idempotentReplays} idempotent replays), ` +
      `${pairs.filter((p) => p.ackedBy.has('kafka')).length} over Kafka (${s.kafkaSends} sends); ${v.leads} leads, ${v.events} events in the store`,
    `  duplicates answered: ${pairs.reduce((n, p) => n + p.duplicates, 0)}; rejected for concurrent change and re-sent: ${s.rejectedItems}; 5xx answers: ${s.serverErrors}`,
    `  lost: ${v.lost}; double-written: ${v.doubleWritten}; views against the fold: ${v.viewExcess} counted twice, ${v.viewShortfall} missing`,
    `  recovery after the last kill until the views equal the fold: ${secs(t.recoveredAt - t.lastKill)}`,
    `  serving again after a kill, median / max: ${back('ingest')}; ${back('relay')}; ${back('projector')}`,
    `  caught up after a kill, median / max: ${caughtUp('ingest', 'inbound topic consumed')}; ${caughtUp('relay', 'store head published')}; ${caughtUp('projector', 'lead-events applied')}`,
    `  total ${secs(Date.now() - t.started)}`,
    '',
  ].join('\n')
}
