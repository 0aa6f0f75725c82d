// Finds the data subjects named in a piece of raw text (a dead letter's payload): every email-shaped string in
// it, as the subject id its keyed HMAC gives. Raw payloads are kept as received, so this is all an erasure
// has to find them by: the email is never stored beside them, only the subject ids.
import { subjectOfEmail, type IdentitySecret, type SubjectId } from './subject.js'

/**
 * Email-shaped runs: a local part, `@`, a dotted domain. Deliberately loose (a false positive only links a
 * dead letter to a subject no one has); JSON escapes such as `\u0040` are decoded first by the caller's parse
 * where it can, and the raw text is scanned too.
 *
 * Found from each `@` outwards, not by one regex over the text: `/[local]+@domain/g` tries every start in a
 * long run of local-part characters and reads the run to its end each time, so 100 kB of `x` in a rejected
 * payload took 25 s of the event loop (quadratic). Here each character is read a bounded number of times.
 */
const LOCAL = /[A-Za-z0-9._%+'-]/
const DOMAIN = /[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+/y

/** What `/[local]+@domain/g` matches in `s`, in order, found in linear time. */
const matchesIn = function* (s: string): Generator<string> {
  let end = 0
  for (let at = s.indexOf('@'); at !== -1; at = s.indexOf('@', Math.max(at + 1, end))) {
    let start = at
    while (start > end && LOCAL.test(s[start - 1]!)) start--
    if (start === at) continue
    DOMAIN.lastIndex = at + 1
    const domain = DOMAIN.exec(s)
    if (domain === null) continue
    end = DOMAIN.lastIndex
    yield s.slice(start, end)
  }
}

/** The emails in `text`, normalised (trimmed, lower-cased), each once. */
export const emailsIn = (text: string): ReadonlyArray<string> => {
  const found = new Set<string>()
  const scan = (s: string) => {
    for (const m of matchesIn(s)) found.add(m.toLowerCase())
  }
  scan(text)
  // A payload written with JSON escapes (\u0040 for @) hides the address from the raw scan: scan the decoded text.
  if (text.includes('\\u')) {
    try {
      scan(JSON.stringify(JSON.parse(text)))
    } catch {
      scan(text.replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))))
    }
  }
  // A form-encoded body writes @ as %40.
  if (/%40/i.test(text)) scan(text.replace(/%40/gi, '@').replace(/%2e/gi, '.'))
  return [...found]
}

/** The subjects named in `text`: what a dead-letter store records beside a payload, so an erasure finds it. */
export const subjectsInText =
  (secret: IdentitySecret) =>
  (text: string): ReadonlyArray<SubjectId> => [...new Set(emailsIn(text).flatMap((e) => subjectOfEmail(secret, e) ?? []))]
