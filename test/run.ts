// Runs every uvu test file of the workspace in one process (uvu's own runner, fed a list of files).
// Usage: node --import tsx test/run.ts [substring…]  — only files whose path contains a substring run.
//
// Why not uvu's `uvu/parse` + `uvu/run`: `run` imports the files and executes the queue in one call, so there
// is no moment to install the guard below (uvu hides a suite whose before/after hook threw); and `parse` walks
// one directory with one pattern, where this walks packages/, services/ and test/ and keeps the files whose
// path contains any substring given. What is left of uvu's protocol here is its documented globals.
import { readdirSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const root = resolve(import.meta.dirname, '..')
const filters = process.argv.slice(2)

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name.startsWith('.')) return []
    const full = join(dir, name)
    return statSync(full).isDirectory() ? walk(full) : /\.test\.ts$/.test(name) ? [full] : []
  })

const files = ['packages', 'services', 'test']
  .flatMap((d) => walk(join(root, d)))
  .filter((f) => filters.length === 0 || filters.some((s) => relative(root, f).includes(s)))
  .sort()

if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`)
  process.exit(1)
}

// uvu's runner protocol: defer execution, register one queue per file, then run them all in order.
const g = globalThis as unknown as { UVU_DEFER: number; UVU_INDEX: number; UVU_QUEUE: Array<[string]> }
g.UVU_DEFER = 1
const uvu = await import('uvu')
for (const [index, file] of files.entries()) {
  g.UVU_INDEX = index
  g.UVU_QUEUE.push([relative(root, file)])
  await import(pathToFileURL(file).href)
}
// uvu swallows an error thrown by a suite's `before`/`after` hook (its runner returns from a `finally`): the
// suite reports (0 / n) in green and the run exits 0. A suite whose tests did not all run fails the run here.
type Outcome = [true | string, number, number, number]
for (const group of g.UVU_QUEUE as unknown as Array<[string, ...Array<() => Promise<Outcome>>]>) {
  for (let i = 1; i < group.length; i++) {
    const run = group[i] as () => Promise<Outcome>
    group[i] = async () => {
      const [errors, ran, skipped, total] = await run()
      if (errors === true && ran + skipped < total)
        return [
          `   FAIL  ${group[0]}: ${total - ran - skipped} of ${total} tests did not run (a before/after hook threw; uvu hides its error: run this file alone)\n`,
          ran,
          skipped,
          total,
        ]
      return [errors, ran, skipped, total]
    }
  }
}
await uvu.exec(false)
