// Reading JSON text from outside with a nesting limit, and keeping each batch item's own text, so that a
// hostile payload (10,000 nested arrays) is refused before any recursive code sees it, and a rejected item
// is kept in dead letters as the sender wrote it, never re-serialised from a parsed value.
import * as E from 'fp-ts/lib/Either.js'

/** How deep a lead, command or catalogue entry may nest (objects and arrays); a batch's own array is not counted. */
export const MAX_JSON_DEPTH = 64

/** One value read from a body or message: its text as received, and the value or why it could not be read. */
export interface JsonItem {
  readonly text: string
  readonly value: E.Either<string, unknown>
}

/** A body: one value, or a top-level array whose items are read (and may be refused) one by one. */
export type JsonRead =
  | { readonly _tag: 'Unreadable'; readonly reason: string }
  | { readonly _tag: 'One'; readonly value: unknown }
  | { readonly _tag: 'Many'; readonly items: ReadonlyArray<JsonItem> }

interface Shape {
  /** Deepest nesting of the whole text (0 for a scalar). */
  readonly depth: number
  /** For a top-level array: each item's [start, end) in the text and its own depth. */
  readonly items: ReadonlyArray<{ readonly start: number; readonly end: number; readonly depth: number }> | null
  /** Every bracket closed and no string left open. */
  readonly balanced: boolean
}

const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c

/**
 * One linear pass over the text, outside strings: nesting depth, and the item boundaries of a top-level array.
 * Resumable (`step` scans up to a given offset), so a caller on an event loop can scan a large body in slices.
 */
const scanner = (text: string) => {
  const first = text.search(/\S/)
  const topArray = first >= 0 && text.charCodeAt(first) === OPEN_ARRAY
  const items: Array<{ start: number; end: number; depth: number }> = []
  let depth = 0
  let deepest = 0
  let itemStart = first + 1
  let itemDeepest = 0
  let inString = false
  let escaped = false
  let i = Math.max(first, 0)
  return {
    /** Scans up to `until` (exclusive); true once the whole text is scanned. */
    step: (until: number): boolean => {
      const stop = Math.min(until, text.length)
      for (; i < stop; i++) {
        const c = text.charCodeAt(i)
        if (inString) {
          if (escaped) escaped = false
          else if (c === BACKSLASH) escaped = true
          else if (c === QUOTE) inString = false
          continue
        }
        if (c === QUOTE) inString = true
        else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
          depth++
          if (depth > deepest) deepest = depth
          if (depth - 1 > itemDeepest) itemDeepest = depth - 1
        } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
          if (topArray && depth === 1) {
            items.push({ start: itemStart, end: i, depth: itemDeepest })
            itemStart = i + 1
          }
          depth--
        } else if (c === COMMA && topArray && depth === 1) {
          items.push({ start: itemStart, end: i, depth: itemDeepest })
          itemStart = i + 1
          itemDeepest = 0
        }
      }
      return i >= text.length
    },
    shape: (): Shape => ({ depth: deepest, items: topArray ? items : null, balanced: depth === 0 && !inString }),
  }
}

const shapeOf = (text: string): Shape => {
  const scan = scanner(text)
  scan.step(text.length)
  return scan.shape()
}

const parse = (text: string): E.Either<string, unknown> => {
  try {
    return E.right(JSON.parse(text) as unknown)
  } catch (e) {
    return E.left(`malformed JSON: ${e instanceof Error ? e.message : String(e)}`)
  }
}

const tooDeep = (max: number) => `nested deeper than ${max} levels of objects and arrays`

/** Checks the frame of a top-level array read item by item: closed, nothing after it. */
const frameProblem = (text: string, shape: Shape): string | null => {
  if (!shape.balanced) return 'malformed JSON: a bracket or string is not closed'
  const end = shape.items?.[shape.items.length - 1]?.end ?? 0
  return text.slice(end + 1).trim() === '' ? null : 'malformed JSON: unexpected text after the array'
}

const itemAt = (text: string, item: { readonly start: number; readonly end: number; readonly depth: number }, maxDepth: number): JsonItem => {
  const itemText = text.slice(item.start, item.end).trim()
  return { text: itemText, value: item.depth > maxDepth ? E.left(tooDeep(maxDepth)) : parse(itemText) }
}

/** Items read one by one: any item that is malformed (rather than too deep) refuses the whole body. */
const fromItems = (items: ReadonlyArray<JsonItem>, maxDepth: number): JsonRead => {
  // `[]` scans as one empty item.
  if (items.length === 1 && items[0]!.text === '') return { _tag: 'Many', items: [] }
  const malformed = items.find((it) => E.isLeft(it.value) && it.value.left !== tooDeep(maxDepth))
  return malformed !== undefined && E.isLeft(malformed.value) ? { _tag: 'Unreadable', reason: malformed.value.left } : { _tag: 'Many', items }
}

/** A whole text within the nesting limit, parsed once. */
const parsedWhole = (text: string, shape: Shape): JsonRead => {
  const whole = parse(text)
  if (E.isLeft(whole)) return { _tag: 'Unreadable', reason: whole.left }
  if (!Array.isArray(whole.right)) return { _tag: 'One', value: whole.right }
  const values: ReadonlyArray<unknown> = whole.right
  const slices = shape.items ?? []
  return {
    _tag: 'Many',
    items: values.map((value, i) => ({ text: slices[i] === undefined ? text : text.slice(slices[i].start, slices[i].end).trim(), value: E.right(value) })),
  }
}

const emptyBody = { _tag: 'Unreadable', reason: 'the body is empty; expected JSON' } as const

/**
 * Reads a body. Within the limit, the text is parsed once. Past it, a single value is refused whole; in a
 * top-level array only the items past the limit are refused (each keeps its own text), provided every other
 * item is JSON: a body that is malformed anywhere else is refused whole, as any malformed body is.
 */
export const readJson = (text: string, maxDepth: number = MAX_JSON_DEPTH): JsonRead => {
  if (text.trim() === '') return emptyBody
  const shape = shapeOf(text)
  if (shape.depth <= (shape.items === null ? maxDepth : maxDepth + 1)) return parsedWhole(text, shape)
  if (shape.items === null) return { _tag: 'Unreadable', reason: tooDeep(maxDepth) }
  const frame = frameProblem(text, shape)
  return frame !== null
    ? { _tag: 'Unreadable', reason: frame }
    : fromItems(
        shape.items.map((it) => itemAt(text, it, maxDepth)),
        maxDepth,
      )
}

/**
 * `readJson` for a caller on an event loop: a large body is scanned in slices of `sliceChars` and a batch
 * parsed item by item, with `pause()` (which may give the loop a turn) between steps, so other requests are
 * answered while a 10,000-lead body is read. Same answers as `readJson`.
 */
export const readJsonInSlices = async (
  text: string,
  pause: () => Promise<void>,
  options: { readonly maxDepth?: number; readonly sliceChars?: number } = {},
): Promise<JsonRead> => {
  const { maxDepth = MAX_JSON_DEPTH, sliceChars = 64 * 1024 } = options
  if (text.length <= sliceChars) return readJson(text, maxDepth)
  if (text.trim() === '') return emptyBody
  const scan = scanner(text)
  for (let at = sliceChars; !scan.step(at); at += sliceChars) await pause()
  const shape = scan.shape()
  if (shape.items === null) return shape.depth <= maxDepth ? parsedWhole(text, shape) : { _tag: 'Unreadable', reason: tooDeep(maxDepth) }
  const frame = frameProblem(text, shape)
  if (frame !== null) return { _tag: 'Unreadable', reason: frame }
  const items: JsonItem[] = []
  for (const it of shape.items) {
    await pause()
    items.push(itemAt(text, it, maxDepth))
  }
  return fromItems(items, maxDepth)
}
