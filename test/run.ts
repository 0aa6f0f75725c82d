// Runs every uvu test file of the workspace in one process (uvu's own runner, fed a list of files).
// Usage: node --import tsx test/run.ts [substring…]  — only files whose path contains a substring run.
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
await uvu.exec(false)
