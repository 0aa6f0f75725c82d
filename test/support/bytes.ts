// Byte search for personal data: which files of a directory (or which Kafka messages) contain any of some strings.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

/** Every file under `dir`, recursively. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const full = join(dir, name)
    return statSync(full).isDirectory() ? filesUnder(full) : [full]
  })

/** The needles as they may sit in a file: as given, lower-cased, and JSON-escaped (a `+` or `@` stays as is). */
const forms = (needles: ReadonlyArray<string>): ReadonlyArray<Buffer> =>
  [...new Set(needles.flatMap((n) => [n, n.toLowerCase(), JSON.stringify(n).slice(1, -1)]))].map((n) => Buffer.from(n, 'utf8'))

/** `file: needle` for each file of `dir` (relative name) holding a needle; empty when none does. */
export const findInFiles = (dir: string, needles: ReadonlyArray<string>, only: (file: string) => boolean = () => true): ReadonlyArray<string> => {
  const bufs = forms(needles)
  const found: string[] = []
  for (const file of filesUnder(dir)) {
    const name = relative(dir, file)
    if (!only(name)) continue
    const bytes = readFileSync(file)
    for (const b of bufs) if (bytes.includes(b)) found.push(`${name}: ${b.toString()}`)
  }
  return found
}

/** The needles found in some byte strings (Kafka message keys, values and headers). */
export const findInBytes = (chunks: ReadonlyArray<Buffer | string | null | undefined>, needles: ReadonlyArray<string>): ReadonlyArray<string> => {
  const bufs = forms(needles)
  const found = new Set<string>()
  for (const c of chunks) {
    if (c === null || c === undefined) continue
    const bytes = typeof c === 'string' ? Buffer.from(c) : c
    for (const b of bufs) if (bytes.includes(b)) found.add(b.toString())
  }
  return [...found]
}
