// `projections rebuild` against a scripted projector: the paths a real server rarely shows on cue (a
// generation that fails, a paused projection, a terminal), run in-process through `run`.
import { createServer, type Server } from 'node:http'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { run } from './cli.js'
import type { Io } from './render.js'

const generation = (n: number, role: 'live' | 'rebuilding', position: number, extra: Record<string, unknown> = {}) => ({
  generation: n,
  codeVersion: 1,
  role,
  state: 'live',
  position,
  head: 1000,
  lag: 1000 - position,
  eventsPerSecond: 50,
  etaSeconds: Math.ceil((1000 - position) / 50),
  lastError: null,
  projection: 'leads',
  ...extra,
})

const projection = (registry: { live: number; building: number | null; paused?: boolean }, generations: ReadonlyArray<unknown>) => ({
  projection: 'leads',
  registry: { liveVersion: 1, buildingVersion: registry.building === null ? null : 1, paused: false, ...registry },
  paused: registry.paused ?? false,
  generations,
})

/** Answers the rebuild with `started`, then each status poll with the next of `polls` (the last one repeats). */
const projector = async (started: unknown, polls: ReadonlyArray<unknown>): Promise<{ url: string; server: Server }> => {
  let i = 0
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json')
    res.statusCode = req.method === 'POST' ? 202 : 200
    res.end(
      JSON.stringify(req.method === 'POST' ? { projection: 'leads', building: 2, status: started } : { projections: [polls[Math.min(i++, polls.length - 1)]] }),
    )
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const address = server.address()
  return { url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`, server }
}

const capture = (errIsTty: boolean) => {
  const seen = { out: '', err: '' }
  const io: Io = {
    out: (s) => void (seen.out += s),
    err: (s) => void (seen.err += s),
    errIsTty,
    columns: 100,
    signal: new AbortController().signal,
    drained: async () => undefined,
  }
  return { io, seen }
}

const test = suite('projections rebuild')

test('rebuild :: a generation that fails exits 1 with its last error; the live one is named', async () => {
  const { url, server } = await projector(projection({ live: 1, building: 2 }, [generation(1, 'live', 1000), generation(2, 'rebuilding', 0)]), [
    projection({ live: 1, building: 2 }, [generation(1, 'live', 1000), generation(2, 'rebuilding', 400)]),
    projection({ live: 1, building: 2 }, [
      generation(1, 'live', 1000),
      generation(2, 'rebuilding', 420, { state: 'failed', lastError: { message: 'projection failed at position 421 (event e-421): boom' } }),
    ]),
  ])
  try {
    const { io, seen } = capture(false)
    assert.is(await run(['projections', 'rebuild', 'leads'], { LEADSTREAM_URL: url }, io), 1)
    assert.is(seen.out, '')
    assert.match(seen.err, 'leads generation 2: 0/1000 events (0%), 50 events/s, ETA 20s')
    assert.match(seen.err, 'generation 2 stopped at position 420: projection failed at position 421 (event e-421): boom')
    assert.match(seen.err, 'generation 1 stays live')
  } finally {
    server.close()
  }
})

test('rebuild :: paused, it says so once and waits; on a terminal the bar is redrawn in place', async () => {
  const paused = projection({ live: 1, building: 2, paused: true }, [])
  const { url, server } = await projector(paused, [
    paused,
    projection({ live: 1, building: 2 }, [generation(1, 'live', 1000), generation(2, 'rebuilding', 500)]),
    projection({ live: 2, building: null }, [generation(2, 'live', 1000)]),
  ])
  try {
    const { io, seen } = capture(true)
    assert.is(await run(['projections', 'rebuild', 'leads'], { LEADSTREAM_URL: url }, io), 0)
    assert.is(seen.err.split('is paused').length - 1, 1, 'one note')
    assert.match(seen.err, "'leadstream projections resume leads'")
    // cli-progress redraws in place: back to column 1, the bar, then the rest of the line cleared.
    assert.match(seen.err, /\x1b\[1Gleads generation 2 \[█+░+\] {2}50% {2}500\/1000 {2}50 events\/s {2}ETA 10s\x1b\[0K/)
    assert.match(seen.err, /\x1b\[1Gleads generation 2 \[█+\] 100% {2}1000\/1000 /)
    assert.ok(seen.err.endsWith('\n'), 'the cursor ends below the bar')
    assert.match(seen.out, /^leads: generation 2 is live \(1000 events in [\d.]+s, \d+ events\/s\)\n$/)
  } finally {
    server.close()
  }
})

test('rebuild :: a generation dropped from the registry (another operator’s change) exits 1', async () => {
  const { url, server } = await projector(projection({ live: 1, building: 2 }, [generation(1, 'live', 1000), generation(2, 'rebuilding', 0)]), [
    projection({ live: 1, building: null }, [generation(1, 'live', 1000)]),
  ])
  try {
    const { io, seen } = capture(false)
    assert.is(await run(['projections', 'rebuild', 'leads', '--json'], { LEADSTREAM_URL: url }, io), 1)
    assert.match(seen.err, 'generation 2 of leads is no longer being built (live: 1, building: none)')
  } finally {
    server.close()
  }
})

test.run()
