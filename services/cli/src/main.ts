// `leadstream`: the operators' command line over the admin HTTP routes (see cli.ts for the commands).
// Ctrl-C ends waits and requests cleanly; a second one exits at once.
import { once } from 'node:events'
import { run } from './cli.js'

const interrupt = new AbortController()
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(130)
  interrupt.abort()
})
// `leadstream events tail | head`: the reader leaving is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0)
  throw e
})

try {
  process.exitCode = await run(process.argv.slice(2), process.env, {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    errIsTty: process.stderr.isTTY === true,
    columns: process.stderr.columns ?? 80,
    signal: interrupt.signal,
    drained: async () => {
      if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain')
    },
  })
} catch (e) {
  // A defect, not a failure the commands know: say so with the stack, for a bug report.
  process.stderr.write(`leadstream: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
  process.exitCode = 1
}
