// An RFC 4180 reader written apart from the product's writer, so the export tests judge the CSV by the RFC
// and not by the code that made it. Strict: a stray quote or a bare LF is an error.

export const parseCsv = (text: string): string[][] => {
  const rows: string[][] = []
  let row: string[] = []
  let i = 0
  const field = (): string => {
    if (text[i] !== '"') {
      const start = i
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        if (text[i] === '"' || text[i] === '\n') throw new Error(`CSV: unquoted ${JSON.stringify(text[i])} at ${i}`)
        i++
      }
      return text.slice(start, i)
    }
    let out = ''
    for (i++; ; ) {
      if (i >= text.length) throw new Error('CSV: unterminated quoted field')
      if (text[i] === '"') {
        if (text[i + 1] === '"') {
          out += '"'
          i += 2
          continue
        }
        i++
        return out
      }
      out += text[i++]
    }
  }
  while (i < text.length) {
    row.push(field())
    if (text[i] === ',') {
      i++
      continue
    }
    if (text[i] !== '\r' || text[i + 1] !== '\n') throw new Error(`CSV: expected CRLF at ${i}`)
    i += 2
    rows.push(row)
    row = []
  }
  return rows
}

/** Rows as objects keyed by the header row. */
export const csvRecords = (text: string): { header: string[]; records: Array<Record<string, string>> } => {
  const [header = [], ...rows] = parseCsv(text)
  return { header, records: rows.map((r) => Object.fromEntries(header.map((h, k) => [h, r[k] ?? '']))) }
}
